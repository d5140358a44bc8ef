// The crawler's policies in isolation: robots.txt answers, Retry-After, challenge pages, per-host
// gaps and the global cap, the single-writer lock, and the journal surviving a torn write.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { challengeOf, parseRetryAfter } from '../pipelines/crawl/fetcher.ts';
import { HostScheduler } from '../pipelines/crawl/hostQueues.ts';
import { CrawlJournal } from '../pipelines/crawl/journal.ts';
import { appendJsonLines, readJsonLines, replaceWithJsonLines } from '../pipelines/crawl/jsonLines.ts';
import { RobotsPolicy, rulesFromFetch } from '../pipelines/crawl/robots.ts';
import { acquireRunLock, LOCK_FILE, RunLockedError } from '../pipelines/lock.ts';
import { testTempDir } from './helpers/warehouse.ts';

const ROBOTS = 'http://www.example.gov.cn/robots.txt';
const answer = (outcome: 'fetched' | 'failed' | 'blocked', status: number | null, detail: string | null = null) => ({ outcome, status, detail });

describe('robots.txt policy', () => {
  it('applies the rules of a 2xx robots.txt to our token, with its Crawl-delay', async () => {
    const text = 'User-agent: Baiduspider\nAllow: /\n\nUser-agent: *\nDisallow: /private/\nCrawl-delay: 5\n';
    const rules = rulesFromFetch(ROBOTS, answer('fetched', 200), text, null);
    const delays: number[] = [];
    const policy = new RobotsPolicy(async () => rules, (_host, ms) => delays.push(ms));
    expect(await policy.verdict('http://www.example.gov.cn/zwgk/nb/index.html')).toEqual({ ok: true });
    expect(await policy.verdict('http://www.example.gov.cn/private/a.html')).toMatchObject({ ok: false, outcome: 'disallowed' });
    expect(delays).toEqual([5000]);
  });

  it('treats a missing robots.txt (404) as allow-all and a 403 as a refusal of the host', () => {
    expect(rulesFromFetch(ROBOTS, answer('failed', 404, 'HTTP 404'), null, null).kind).toBe('allow-all');
    const refused = rulesFromFetch(ROBOTS, answer('blocked', 403, 'HTTP 403: the server refuses this client'), null, null);
    expect(refused).toMatchObject({ kind: 'deny-all', outcome: 'blocked', detail: expect.stringMatching(/robots\.txt answered HTTP 403: permission cannot be established/) });
    expect(rulesFromFetch(ROBOTS, answer('blocked', 412, 'HTTP 412: anti-bot'), null, null)).toMatchObject({ kind: 'deny-all', outcome: 'blocked' });
  });

  it('assumes complete disallow when robots.txt is unreachable, unless an earlier copy is stored', () => {
    const down = answer('failed', 503, 'HTTP 503 (4 attempts)');
    expect(rulesFromFetch(ROBOTS, down, null, null)).toMatchObject({ kind: 'deny-all', outcome: 'failed', detail: expect.stringMatching(/unreachable \(HTTP 503 \(4 attempts\)\).*assume complete disallow/) });
    expect(rulesFromFetch(ROBOTS, answer('failed', null, 'connection refused (ECONNREFUSED)'), null, null).kind).toBe('deny-all');
    const stored = rulesFromFetch(ROBOTS, down, null, 'User-agent: *\nDisallow: /x/\n');
    expect(stored).toMatchObject({ kind: 'rules', detail: expect.stringMatching(/copy stored by an earlier run/) });
  });
});

describe('answers that are not content', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(30_000);
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });

  it('recognises 412 and JavaScript challenge pages, not ordinary pages that mention scripts', () => {
    const ts = Buffer.from('<html><head><meta id="x" content="y" r="m"><script>$_ts=window[\'$_ts\'];if(!$_ts)$_ts={};</script></head></html>');
    expect(challengeOf(412, ts)).toMatch(/^HTTP 412: anti-bot JavaScript challenge \(瑞数 \$_ts script\)/);
    expect(challengeOf(202, ts)).toMatch(/^HTTP 202 with a JavaScript challenge page/);
    expect(challengeOf(200, Buffer.from('<html><body><p>请开启JavaScript并刷新该页</p></body></html>'))).toMatch(/请开启JavaScript/);
    expect(challengeOf(200, Buffer.from('<html><body><script>var att = 1;</script><p>2023年政府信息公开工作年度报告</p></body></html>'))).toBeNull();
    expect(challengeOf(404, Buffer.from('not found'))).toBeNull();
  });
});

