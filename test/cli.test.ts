// The gov-reports command line, spawned as a user would run it, from its TypeScript sources (the compiled
// bin/gov-reports.js → dist/ is tested by test/slow/build.test.ts).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../pipelines/cli.ts';
import { SAMPLES_DIR } from '../pipelines/samples.ts';
import { runQuery } from '../pipelines/query.ts';
import { displayWidth, formatResult } from '../pipelines/queryFormat.ts';
import { withWarehouse } from '../pipelines/warehouse.ts';
import { reportRecordSchema, type ReportRecord } from '../transforms/recordSchema.ts';
import { countFromOtherProcess, finished, holdWarehouse, makeTempDir, printed, REPO_ROOT } from './helpers/warehouse.ts';

const CLI = join(REPO_ROOT, 'pipelines', 'cli.ts');
const TSX = import.meta.resolve('tsx');
const temp = makeTempDir('cli');
const seed = (n: number) => join(SAMPLES_DIR, 'seeds', readdirSync(join(SAMPLES_DIR, 'seeds')).sort()[n]);
const NOT_A_REPORT = join(SAMPLES_DIR, 'corpus', 'README.md');

async function cli(args: string[], cwd = temp.dir): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return finished(spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GOV_REPORTS_LOG_FORMAT: 'text' } }));
}

const jsonLines = (stdout: string): ReportRecord[] =>
  stdout
    .trim()
    .split('\n')
    .map((line) => reportRecordSchema.parse(JSON.parse(line)));

afterAll(() => temp.cleanup());

