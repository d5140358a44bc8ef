// A registry of 10,000 sources on one local host, crawled under `ulimit -n 1024` (the common default): the
// crawl must run to the end with every source ok. Before the file slots of the archive and the bound on
// sources in flight, about two files per source were open at once and the run died with EMFILE (and
// DuckDB aborted). Prints the wall time, peak RSS and requests. Needs bash (for ulimit); about 5 minutes
// on 2 busy cores.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { finished, makeTempDir, REPO_ROOT } from '../helpers/warehouse.ts';

const SOURCES = 10_000;
const ADDRESS = '127.0.0.63';
const tmp = makeTempDir('many-sources');
const server = createServer((req, res) => {
  const match = /^\/s(\d+)\/(index|t20240101_1)\.html$/.exec(req.url ?? '');
  if (!match) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  const title = `示例${match[1]}局2023年政府信息公开工作年度报告`;
  res.end(
    match[2] === 'index'
      ? `<html><body><ul><li><a href="./t20240101_1.html" title="${title}">${title}</a><span>2024-01-01</span></li></ul></body></html>`
      : `<html><head><title>${title}</title></head><body><h1>${title}</h1><p>一、总体情况</p></body></html>`,
  );
});

beforeAll(async () => {
  server.listen(0, ADDRESS);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const rows = ['agency,url', ...Array.from({ length: SOURCES }, (_, i) => `示例${i}局,http://${ADDRESS}:${port}/s${i}/index.html`)];
  writeFileSync(join(tmp.dir, 'sources.csv'), `${rows.join('\n')}\n`);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  tmp.cleanup();
});

it(`crawls ${SOURCES} sources on one host to the end with at most 1,024 open files`, async () => {
  const cli = `'${process.execPath}' --import tsx pipelines/cli.ts crawl --json --sources '${join(tmp.dir, 'sources.csv')}' --data-dir '${join(tmp.dir, 'data')}' --min-gap 0 --retries 0`;
  const started = Date.now();
  // GNU time reports the peak RSS when it is installed; the test does not depend on it.
  const script = `ulimit -n 1024 && if [ -x /usr/bin/time ]; then /usr/bin/time -f 'peak_rss_kb=%M' ${cli}; else ${cli}; fi`;
  const { code, stdout, stderr } = await finished(spawn('bash', ['-c', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { counts: { discovered: number; fetched: number; failed: number }; sourceProblems: unknown[] };
  const peakKb = Number(/peak_rss_kb=(\d+)/.exec(stderr)?.[1]);
  console.log(`${SOURCES} sources: ${((Date.now() - started) / 1000).toFixed(0)} s, peak RSS ${Number.isNaN(peakKb) ? 'n/a' : `${Math.round(peakKb / 1024)} MB`}, ${summary.counts.fetched} requests fetched`);
  expect(stderr).not.toMatch(/EMFILE|unexpected error/);
  expect(code).toBe(0);
  expect(summary.sourceProblems).toEqual([]);
  expect(summary.counts).toMatchObject({ discovered: SOURCES, fetched: 2 * SOURCES, failed: 0 });
}, 1_800_000);
