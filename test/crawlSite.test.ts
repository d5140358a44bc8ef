// The crawler against the local imitation of government sites (pipelines/localSite/): every report found and
// no decoy touched, politeness measured at the server, clear per-source and per-document errors,
// and incremental nightly runs (conditional requests only, nothing re-extracted, a changed page
// re-fetched and re-extracted alone).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CRAWL_SETTINGS, type CrawlSettings } from '../pipelines/crawl/crawler.ts';
import { createReporter } from '../pipelines/crawl/progress.ts';
import { runPipeline, type RunSummary } from '../pipelines/run.ts';
import { Warehouse } from '../pipelines/warehouse.ts';
import { duplicateKeys, finished, makeTempDir, REPO_ROOT } from './helpers/warehouse.ts';
import { DEFAULT_SAMPLES_DIR, startGovSite, type GovSite, type SiteRequest } from '../pipelines/localSite/server.ts';

const MIN_GAP_MS = 150;
const settings: CrawlSettings = {
  politeness: { perHostConcurrency: 1, minGapMs: MIN_GAP_MS, globalConcurrency: 4 },
  fetcher: { ...DEFAULT_CRAWL_SETTINGS.fetcher, timeoutMs: 1000, retries: 1, backoffBaseMs: 100 },
  maxListPages: 50,
};

const quietReporter = () => createReporter({ tty: false, level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });

let site: GovSite;
let tmp: { dir: string; cleanup: () => void };
let sourcesFile: string;
let dbPath: string;
const runs: { summary: RunSummary; requests: SiteRequest[] }[] = [];

async function crawlOnce(): Promise<{ summary: RunSummary; requests: SiteRequest[] }> {
  const before = site.requests.length;
  const summary = await runPipeline({ command: 'run', sourcesFile, dataDir: tmp.dir, dbPath, settings, reporter: quietReporter(), flushIntervalMs: 60_000 });
  const run = { summary, requests: site.requests.slice(before) };
  runs.push(run);
  return run;
}

async function query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const warehouse = await Warehouse.open(dbPath, { readOnly: true });
  try {
    return (await warehouse.read(sql)).getRowObjectsJson() as T[];
  } finally {
    warehouse.close();
  }
}

beforeAll(async () => {
  site = await startGovSite({ timeoutPageDelayMs: 2500 });
  tmp = makeTempDir('crawl-site');
  sourcesFile = join(tmp.dir, 'sources.csv');
  dbPath = join(tmp.dir, 'warehouse.duckdb');
  writeFileSync(sourcesFile, site.registryCsv({ withBadRows: true }));
  await crawlOnce();
}, 120_000);

afterAll(async () => {
  await site?.close();
  tmp?.cleanup();
});