describe('host scheduler', () => {
  it('keeps the gap after each response on a host, runs hosts side by side, and caps requests in flight', async () => {
    const scheduler = new HostScheduler({ perHostConcurrency: 1, minGapMs: 60, globalConcurrency: 2 });
    const spans: Record<string, [number, number][]> = { a: [], b: [], c: [] };
    let inFlight = 0;
    let maxInFlight = 0;
    const request = (host: string) => async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const start = performance.now();
      await sleep(15);
      inFlight--;
      spans[host].push([start, performance.now()]);
    };
    const started = performance.now();
    await Promise.all(['a', 'b', 'c'].flatMap((host) => Array.from({ length: 4 }, () => scheduler.schedule(host, request(host)))));
    const elapsed = performance.now() - started;
    for (const host of ['a', 'b', 'c']) {
      const s = spans[host];
      for (let i = 1; i < s.length; i++) expect(s[i][0] - s[i - 1][1], `${host} ${i}`).toBeGreaterThanOrEqual(59);
    }
    expect(maxInFlight).toBe(2);
    // Three hosts share the waiting: far less than 12 requests one after another with gaps.
    expect(elapsed).toBeLessThan(12 * 75);
  });

  it('holds a host paused by Retry-After', async () => {
    const scheduler = new HostScheduler({ perHostConcurrency: 1, minGapMs: 0, globalConcurrency: 4 });
    const until = Date.now() + 150;
    scheduler.pauseHost('a', until);
    let at = 0;
    await scheduler.schedule('a', async () => {
      at = Date.now();
    });
    expect(at).toBeGreaterThanOrEqual(until);
  });
});

describe('single-writer lock', () => {
  it('refuses a second writer with the owner in the message, and takes over a lock whose process is gone', () => {
    const dir = testTempDir('lock');
    const lock = acquireRunLock(dir, 'run');
    try {
      // The same process is not "another run", so pretend to be a live stranger: pid 1 is always alive.
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: hostname(), command: 'run', startedAt: '2026-01-01T02:00:00.000Z' }));
      expect(() => acquireRunLock(dir, 'crawl')).toThrow(RunLockedError);
      expect(() => acquireRunLock(dir, 'crawl')).toThrow(/another gov-reports run \(pid 1 on .*, started 2026-01-01T02:00:00.000Z\) is working on this data directory/);
    } finally {
      lock.release();
    }
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: dead, host: hostname(), command: 'run', startedAt: '2026-01-01T02:00:00.000Z' }));
    const taken = acquireRunLock(dir, 'run');
    expect(taken.tookOverStale).toMatchObject({ pid: dead });
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    taken.release();
  });
});

