// A report page whose tables are pictures (test/fixtures/scans/image-page: the real pingtan-2023 report's table
// pages as PNG images in an HTML page), crawled from a local site on 127.0.0.x: the crawler fetches the body
// images like attachments (same host rules, archive), the extraction pool reads them by OCR with the page, and
// the warehouse holds the report's cells with status ocr. Needs tesseract (chi_sim, eng); skipped with the
// reason printed when it is absent. Also an image-only .docx of the same pictures (pingtan-2023-images.docx).
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractDocument } from '../../extractors/extract.ts';
import { createReporter } from '../../pipelines/crawl/progress.ts';
import { probeTesseract, tesseractRunner } from '../../pipelines/ocr/tesseract.ts';
import { buildRecord } from '../../transforms/record.ts';
import { runPipeline, type RunSummary } from '../../pipelines/run.ts';
import { DEFAULT_CRAWL_SETTINGS } from '../../pipelines/crawl/crawler.ts';
import { withWarehouse } from '../../pipelines/warehouse.ts';
import { CORPUS } from '../support/corpus.ts';
import { scoreRecord } from '../support/ocrScore.ts';
import { makeTempDir } from '../helpers/warehouse.ts';

const PAGE_DIR = join(import.meta.dirname, '../fixtures/scans/image-page');
const probe = await probeTesseract();
if (!probe.ok) console.warn(`image-table crawl test skipped: ${probe.reason}`);

const LIST = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>
<ul class="list"><li><a href="./2024/report.html">平潭综合实验区2023年政府信息公开工作年度报告</a><span>2024-01-25</span></li></ul>
</body></html>`;

describe.skipIf(!probe.ok)('a report page whose tables are images, crawled', () => {
  const temp = makeTempDir('image-tables');
  const dbPath = join(temp.dir, 'warehouse.duckdb');
  const requested: string[] = [];
  let server: Server;
  let summary: RunSummary;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      requested.push(path);
      const send = (type: string, body: Buffer | string) => res.writeHead(200, { 'content-type': type }).end(body);
      if (path === '/list/index.html') return send('text/html; charset=utf-8', LIST);
      if (path === '/list/2024/report.html') return send('text/html; charset=utf-8', readFileSync(join(PAGE_DIR, 'index.html')));
      const image = /^\/list\/2024\/(table-[234]\.png)$/.exec(path);
      if (image) return send('image/png', readFileSync(join(PAGE_DIR, image[1])));
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.7', resolve));
    const { port } = server.address() as AddressInfo;
    const sourcesFile = join(temp.dir, 'sources.csv');
    writeFileSync(sourcesFile, `agency,url,region_code,region,level,department\n平潭综合实验区管理委员会,http://127.0.0.7:${port}/list/index.html,350128,福建省/福州市/平潭综合实验区,county,\n`);
    const settings = { ...DEFAULT_CRAWL_SETTINGS, politeness: { ...DEFAULT_CRAWL_SETTINGS.politeness, minGapMs: 10 } };
    const quiet = createReporter({ tty: false, level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
    summary = await runPipeline({ command: 'run', sourcesFile, dataDir: temp.dir, dbPath, settings, reporter: quiet, flushIntervalMs: 60_000 });
  }, 1_800_000);

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    temp.cleanup();
  });

  it('fetches the body images through the crawler and loads the tables read from them', async () => {
    expect(requested).toEqual(expect.arrayContaining(['/list/2024/table-2.png', '/list/2024/table-3.png', '/list/2024/table-4.png']));
    expect(summary.counts.extracted).toBe(1);
    const cells = await withWarehouse(dbPath, { readOnly: true }, async (w) =>
      (await w.read(`SELECT cell_id, value, status FROM cells JOIN reports USING (report_id) WHERE reports.source_url LIKE '%report.html'`)).getRowObjectsJson() as { cell_id: string; value: number | null; status: string }[]);
    const expected = JSON.parse(readFileSync(join(CORPUS, 'pingtan-2023.html.expected.json'), 'utf8')).cells as Record<string, number | null>;
    const byId = new Map(cells.map((c) => [c.cell_id, c]));
    const exact = Object.entries(expected).filter(([id, v]) => v !== null && Number(byId.get(id)?.value) === v).length;
    const ocr = cells.filter((c) => c.status === 'ocr' || c.status === 'ocr_corrected').length;
    console.log(`image-table page crawled: ${exact}/${Object.keys(expected).length} expected cells exact, ${ocr} cells with status ocr`);
    expect(ocr).toBeGreaterThan(100);
    expect(exact / Object.keys(expected).length).toBeGreaterThanOrEqual(0.98);
  });
});

describe.skipIf(!probe.ok)('an image-only Word document', () => {
  it('is read from its pictures by OCR: the tables come out, every wrong value flagged', async () => {
    const file = join(import.meta.dirname, '../fixtures/scans/pingtan-2023-images.docx');
    const doc = await extractDocument({ bytes: readFileSync(file), fileName: file, ocr: { runner: tesseractRunner(probe.ok ? probe.engine : '') } });
    expect(doc.issues.find((i) => i.code === 'ocr_pages')?.message).toMatch(/^images 1, 2, 3 in the document were read by OCR/);
    const record = buildRecord(doc, { source: file, sha256: 'd'.repeat(64) });
    const score = scoreRecord(record, JSON.parse(readFileSync(join(CORPUS, 'pingtan-2023.html.expected.json'), 'utf8')).cells);
    console.log(`image-only docx: ${score.exact}/${score.expected} expected cells exact; wrong: ${score.wrong.map((w) => `${w.id}=${w.got}${w.flagged ? ' flagged' : ''}`).join(', ')}`);
    expect(score.wrong.filter((w) => !w.flagged && w.got !== null)).toEqual([]);
    expect(score.exact / score.expected).toBeGreaterThanOrEqual(0.98);
  }, 600_000);
});