describe('help and usage', () => {
  it('lists every subcommand, and every command file is registered', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const name of COMMAND_NAMES) expect(stdout).toMatch(new RegExp(`^\\s+${name}\\b`, 'm'));
    const files = readdirSync(join(REPO_ROOT, 'pipelines', 'commands')).map((file) => file.replace(/\.ts$/, ''));
    expect([...COMMAND_NAMES].sort()).toEqual(files.sort());
    expect(stdout).toContain('--db <file>');
    expect(stdout).toContain('--data-dir <dir>');
  });

  it.each(COMMAND_NAMES)('%s --help exits 0 with its usage', async (name) => {
    const { code, stdout } = await cli([name, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: gov-reports ${name}`);
  });

  it.each([
    [['extract']], // missing argument
    [['extract', '--jsno', 'x.txt']], // unknown option
    [['frobnicate']], // unknown command
    [['query', 'SELECT 1', '--format', 'xml']], // bad choice
    [['export']], // missing --out
    [['load', 'x.txt', '--batch-size', '0']], // bad number
    [[]], // no command
  ])('exits 2 on a usage error: %j', async (args) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stderr.length).toBeGreaterThan(0);
  });
});

describe('extract', () => {
  it('prints one schema-valid JSON record per input and exits 0 when all are reports', async () => {
    const { code, stdout } = await cli(['extract', '--json', seed(0), seed(2)]);
    expect(code).toBe(0);
    const records = jsonLines(stdout);
    expect(records).toHaveLength(2);
    expect(records[0].source).toMatch(/seeds\/000_ee99eda0b851ed47\.txt$/);
    expect(records[0].meta.report_year).toBe(2023);
    expect(Object.keys(records[0].cells).length).toBeGreaterThan(0);
  });

  it('goes on past unreadable and non-report inputs, records why, and exits 1', async () => {
    const missing = join(temp.dir, 'no-such-report.html');
    const { code, stdout } = await cli(['extract', '--json', missing, NOT_A_REPORT, seed(1)]);
    expect(code).toBe(1);
    const [unreadable, notReport, report] = jsonLines(stdout);
    expect(unreadable.cells).toEqual({});
    expect(unreadable.issues).toContainEqual(expect.objectContaining({ code: 'unreadable', severity: 'error' }));
    expect(unreadable.issues[0].message).toContain('no-such-report.html');
    expect(notReport.cells).toEqual({});
    expect(notReport.issues.some((issue) => issue.severity === 'error')).toBe(true);
    expect(Object.keys(report.cells).length).toBeGreaterThan(0);
  });

  it('prints a human summary per input without --json', async () => {
    const { code, stdout } = await cli(['extract', seed(0), NOT_A_REPORT]);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/新乡市民政局 2023 · v2021 .* cells · \d+\/\d+ checks failed/);
    expect(lines[1]).toMatch(/README\.md: FAILED/);
    expect(stdout).toContain('1 of 2 input(s) failed');
  });

  describe('from a URL', () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      const body = readFileSync(join(SAMPLES_DIR, 'corpus', 'pingtan-2023.html'));
      server = createServer((request, response) => {
        if (request.url === '/report.html') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
        else response.writeHead(404).end('not found');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('fetches the document and records where it came from', async () => {
      const { code, stdout } = await cli(['extract', '--json', `${base}/report.html`, `${base}/missing.html`]);
      expect(code).toBe(1);
      const [fetched, missing] = jsonLines(stdout);
      expect(fetched.source_url).toBe(`${base}/report.html`);
      expect(fetched.meta.report_year).toBe(2023);
      expect(missing.issues[0]).toMatchObject({ code: 'unreadable', severity: 'error' });
      expect(missing.issues[0].message).toContain('HTTP 404');
    });
  });
});

describe('load, query, export', () => {
  const dbPath = join(temp.dir, 'load', 'warehouse.duckdb');

  it('loads, prints counts, closes the file, and reloads idempotently', async () => {
    const first = await cli(['load', '--db', dbPath, seed(0), seed(1), seed(2)]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/loaded 3 report\(s\) into .* \(0 replaced\): \d+ cells/);
    expect(await countFromOtherProcess(dbPath, 'reports')).toBe(3);
    const cells = await countFromOtherProcess(dbPath, 'cells');

    const again = await cli(['load', '--db', dbPath, seed(0), seed(1), seed(2), NOT_A_REPORT]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/loaded 4 report\(s\) into .* \(3 replaced\)/);
    expect(again.stdout).toMatch(/README\.md: FAILED/);
    expect(await countFromOtherProcess(dbPath, 'reports')).toBe(4);
    expect(await countFromOtherProcess(dbPath, 'cells')).toBe(cells);
  }, 180_000); // four processes that load

  it('loads a folder, a quoted glob and a list file, streamed, with --workers', async () => {
    const dir = join(temp.dir, 'inputs');
    mkdirSync(join(dir, 'nested'), { recursive: true });
    copyFileSync(seed(0), join(dir, 'a.txt'));
    copyFileSync(seed(1), join(dir, 'nested', 'b.txt'));
    writeFileSync(join(dir, 'list.txt'), `# one input a line\n${seed(2)}\n\n${seed(3)}\n`);
    const db = join(temp.dir, 'streamed.duckdb');
    const run = await cli(['load', '--db', db, '--workers', '2', join(dir, 'nested'), `${dir}/*.txt`, '--from-list', join(dir, 'list.txt')]);
    // nested/b.txt, then a.txt and list.txt itself (the glob; list.txt is no report), then the two listed seeds
    expect(run.stdout, run.stderr).toMatch(/loaded 5 report\(s\) .* 1 of 5 input\(s\) failed/);
    expect(await countFromOtherProcess(db, 'reports WHERE is_report')).toBe(4);
  });

  it('waits for a held warehouse and reports a clear error after --lock-timeout', async () => {
    const dbPath = join(temp.dir, 'locked', 'warehouse.duckdb');
    await withWarehouse(dbPath, {}, async () => {});
    const holder = holdWarehouse(dbPath, 120_000); // killed below; long enough to outlast the load's worker start-up
    const done = finished(holder);
    try {
      await printed(holder, 'held');
      const { code, stderr } = await cli(['load', '--db', dbPath, '--lock-timeout', '1', seed(3)]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/waiting for the warehouse lock/);
      expect(stderr).toMatch(/gov-reports: warehouse: .*warehouse.duckdb is locked by another process .*PID \d+/);
    } finally {
      holder.kill();
      await done;
    }
  });

  it('queries as a table, CSV and JSON, keeping bigints exact', async () => {
    const sql = `SELECT count(*) AS reports, 9007199254740993::BIGINT AS big, 12.5::DECIMAL(18,4) AS amount, '新乡' AS place
                   FROM reports`;
    const json = await cli(['query', '--db', dbPath, '--format', 'json', sql]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ reports: 4, big: '9007199254740993', amount: 12.5, place: '新乡' }]);

    const csv = await cli(['query', '--db', dbPath, '--format', 'csv', sql]);
    expect(csv.stdout).toBe('reports,big,amount,place\r\n4,9007199254740993,12.5,新乡\r\n');

    const table = await cli(['query', '--db', dbPath, sql]);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^reports │ +big │ amount │ place$/);
    expect(lines[2]).toMatch(/^ +4 │ 9007199254740993 │ +12\.5 │ 新乡$/);
    expect(lines[3]).toBe('(1 row)');
    // CJK characters take two columns: every separator sits at the same display column.
    const bars = [lines[0], lines[2]].map((line) => displayWidth(line.slice(0, line.lastIndexOf('│'))));
    expect(bars[0]).toBe(bars[1]);
  });

  it('formats empty results, NULLs and lists', async () => {
    const result = await withWarehouse(dbPath, { readOnly: true }, (warehouse) =>
      runQuery(warehouse, `SELECT NULL::VARCHAR AS nothing, ['t3', 't4'] AS truncated, 'a,"b"' AS quoted`),
    );
    expect(formatResult(result, 'json')).toBe('[\n{"nothing":null,"truncated":["t3","t4"],"quoted":"a,\\"b\\""}\n]\n');
    expect(formatResult(result, 'csv')).toBe('nothing,truncated,quoted\r\n,"[""t3"",""t4""]","a,""b"""\r\n');
    expect(formatResult(result, 'table')).toContain('NULL');
    const empty = await withWarehouse(dbPath, { readOnly: true }, (warehouse) => runQuery(warehouse, 'SELECT * FROM reports WHERE false'));
    expect(formatResult(empty, 'json')).toBe('[]\n');
    expect(formatResult(empty, 'table')).toMatch(/\(0 rows\)\n$/);
  });

  it('reports a SQL error as a query error with exit 1', async () => {
    const { code, stderr } = await cli(['query', '--db', dbPath, 'SELECT * FROM no_such_table']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^gov-reports: query: .*no_such_table/m);
  });

  it('exports CSV through the command line', async () => {
    const out = join(temp.dir, 'csv-export');
    const { code, stdout } = await cli(['export', '--db', dbPath, '--format', 'csv', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/table reports: 4 rows/);
    expect(readFileSync(join(out, 'report_headlines.csv')).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(await countFromOtherProcess(dbPath, 'reports')).toBe(4);
  });

  it('refuses to export into a folder of someone else\'s files, in one line naming the fix', async () => {
    const out = join(temp.dir, 'my-reports');
    mkdirSync(join(out, 'reports'), { recursive: true });
    writeFileSync(join(out, 'reports', 'a.pdf'), '%PDF-1.4');
    writeFileSync(join(out, 'notes.md'), 'mine');
    const { code, stderr } = await cli(['export', '--db', dbPath, '--out', out]);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^gov-reports: export: .*not a gov-reports export.*choose a new or empty folder/)]);
    expect(readdirSync(out).sort()).toEqual(['notes.md', 'reports']);
  });

  it('writes the summary page', async () => {
    const page = join(temp.dir, 'summary.html');
    const { code, stdout } = await cli(['report', '--db', dbPath, '--out', page]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/report: .*summary\.html \(3 reports, 3 agencies\)/);
    expect(readFileSync(page, 'utf8')).toContain('id="chart-applications-by-year"');
  });
});