describe('crawl journal', () => {
  it('replays its events and drops the torn tail of a killed write', () => {
    const dir = testTempDir('journal');
    const journal = CrawlJournal.open(dir);
    journal.append({ type: 'run_start', runId: 'r1', command: 'run', startedAt: '2026-01-01T00:00:00.000Z', registryErrors: [] });
    journal.append({ type: 'report', runId: 'r1', sourceId: 's1', url: 'http://a.gov.cn/1.html', title: 't', listDate: null });
    appendFileSync(join(dir, 'crawl', 'journal.jsonl'), '{"type":"report","runId":"r1","sourceId":"s1","url":"http://a.gov');
    const reopened = CrawlJournal.open(dir);
    expect(reopened.unfinishedRun()).toMatchObject({ runId: 'r1', command: 'run' });
    expect([...reopened.runLedger('r1').reports.keys()]).toEqual(['http://a.gov.cn/1.html']);
    expect(readFileSync(join(dir, 'crawl', 'journal.jsonl'), 'utf8').endsWith('}\n')).toBe(true);
    // Appending after the repair continues the sequence.
    expect(reopened.append({ type: 'run_end', runId: 'r1', status: 'finished', finishedAt: '2026-01-01T00:01:00.000Z', detail: null }).seq).toBe(3);
    expect(CrawlJournal.open(dir).unfinishedRun()).toBeNull();
  });

  it('folds a finished run into state.jsonl, one entry a line, and reads an older state.json once', () => {
    const dir = testTempDir('journal');
    const crawlDir = join(dir, 'crawl');
    const journal = CrawlJournal.open(dir);
    journal.append({ type: 'run_start', runId: 'r1', command: 'crawl', startedAt: '2026-01-01T00:00:00.000Z', registryErrors: [] });
    const documents = [{ url: 'http://a.gov.cn/1.html', role: 'page' as const, sha256: 'a'.repeat(64), contentType: 'text/html' }];
    journal.append({ type: 'bundle', runId: 'r1', sourceId: 's1', agency: '某某区人民政府', url: 'http://a.gov.cn/1.html', title: '2025年报告', listDate: null, publishDate: null, publishDateSource: null, documents });
    journal.append({ type: 'document', runId: 'r1', url: 'http://a.gov.cn/1.html', sha256: 'a'.repeat(64), reportId: 'a'.repeat(16), outcome: 'extracted', detail: null, extractorVersion: 'v1', isReport: true });
    journal.append({ type: 'run_end', runId: 'r1', status: 'finished', finishedAt: '2026-01-01T00:01:00.000Z', detail: null });
    journal.markSynced(journal.pending());
    journal.compact();
    const lines = readFileSync(join(crawlDir, 'state.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ version: 2, seq: 5 });
    expect(lines.slice(1).map((line: unknown[]) => line.slice(0, 2))).toEqual([
      ['extractions', 'a'.repeat(64)],
      ['bundles', 'http://a.gov.cn/1.html'],
    ]);
    const reopened = CrawlJournal.open(dir);
    expect(reopened.bundles().map((b) => b.agency)).toEqual(['某某区人民政府']);
    expect(reopened.extraction('a'.repeat(64))).toMatchObject({ extractorVersion: 'v1', isReport: true });
    expect(reopened.lastSeq()).toBe(5);

    // A data directory from a version that wrote state.json: read as it is, replaced at the next compaction.
    const legacy = testTempDir('journal');
    const snapshot = { version: 1, seq: 5, syncedSeq: 5, urls: {}, extractions: {}, sources: {}, bundles: { 'http://a.gov.cn/1.html': { ...lines[2][2] } }, lastRun: null };
    CrawlJournal.open(legacy);
    writeFileSync(join(legacy, 'crawl', 'state.json'), JSON.stringify(snapshot));
    const old = CrawlJournal.open(legacy);
    expect(old.bundles().map((b) => b.url)).toEqual(['http://a.gov.cn/1.html']);
    old.compact();
    expect(existsSync(join(legacy, 'crawl', 'state.json'))).toBe(false);
    expect(CrawlJournal.open(legacy).bundles().map((b) => b.url)).toEqual(['http://a.gov.cn/1.html']);
  });

  it('says what to do with a damaged state.jsonl instead of starting from nothing', () => {
    const dir = testTempDir('journal');
    CrawlJournal.open(dir);
    writeFileSync(join(dir, 'crawl', 'state.jsonl'), '{"version":2,"seq":1,"syncedSeq":1,"lastRun":null}\n["bundles","http://a.gov.cn/1.html",{"url":\n');
    expect(() => CrawlJournal.open(dir)).toThrow(/state\.jsonl is damaged.*move it away/);
  });
});

describe('JSON Lines files', () => {
  it('reads lines across chunk boundaries, whole characters included, and skips a torn tail', () => {
    const dir = testTempDir('jsonl');
    const file = join(dir, 'big.jsonl');
    // ~9 MB of lines of Chinese text (3 bytes a character): chunk boundaries fall inside characters and lines.
    const values = Array.from({ length: 3000 }, (_, i) => ({ i, text: '政府信息公开工作年度报告'.repeat(80 + (i % 7)) }));
    replaceWithJsonLines(file, values);
    appendFileSync(file, '{"i":3000,"text":"torn');
    const skipped: string[] = [];
    const read = [...readJsonLines<{ i: number; text: string }>(file, (line) => skipped.push(line))];
    expect(read).toEqual(values);
    expect(skipped).toEqual(['{"i":3000,"text":"torn']);
    // An append after the torn tail starts a line of its own: nothing appended is lost.
    appendJsonLines(file, [{ i: 3001, text: '' }]);
    expect([...readJsonLines<{ i: number }>(file)].map((v) => v.i).slice(-2)).toEqual([2999, 3001]);
  });
});