describe('first run against the local government sites', () => {
  it('loads every report of the site, from the page or from the attachment that holds it', async () => {
    const rows = await query<{ source_url: string; document_sha256: string; is_report: boolean }>('SELECT source_url, document_sha256, is_report FROM reports');
    const loaded = new Map(rows.map((r) => [r.source_url, r]));
    for (const report of site.expected.reports) {
      expect(loaded.has(report.url), `${report.url} (${report.sample}) loaded`).toBe(true);
    }
    // Attachments arrive byte for byte (through a 302, through a JS string, relative ./P0… links).
    for (const report of site.expected.reports.filter((r) => r.via === 'attachment')) {
      const bytes = readFileSync(join(DEFAULT_SAMPLES_DIR, report.sample));
      expect(loaded.get(report.url)!.document_sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    // A page that only links to its report is not a report of its own.
    for (const page of site.expected.attachmentPages) expect(loaded.has(page), page).toBe(false);
  });

  it('never requests a decoy, a robots-disallowed path or an off-list page', () => {
    const requested = new Set(runs[0].requests.map((r) => r.url));
    for (const url of site.expected.neverFetched) expect(requested.has(url), url).toBe(false);
    // The sources table and the run record name only the registry's hosts.
    const hosts = new Set(runs[0].requests.map((r) => r.host));
    expect([...hosts].sort()).toEqual([site.hosts.trs, site.hosts.hanweb, site.hosts.guarded].sort());
  });

  it('follows every pagination scheme: createPageHTML pages, a year sub-column, Hanweb dataproxy groups', () => {
    const paths = runs[0].requests.map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain('GET /zwgk/zfxxgknb/index_2.html');
    expect(paths).toContain('GET /zwgk/zfxxgknb/index_3.html'); // the announced tail, a 404
    expect(paths).toContain('GET /zwgk/zfxxgknb/2023n/index.html');
    const posts = paths.filter((p) => p.startsWith('POST /module/web/jpage/dataproxy.jsp'));
    // 14 records, 8 embedded in the page (twice: pc and mobile units): one group request, not two.
    expect(posts).toEqual(['POST /module/web/jpage/dataproxy.jsp?startrecord=9&endrecord=14&perpage=4']);
  });

  it('keeps the configured gap between requests to one host, measured at the server', () => {
    let checked = 0;
    for (const host of [site.hosts.trs, site.hosts.hanweb, site.hosts.guarded]) {
      const times = runs[0].requests.filter((r) => r.host === host).map((r) => r.at).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) {
        expect(times[i] - times[i - 1], `${host} request ${i}`).toBeGreaterThanOrEqual(MIN_GAP_MS);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(25);
    expect(new Set(runs[0].requests.map((r) => r.userAgent))).toEqual(new Set([settings.fetcher.userAgent]));
  });

  it('retries a 500, honours Retry-After on a 429, gives up on a page slower than the timeout, never retries a 404', () => {
    const byPath = (path: string) => runs[0].requests.filter((r) => r.path === path);
    expect(byPath('/zwgk/zfxxgknb/202402/t20240201_1006.html').map((r) => r.status)).toEqual([500, 200]);
    const listRetry = byPath('/zwgk/zfxxgknb/index_1.html');
    expect(listRetry.map((r) => r.status)).toEqual([429, 200]);
    expect(listRetry[1].at - listRetry[0].at).toBeGreaterThanOrEqual(1000);
    expect(byPath('/zwgk/zfxxgknb/202401/t20240110_1008.html')).toHaveLength(1);
    expect(byPath('/zwgk/zfxxgknb/202401/t20240115_1010.html')).toHaveLength(2); // one retry after the timeout
  });

  it('ends bad sources, blocked pages and dead links as clear per-source and per-document errors, and finishes', async () => {
    const { summary } = runs[0];
    expect(summary.registryErrors.map((e) => [e.line, e.message])).toEqual([
      [6, 'url is not an absolute http(s) URL (got "not-a-url")'],
      [7, 'agency is empty'],
    ]);
    const sources = Object.fromEntries(summary.sourceProblems.map((s) => [s.agency, s]));
    expect(sources['示例县疾病预防控制中心'].status).toBe('blocked');
    expect(sources['示例县疾病预防控制中心'].detail).toMatch(/HTTP 412: anti-bot JavaScript challenge \(瑞数 \$_ts script\)/);
    expect(sources['示例乡人民政府'].status).toBe('failed');
    expect(sources['示例乡人民政府'].detail).toMatch(/robots\.txt unreachable \(connection refused/);

    const outcomes = await query<{ url: string; outcome: string; detail: string | null }>(`SELECT url, outcome, detail FROM run_documents WHERE run_id = '${summary.runId}'`);
    const byUrl = new Map(outcomes.map((o) => [o.url, o]));
    for (const failure of site.expected.failures) expect(byUrl.get(failure.url)?.outcome, failure.url).toBe(failure.outcome);
    expect(byUrl.get(site.expected.failures[0].url)?.detail).toBe('HTTP 404 (gone: not retried)');
    expect(byUrl.get(site.expected.failures[1].url)?.detail).toMatch(/timed out: no answer within 1 s \(2 attempts\)/);
    const disallowed = site.expected.neverFetched[0];
    expect(byUrl.get(disallowed)).toMatchObject({ outcome: 'skipped', detail: expect.stringMatching(/robots\.txt .* disallows \/private\//) });

    const [run] = await query<Record<string, number | string>>(`SELECT * FROM runs WHERE run_id = '${summary.runId}'`);
    expect(run).toMatchObject({ status: 'finished', extracted: summary.counts.extracted, blocked: 2, failed: 2 + 2 + 1 });
    expect(summary.counts.extracted).toBe(site.expected.reports.length);
    expect(summary.rejected).toBeGreaterThanOrEqual(site.expected.attachmentPages.length);
  });
});

describe('nightly reruns', () => {
  it('with nothing changed, asks only conditionally, downloads nothing and extracts nothing', async () => {
    const first = runs[0];
    const { summary, requests } = await crawlOnce();
    const hadBody = new Set(first.requests.filter((r) => r.status === 200 && r.method === 'GET' && !r.abandoned).map((r) => r.url));
    const revisited = requests.filter((r) => hadBody.has(r.url));
    expect(revisited.length).toBeGreaterThan(15);
    for (const r of revisited) expect([r.path, r.conditional, r.status]).toEqual([r.path, true, 304]);
    // Requests without validators go only where nothing was stored: failures and hosts without robots.txt.
    for (const r of requests.filter((q) => !hadBody.has(q.url) && !q.abandoned)) expect(r.status, r.url).not.toBe(200);
    expect(requests.filter((r) => r.method === 'POST')).toEqual([]);
    expect(summary.counts).toMatchObject({ fetched: 0, extracted: 0 });
    const outcomes = await query<{ outcome: string; n: number }>(`SELECT outcome, count(*)::INTEGER AS n FROM run_documents WHERE run_id = '${summary.runId}' GROUP BY 1`);
    expect(outcomes.find((o) => o.outcome === 'extracted')).toBeUndefined();
    expect(outcomes.find((o) => o.outcome === 'unchanged')?.n).toBe(site.expected.reports.length + site.expected.attachmentPages.length);
    // Loaded twice, still one row per report.
    const [{ n, distinct }] = await query<{ n: number; distinct: number }>('SELECT count(*)::INTEGER AS n, count(DISTINCT source_url)::INTEGER AS distinct FROM reports');
    expect(n).toBe(distinct);
  });

  it('re-fetches and re-extracts only the page whose body changed', async () => {
    site.setGeneration(2);
    const { summary, requests } = await crawlOnce();
    const changed = site.expected.changingReport;
    expect(requests.filter((r) => r.status === 200 && !r.abandoned).map((r) => r.url)).toEqual([changed]);
    expect(summary.counts).toMatchObject({ fetched: 1, extracted: 1 });
    const outcomes = await query<{ url: string; outcome: string }>(`SELECT url, outcome FROM run_documents WHERE run_id = '${summary.runId}' AND outcome = 'extracted'`);
    expect(outcomes).toEqual([{ url: changed, outcome: 'extracted' }]);
    // The corrected body replaces the old one: still one report for that page.
    const versions = await query<{ document_sha256: string }>(`SELECT document_sha256 FROM reports WHERE source_url = '${changed}'`);
    const fetched = await query<{ document_sha256: string }>(`SELECT document_sha256 FROM fetches WHERE run_id = '${summary.runId}' AND url = '${changed}'`);
    expect(versions).toEqual(fetched);
  });

  it('runs on a schedule: `gov-reports schedule` calls the same run (here once, on the next second)', async () => {
    const before = site.requests.length;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'pipelines/cli.ts', 'schedule', '--cron', '* * * * * *', '--max-runs', '1', '--data-dir', tmp.dir, '--sources', sourcesFile, '--min-gap', '0.15', '--timeout', '1', '--retries', '1'],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const { code, stdout, stderr } = await finished(child);
    expect(code, stderr).toBe(0);
    // Off a terminal: the schedule's messages are JSON lines on stderr, each run's summary a JSON object on stdout.
    const messages = stderr.trim().split('\n').map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('scheduled: * * * * * * (Asia/Shanghai)');
    expect(messages).toContain('scheduled run starting');
    expect(JSON.parse(stdout)).toMatchObject({ type: 'run_summary', counts: { discovered: 13, fetched: 0, extracted: 0 } });
    expect(site.requests.slice(before).filter((r) => r.status === 200 && !r.abandoned)).toEqual([]);
  });
});

describe('reprocess', () => {
  it('re-extracts every archived report with no network and leaves the same reports', async () => {
    const before = site.requests.length;
    const reportsBefore = await query('SELECT report_id, source_url, is_report FROM reports ORDER BY ALL');
    const summary = await runPipeline({ command: 'reprocess', dataDir: tmp.dir, dbPath, reporter: quietReporter() });
    expect(site.requests.length).toBe(before);
    expect(summary.counts).toMatchObject({ fetched: 0, unchanged: 0, extracted: site.expected.reports.length, failed: 0 });
    expect(await query('SELECT report_id, source_url, is_report FROM reports ORDER BY ALL')).toEqual(reportsBefore);
    const [run] = await query<{ command: string; status: string }>(`SELECT command, status FROM runs WHERE run_id = '${summary.runId}'`);
    expect(run).toEqual({ command: 'reprocess', status: 'finished' });
    // Three runs, a scheduled run and a reprocess over the same warehouse: still one row per key.
    const warehouse = await Warehouse.open(dbPath, { readOnly: true });
    try {
      expect(await duplicateKeys(warehouse)).toEqual({});
    } finally {
      warehouse.close();
    }
  });
});
