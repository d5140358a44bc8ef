// Hostile servers against the crawler's fetcher, the crawl and `extract URL`: decompression bombs (gzip, br,
// deflate), an endless body, a slow drip, redirect loops and redirects off the registry, list-page links to
// link-local, private and other-port addresses. Each ends as a per-request failure with a typed error; nothing
// over the cap is stored; nothing off the registry is requested. (test/slow/hostileNetwork.test.ts repeats the
// bombs at full size with the default budgets and measures time and memory.)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyTooLargeError, FetchDeadlineError } from '../pipelines/errors.ts';
import { DEFAULT_CRAWL_SETTINGS, type CrawlSettings } from '../pipelines/crawl/crawler.ts';
import { DEFAULT_FETCHER_OPTIONS, Fetcher, ROBOTS_TOKEN, type FetcherOptions } from '../pipelines/crawl/fetcher.ts';
import { HostScheduler } from '../pipelines/crawl/hostQueues.ts';
import { createReporter } from '../pipelines/crawl/progress.ts';
import type { FetchEvent } from '../pipelines/crawl/journal.ts';
import { extractInput } from '../pipelines/extractInputs.ts';
import { DocumentExtractor } from '../pipelines/extractPool/extractor.ts';
import { startHostileSite, type HostileSite } from '../pipelines/localSite/hostileSite.ts';
import { runPipeline, type RunSummary } from '../pipelines/run.ts';
import { Warehouse } from '../pipelines/warehouse.ts';
import { makeTempDir } from './helpers/warehouse.ts';

const CAP = 1024 * 1024;
const fetcherOptions: FetcherOptions = { ...DEFAULT_FETCHER_OPTIONS, maxBodyBytes: CAP, timeoutMs: 1000, deadlineMs: 2500, retries: 2, backoffBaseMs: 50 };
const quietReporter = () => createReporter({ tty: false, level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });

let site: HostileSite;
const tmp = makeTempDir('hostile-net');

beforeAll(async () => {
  site = await startHostileSite({ address: '127.0.0.61', bombBytes: 64 * 1024 * 1024, dripIntervalMs: 200 });
});
afterAll(async () => {
  await site?.close();
  tmp.cleanup();
});

function fetcher(options: Partial<FetcherOptions> = {}): Fetcher {
  return new Fetcher({ ...fetcherOptions, ...options }, new HostScheduler({ perHostConcurrency: 1, minGapMs: 0, globalConcurrency: 4 }), async (url) =>
    new URL(url).origin === site.origin ? { ok: true } : { ok: false, outcome: 'disallowed', detail: `${new URL(url).host} is not a host of the sources registry` },
  );
}

