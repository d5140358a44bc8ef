// Crawl throughput against the local government sites: several hosts, a simulated network latency,
// the politeness of a real crawl (one request at a time per host, a minimum gap). Politeness, not
// the crawler, sets the ceiling: at most one request per host per gap. Prints pages/s beside that
// bound and their ratio, and the smallest gap the servers saw; vitest's own table follows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { RawArchive } from '../../pipelines/crawl/archive.ts';
import { Crawler, DEFAULT_CRAWL_SETTINGS } from '../../pipelines/crawl/crawler.ts';
import { CrawlJournal } from '../../pipelines/crawl/journal.ts';
import { parseCsvRegistry } from '../../pipelines/crawl/registry.ts';
import { startGovSite } from '../../pipelines/localSite/server.ts';

const EXTRA_HOSTS = 4;
const LATENCY_MS = 40;
const MIN_GAP_MS = 200;

async function crawlOnce(): Promise<void> {
  const site = await startGovSite({ hostile: false, latencyMs: LATENCY_MS, extraTrsHosts: EXTRA_HOSTS });
  const dir = mkdtempSync(join(tmpdir(), 'gov-reports-crawl-bench-'));
  try {
    // The TRS host, its copies and the Hanweb host: the hostile and dead hosts are left out.
    const registry = parseCsvRegistry(site.registryCsv({ extraHosts: true }));
    const sources = registry.sources.filter((s) => s.url !== site.sources.guarded && s.url !== site.sources.dead);
    const hosts = new Set(sources.map((s) => new URL(s.url!).host)).size;
    const journal = CrawlJournal.open(dir);
    const runId = 'bench';
    journal.append({ type: 'run_start', runId, command: 'crawl', startedAt: new Date().toISOString(), registryErrors: [] });
    const crawler = new Crawler({
      runId,
      journal,
      archive: new RawArchive(dir),
      settings: { ...DEFAULT_CRAWL_SETTINGS, politeness: { perHostConcurrency: 1, minGapMs: MIN_GAP_MS, globalConcurrency: 8 } },
    });
    const started = performance.now();
    await crawler.crawl(sources);
    const seconds = (performance.now() - started) / 1000;
    await crawler.close();

    const pages = site.requests.length;
    const rate = pages / seconds;
    const bound = hosts / (MIN_GAP_MS / 1000);
    const withLatency = hosts / ((MIN_GAP_MS + LATENCY_MS) / 1000);
    let smallestGap = Infinity;
    for (const host of new Set(site.requests.map((r) => r.host))) {
      const times = site.requests.filter((r) => r.host === host).map((r) => r.at).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) smallestGap = Math.min(smallestGap, times[i] - times[i - 1]);
    }
    console.log(
      `crawl: ${pages} pages from ${hosts} hosts in ${seconds.toFixed(2)} s = ${rate.toFixed(1)} pages/s; ` +
        `politeness bound = ${bound.toFixed(1)} pages/s (${hosts} hosts / ${MIN_GAP_MS} ms gap); ratio ${(rate / bound).toFixed(2)} ` +
        `(bound counting the ${LATENCY_MS} ms latency of each answer: ${withLatency.toFixed(1)} pages/s, ratio ${(rate / withLatency).toFixed(2)}); ` +
        `smallest gap seen by a server ${smallestGap.toFixed(0)} ms`,
    );
  } finally {
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('crawl throughput', () => {
  bench(`${EXTRA_HOSTS + 2} hosts, ${LATENCY_MS} ms latency, ${MIN_GAP_MS} ms gap`, crawlOnce, { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 });
});
