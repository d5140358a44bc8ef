// The report page in a real browser: run the demo (which writes <data-dir>/report.html), open the page in
// headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) with every network request refused,
// and check that each chart rendered and shows the demo warehouse's numbers, computed by hand from the bundled
// samples. Needs: chromium (CI installs it); skipped with the reason printed when it is absent.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../pipelines/demo.ts';
import { makeTempDir } from '../helpers/warehouse.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.log(`report page browser test skipped: no chromium at ${CHROMIUM} (apt-get install chromium)`);

const CHART_IDS = [
  'chart-reports-by-year',
  'chart-applications-by-year',
  'chart-outcome-mix',
  'chart-largest-agencies',
  'chart-denial-grounds',
  'chart-review-litigation',
  'chart-coverage',
];

describe.skipIf(!haveChromium)('report page in headless Chromium', () => {
  const temp = makeTempDir('report-page');
  const reportFile = join(temp.dir, 'report.html');
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    await runDemo({ dbPath: join(temp.dir, 'warehouse.duckdb'), dataDir: temp.dir, exportDir: join(temp.dir, 'export'), reportFile });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(reportFile).href);
    await page.waitForFunction((n) => Number(document.body.dataset.chartsRendered ?? 0) >= n, CHART_IDS.length, { timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    temp.cleanup();
  });

  it('is one file that fetches nothing', () => {
    expect(requests).toEqual([]);
    expect(readFileSync(reportFile, 'utf8')).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });

  it('renders every chart as drawn SVG', async () => {
    for (const id of CHART_IDS) {
      const shapes = await page.locator(`#${id} svg path`).count();
      const box = await page.locator(`#${id} svg`).boundingBox();
      expect({ id, drawn: shapes > 3 && (box?.width ?? 0) > 300 && (box?.height ?? 0) > 200 }).toEqual({ id, drawn: true });
    }
  });

  it("shows the demo warehouse's numbers", async () => {
    // 10 reports of 9 agencies (洪泽区人民政府 2023 and 淮安市洪泽区人民政府 2024 are one); applications received:
    // 2023 = 0 (岭东) + 0 (和田) + 81 (平潭) + 0 (新乡) + 26 (沭阳) + 21 (洪泽) = 128;
    // 2024 = 3119 (淮安市) + 95 (洪泽) + 34 (上海市科委) + 2 (灵武) = 3250; together 3378.
    const totals = await page.locator('#totals').innerText();
    expect(totals).toMatch(/10\s*annual reports/);
    expect(totals).toMatch(/9\s*agencies \(9 resolved/);
    expect(totals).toMatch(/3378\s*applications received/);
    const applications = await page.locator('#chart-applications-by-year').innerText();
    expect(applications).toContain('128');
    expect(applications).toContain('3250');
    const largest = await page.locator('#chart-largest-agencies').innerText();
    expect(largest).toContain('淮安市人民政府 2024');
    expect(largest).toContain('3119');
    // The one agency with two consecutive years: 洪泽区 21 → 95, +74 (+352.4 %).
    const yoy = await page.locator('table').first().innerText();
    expect(yoy).toMatch(/洪泽区人民政府\s+2024\s+21\s+95\s+74\s+352\.4/);
    // Reports per year: 6 of 2023 and 4 of 2024 (hybrid and v2021 templates stacked).
    const perYear = await page.evaluate(() => JSON.parse(document.getElementById('report-data')!.textContent!).reportsByYear);
    const sum = (year: string) => perYear.filter((r: { year: string }) => r.year === year).reduce((n: number, r: { reports: number }) => n + r.reports, 0);
    expect([sum('2023'), sum('2024')]).toEqual([6, 4]);
  });
});