describe('the fetcher against a hostile server', () => {
  it.each([
    ['/bomb.gz', 'gzip'],
    ['/bomb.br', 'br'],
    ['/bomb.deflate', 'deflate'],
  ])('%s: decompression stops at the body cap with a typed error, and the body is not kept', async (path, encoding) => {
    const client = fetcher();
    try {
      const result = await client.fetch({ url: `${site.origin}${path}` });
      expect(result.outcome).toBe('failed');
      expect(result.status).toBe(200); // what the server said, kept for the fetch row
      expect(result.body).toBeNull();
      expect(result.error).toBeInstanceOf(BodyTooLargeError);
      expect((result.error as BodyTooLargeError).encoding).toBe(encoding);
      expect(result.detail).toMatch(/exceeds the 1 MB cap once decompressed/);
      expect(result.attempts).toBe(1); // not retried: the same bytes would come back
    } finally {
      await client.close();
    }
  });

  it('an endless body stops at the cap', async () => {
    const client = fetcher();
    try {
      const result = await client.fetch({ url: `${site.origin}/endless` });
      expect(result.outcome).toBe('failed');
      expect(result.error).toBeInstanceOf(BodyTooLargeError);
      expect(result.attempts).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('a slow drip ends at the total deadline of the request, once, with its status', async () => {
    const client = fetcher();
    try {
      const result = await client.fetch({ url: `${site.origin}/drip` });
      expect(result.outcome).toBe('failed');
      expect(result.status).toBe(200);
      expect(result.error).toBeInstanceOf(FetchDeadlineError);
      expect(result.detail).toMatch(/no complete answer within the 3 s budget/);
      expect(result.attempts).toBe(1);
      expect(result.durationMs).toBeGreaterThanOrEqual(2400);
    } finally {
      await client.close();
    }
  });

  it('a redirect loop ends after the redirect limit; a redirect off the registry is never followed', async () => {
    const client = fetcher();
    try {
      const loop = await client.fetch({ url: `${site.origin}/loop/a` });
      expect(loop.outcome).toBe('failed');
      expect(loop.detail).toMatch(/more than 5 redirects/);
      const away = await client.fetch({ url: `${site.origin}/away` });
      expect(away.outcome).toBe('disallowed');
      expect(away.detail).toMatch(/not a host of the sources registry \(redirected from/);
      expect(site.offRegistryHits()).toBe(0);
    } finally {
      await client.close();
    }
  });
});

describe('a crawl of a hostile site', () => {
  let summary: RunSummary;
  let fetches: FetchEvent[];
  const dataDir = join(tmp.dir, 'crawl');
  const dbPath = join(dataDir, 'warehouse.duckdb');

  beforeAll(async () => {
    const sourcesFile = join(tmp.dir, 'sources.csv');
    writeFileSync(sourcesFile, `agency,url\n示例县民政局,${site.origin}/list.html\n示例县炸弹局,${site.origin}/bomb-list.html\n`);
    const settings: CrawlSettings = { ...DEFAULT_CRAWL_SETTINGS, politeness: { perHostConcurrency: 1, minGapMs: 0, globalConcurrency: 4 }, fetcher: fetcherOptions };
    summary = await runPipeline({ command: 'run', sourcesFile, dataDir, dbPath, settings, reporter: quietReporter() });
    fetches = await fetchRows();
  }, 60_000);

  async function fetchRows(): Promise<FetchEvent[]> {
    const warehouse = await Warehouse.open(dbPath, { readOnly: true });
    try {
      const rows = (await warehouse.read('SELECT url, http_status AS status, outcome, detail, document_sha256 AS sha256 FROM fetches')).getRowObjectsJson();
      return rows as unknown as FetchEvent[];
    } finally {
      warehouse.close();
    }
  }

  it('a list page that is a gzip bomb leaves its source failed, recorded with its status, nothing archived', () => {
    const bombSource = summary.sourceProblems.find((s) => s.url?.endsWith('/bomb-list.html'));
    expect(bombSource?.status).toBe('failed');
    expect(bombSource?.detail).toMatch(/exceeds the 1 MB cap once decompressed \(gzip/);
    const row = fetches.find((f) => f.url.endsWith('/bomb-list.html'))!;
    expect(row).toMatchObject({ status: 200, outcome: 'failed', sha256: null });
  });

  it('links to link-local, private, other-port and IPv6 loopback addresses are never requested; the good report loads', async () => {
    expect(site.offRegistryHits()).toBe(0);
    for (const link of site.forbiddenLinks) {
      for (const f of fetches.filter((row) => row.url.startsWith(link))) expect(f.status, f.url).toBeNull();
    }
    expect(site.requests.every((r) => r.userAgent.startsWith(`${ROBOTS_TOKEN}/`))).toBe(true);
    const warehouse = await Warehouse.open(dbPath, { readOnly: true });
    try {
      const reports = (await warehouse.read('SELECT source_url FROM reports WHERE is_report')).getRowsJson().map(([url]) => url);
      expect(reports).toEqual([`${site.origin}/report.html`]);
    } finally {
      warehouse.close();
    }
  });
});

describe('extract of a URL uses the crawler fetcher', () => {
  // The body never reaches extraction here; the pool starts no worker until a job arrives.
  const extractor = new DocumentExtractor({ workers: 1 });
  afterAll(() => extractor.close());

  it('a gzip bomb URL ends at the body cap as a per-input error, with the crawler User-Agent', async () => {
    const before = site.requests.length;
    const { record, document } = await extractInput(`${site.origin}/bomb.gz`, extractor);
    expect(document).toBeNull();
    expect(record.issues[0]).toMatchObject({ code: 'unreadable', severity: 'error' });
    expect(record.issues[0].message).toMatch(/exceeds the 50 MB cap once decompressed \(gzip/);
    expect(site.requests.slice(before).map((r) => r.userAgent)).toEqual([expect.stringMatching(new RegExp(`^${ROBOTS_TOKEN}/`))]);
  });

  it('a refused connection is named as such', async () => {
    const { record } = await extractInput('http://127.0.0.1:1/x', extractor);
    expect(record.issues[0].message).toMatch(/connection refused/);
  });
});