describe('demo', () => {
  it('crawls the bundled imitation sites offline, prints a summary and where it wrote, and leaves the warehouse closed', async () => {
    const dataDir = join(temp.dir, 'demo-data');
    const { code, stdout } = await cli(['demo', '--data-dir', dataDir]);
    expect(code).toBe(0);
    // Every bundled report arrives through the site: pages, a PDF behind a JS-string link, a downfile.jsp redirect.
    for (const agency of ['新乡市民政局', '和田地区民政局', '灵武市民政局', '岭东区民政局', '平潭综合实验区', '沭阳县发展和改革局', '上海市科委', '淮安市人民政府']) {
      expect(stdout).toContain(agency);
    }
    expect(stdout).toMatch(/新乡市民政局 +│ 2023 │ v2021/);
    expect(stdout).toMatch(/reports discovered, \d+ fetched, 0 unchanged \(304\), \d+ extracted/);
    expect(stdout).toMatch(/source blocked: .*412/);
    expect(stdout).toContain(`warehouse: ${join(dataDir, 'warehouse.duckdb')}`);
    expect(existsSync(join(dataDir, 'export', 'reports'))).toBe(true);
    const reports = await countFromOtherProcess(join(dataDir, 'warehouse.duckdb'), 'reports');
    expect(reports).toBeGreaterThanOrEqual(10);
    // Every crawled report is tied to the registry source (and its region) whose crawl fetched it.
    expect(await countFromOtherProcess(join(dataDir, 'warehouse.duckdb'), 'report_sources')).toBeGreaterThanOrEqual(reports);

    // Running it again is a nightly rerun: conditional requests, nothing re-extracted, the same rows.
    const again = await cli(['demo', '--data-dir', dataDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/ 0 extracted/);
    expect(await countFromOtherProcess(join(dataDir, 'warehouse.duckdb'), 'reports')).toBe(reports);
  }, 240_000); // two whole demo runs on a shared 2-core machine

  it('works from another directory with npx-style invocation of the bin', async () => {
    const elsewhere = makeTempDir('cli-cwd');
    try {
      copyFileSync(seed(0), join(elsewhere.dir, 'report.txt'));
      const { code, stdout } = await cli(['extract', '--json', 'report.txt'], elsewhere.dir);
      expect(code).toBe(0);
      expect(jsonLines(stdout)[0].source).toBe('report.txt');
    } finally {
      elsewhere.cleanup();
    }
  });
});
