// `gov-reports run` as the nightly job runs it, in child processes against the local government
// sites: killed with SIGKILL at any moment and started again, it ends with the same warehouse as an
// uninterrupted run; a second run at the same time exits with a clear message; the warehouse stays
// open to queries and to an analyst's session while a long crawl is under way.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Warehouse } from '../../pipelines/warehouse.ts';
import { duplicateKeys, finished, makeTempDir, printed, REPO_ROOT, spawnDuckDbScript } from '../helpers/warehouse.ts';
import { startGovSite, type GovSite } from '../../pipelines/localSite/server.ts';

let site: GovSite;
const temps: { cleanup: () => void }[] = [];

beforeAll(async () => {
  site = await startGovSite({ timeoutPageDelayMs: 2500 });
});

afterAll(async () => {
  await site?.close();
  for (const t of temps) t.cleanup();
});

function dataDir(prefix: string): { dir: string; sources: string; db: string } {
  const tmp = makeTempDir(prefix);
  temps.push(tmp);
  const sources = join(tmp.dir, 'sources.csv');
  writeFileSync(sources, site.registryCsv({ withBadRows: true }));
  return { dir: tmp.dir, sources, db: join(tmp.dir, 'warehouse.duckdb') };
}

function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'pipelines/cli.ts', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

const runArgs = (d: { dir: string; sources: string }, extra: string[] = []) => [
  'run',
  '--data-dir', d.dir,
  '--sources', d.sources,
  '--min-gap', '0.1',
  '--timeout', '1',
  '--retries', '1',
  '--batch-size', '1',
  '--flush-interval', '0.3',
  ...extra,
];

/** Resolve once the site has answered `count` more requests than now. */
async function requestsSeen(count: number, timeoutMs = 60_000): Promise<void> {
  const target = site.requests.length + count;
  const started = Date.now();
  while (site.requests.length < target) {
    if (Date.now() - started > timeoutMs) throw new Error(`only ${site.requests.length} of ${target} requests seen`);
    await sleep(20);
  }
}

/** Every table the run writes, with the columns that differ between any two runs (times, run ids) left out. */
async function warehouseContents(db: string): Promise<Record<string, unknown[]>> {
  const queries: Record<string, string> = {
    reports: 'SELECT * EXCLUDE (extracted_at) FROM reports ORDER BY ALL',
    cells: 'SELECT * FROM cells ORDER BY ALL',
    checks: 'SELECT * FROM checks ORDER BY ALL',
    issues: 'SELECT * FROM issues ORDER BY ALL',
    prose_counts: 'SELECT * FROM prose_counts ORDER BY ALL',
    documents: 'SELECT * EXCLUDE (first_seen_at) FROM documents ORDER BY ALL',
    sources: 'SELECT * EXCLUDE (updated_at) FROM sources ORDER BY ALL',
    run_documents: 'SELECT * EXCLUDE (run_id) FROM run_documents ORDER BY ALL',
    runs: 'SELECT command, status, discovered, fetched, unchanged, extracted, failed, blocked FROM runs ORDER BY ALL',
    fetches: 'SELECT kind, url, final_url, http_status, outcome, document_sha256, etag FROM fetches ORDER BY ALL',
  };
  const warehouse = await Warehouse.open(db, { readOnly: true });
  try {
    const contents: Record<string, unknown[]> = {};
    for (const [table, sql] of Object.entries(queries)) contents[table] = (await warehouse.read(sql)).getRowsJson();
    return contents;
  } finally {
    warehouse.close();
  }
}

describe('kill -9 and resume', () => {
  it('ends with the same warehouse as an uninterrupted run, without duplicates', async () => {
    site.reset();
    const whole = dataDir('uninterrupted');
    const reference = await finished(cli(runArgs(whole)));
    expect(reference.code, reference.stderr).toBe(0);

    site.reset();
    const killed = dataDir('killed');
    // Killed twice, at different depths of the run, then left to finish.
    for (const after of [12, 8]) {
      const child = cli(runArgs(killed));
      const exit = finished(child);
      await requestsSeen(after);
      child.kill('SIGKILL');
      expect((await exit).code).toBe(null);
    }
    const last = await finished(cli(runArgs(killed)));
    expect(last.code, last.stderr).toBe(0);
    // Off a terminal the summary is one JSON object.
    expect(JSON.parse(last.stdout)).toMatchObject({ type: 'run_summary', resumed: true, staleLock: { pid: expect.any(Number) } });

    const [expected, actual] = [await warehouseContents(whole.db), await warehouseContents(killed.db)];
    for (const table of Object.keys(expected)) expect(actual[table], table).toEqual(expected[table]);
    const resumed = await Warehouse.open(killed.db, { readOnly: true });
    try {
      expect(await duplicateKeys(resumed)).toEqual({});
    } finally {
      resumed.close();
    }
    expect(expected.reports.length).toBe(site.expected.reports.length);
    expect(expected.runs).toHaveLength(1);
  }, 150_000);
});

describe('one writer at a time, readers welcome', () => {
  it('refuses a second run, answers queries and waits for an analyst holding the warehouse', async () => {
    site.reset();
    const d = dataDir('concurrent');
    // A slow crawl (1 s between requests: it must outlast a second run and a query, each a CLI start)
    // that writes a batch every 0.3 s.
    const first = cli(runArgs(d, ['--min-gap', '1']));
    const firstExit = finished(first);
    let firstExited = false;
    first.on('exit', () => (firstExited = true));
    await requestsSeen(8);

    const second = await finished(cli(runArgs(d)));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another gov-reports run \(pid \d+ on .+, started .+\) is working on this data directory; wait for it to finish/);

    const query = await finished(cli(['query', '--data-dir', d.dir, '--format', 'csv', 'SELECT count(*) AS n FROM fetches']));
    expect(query.code, query.stderr).toBe(0);
    expect(Number(query.stdout.trim().split('\n').pop())).toBeGreaterThan(0);

    // An analyst opens the file for writing (DuckDB then shuts out everyone else) between two of the
    // run's batches, and keeps it for 2 s.
    const analyst = spawnDuckDbScript(`
      import { DuckDBInstance } from '@duckdb/node-api';
      let db;
      while (!db) db = await DuckDBInstance.create(${JSON.stringify(d.db)}).catch(() => new Promise((r) => setTimeout(r, 20)));
      const connection = await db.connect();
      console.log('held');
      setTimeout(() => { connection.closeSync(); db.closeSync(); }, 2000);`);
    const analystExit = finished(analyst);
    await printed(analyst, 'held');
    expect(firstExited).toBe(false);
    expect((await analystExit).code).toBe(0);

    const run = await firstExit;
    expect(run.code, run.stderr).toBe(0);
    // The run's batches waited for the analyst instead of failing.
    expect(run.stderr).toMatch(/"msg":"warehouse held by another process; the batch waits"/);
    const warehouse = await Warehouse.open(d.db, { readOnly: true });
    try {
      const [status, fetched] = (await warehouse.read('SELECT status, fetched FROM runs')).getRows()[0];
      expect(status).toBe('finished');
      expect(await warehouse.scalarNumber('SELECT count(*) FROM fetches WHERE outcome = \'fetched\'')).toBe(Number(fetched));
    } finally {
      warehouse.close();
    }
  }, 120_000);
});
