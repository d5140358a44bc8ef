// Provenance survives every path (issue 8 item 7, issue 9 item 2): after the demo's crawl, loading one of the
// crawled bodies again from a local file keeps the crawl's URL and publish date; a page that is not a report is
// kept but counted by no analyst view; deleting the warehouse and running `reprocess` rebuilds sources, fetches,
// report_sources and agencies from the demo's archive and journal, offline. Needs nothing but Node (~1 min).
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReporter } from '../../pipelines/crawl/progress.ts';
import { runDemo } from '../../pipelines/demo.ts';
import { ingest } from '../../pipelines/ingest.ts';
import { runPipeline } from '../../pipelines/run.ts';
import { withWarehouse } from '../../pipelines/warehouse.ts';
import { duplicateKeys, makeTempDir, REPO_ROOT } from '../helpers/warehouse.ts';

const temp = makeTempDir('provenance');
const dbPath = join(temp.dir, 'warehouse.duckdb');

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return withWarehouse(dbPath, { readOnly: true }, async (w) => (await w.read(sql)).getRowObjectsJson() as Record<string, unknown>[]);
}

const LEDGER = `SELECT (SELECT count(*) FROM sources) AS sources, (SELECT count(*) FROM fetches) AS fetches,
                       (SELECT count(*) FROM report_sources) AS report_sources, (SELECT count(*) FROM reports) AS reports,
                       (SELECT count(*) FROM document_locations WHERE kind = 'url') AS url_locations`;

let crawled: Record<string, unknown>;
let ledgerAfterDemo: Record<string, unknown>;
let agenciesAfterDemo: Record<string, unknown>[];

beforeAll(async () => {
  await runDemo({ dbPath, dataDir: temp.dir, exportDir: join(temp.dir, 'export'), reportFile: join(temp.dir, 'report.html') });
  [crawled] = await query(`SELECT r.report_id, r.source_url, r.publish_date, r.publish_date_source, d.archive_path
                             FROM reports r JOIN documents d USING (document_sha256) WHERE r.agency_name = '沭阳县发展和改革局'`);
  [ledgerAfterDemo] = await query(LEDGER);
  agenciesAfterDemo = await query('SELECT * FROM agencies ORDER BY agency_id');
});
afterAll(() => temp.cleanup());

describe('provenance', () => {
  it('the demo crawled and archived the report with its URL and publish date', () => {
    expect(crawled.source_url).toMatch(/^http:\/\/127\.0\.0\.\d+:\d+\//);
    expect(crawled.publish_date).not.toBeNull();
    expect(Number(ledgerAfterDemo.sources)).toBeGreaterThan(0);
    expect(Number(ledgerAfterDemo.report_sources)).toBeGreaterThan(0);
  });

  it('load of a crawled body from a local file keeps the crawl provenance and adds the file as a location', async () => {
    const download = join(temp.dir, 'downloaded-report.html');
    copyFileSync(join(temp.dir, String(crawled.archive_path)), download);
    const result = await ingest([download], { dbPath });
    expect(result.loaded.reports).toBe(1);
    const [after] = await query(`SELECT report_id, source_url, publish_date, publish_date_source FROM reports WHERE report_id = '${crawled.report_id}'`);
    expect(after).toEqual({ report_id: crawled.report_id, source_url: crawled.source_url, publish_date: crawled.publish_date, publish_date_source: crawled.publish_date_source });
    const locations = await query(`SELECT kind, location FROM document_locations l JOIN reports r USING (document_sha256) WHERE r.report_id = '${crawled.report_id}' ORDER BY kind, location`);
    expect(locations.map((l) => l.kind)).toEqual(['file', 'url']);
    expect(locations[1].location).toBe(crawled.source_url);
    // The same file loaded again adds no second location (nor any other duplicate key).
    await ingest([download], { dbPath });
    expect(await withWarehouse(dbPath, { readOnly: true }, duplicateKeys)).toEqual({});
    expect(await query(`SELECT count(*)::INTEGER AS n FROM document_locations l JOIN reports r USING (document_sha256) WHERE r.report_id = '${crawled.report_id}'`)).toEqual([{ n: 2 }]);
  });

  it('a document that is not a report is kept but counted by no analyst view', async () => {
    const before = await query('SELECT (SELECT count(*) FROM report_headlines) AS h, (SELECT count(*) FROM report_panel) AS p, (SELECT count(*) FROM agencies) AS a');
    await ingest([join(REPO_ROOT, 'package.json')], { dbPath });
    const [row] = await query(`SELECT is_report FROM reports WHERE source LIKE '%package.json'`);
    expect(row.is_report).toBe(false);
    expect(await query('SELECT (SELECT count(*) FROM report_headlines) AS h, (SELECT count(*) FROM report_panel) AS p, (SELECT count(*) FROM agencies) AS a')).toEqual(before);
  });

  it('reprocess into a new warehouse rebuilds sources, fetches, report_sources and agencies from the archive', async () => {
    rmSync(dbPath);
    // The crawl history goes in a few fetches per warehouse session (20,000 by default): the result is the same.
    const summary = await runPipeline({ command: 'reprocess', dataDir: temp.dir, dbPath, reporter: createReporter({ level: 'warn' }), fetchReplayChunk: 7 });
    expect(summary.counts.extracted).toBeGreaterThan(0);
    const [ledger] = await query(LEDGER);
    expect(ledger).toEqual(ledgerAfterDemo);
    expect(Number(ledger.fetches)).toBeGreaterThan(14);
    expect(await query('SELECT * FROM agencies ORDER BY agency_id')).toEqual(agenciesAfterDemo);
    expect(await withWarehouse(dbPath, { readOnly: true }, duplicateKeys)).toEqual({});
  });
});
