// Hostile servers at full size, with the default budgets (50 MB body cap, 30 s stall timeout, 180 s request
// deadline shortened here to 6 s for the drip): 1 GB decompression bombs in gzip, br and deflate, an endless
// body, a slow drip. Each must end as a failed fetch with a typed error; the time and the peak memory
// (RSS, sampled every 20 ms) of each are printed as a table, the figures for docs/crawling.md. Needs nothing
// beyond Node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyTooLargeError, FetchDeadlineError } from '../../pipelines/errors.ts';
import { DEFAULT_FETCHER_OPTIONS, Fetcher } from '../../pipelines/crawl/fetcher.ts';
import { HostScheduler } from '../../pipelines/crawl/hostQueues.ts';
import { startHostileSite, type HostileSite } from '../../pipelines/localSite/hostileSite.ts';

let site: HostileSite;
const table: string[] = [];

beforeAll(async () => {
  site = await startHostileSite({ address: '127.0.0.62', bombBytes: 1024 ** 3, dripIntervalMs: 1000 });
});
afterAll(async () => {
  await site?.close();
  console.log(['input | outcome | time | peak RSS', ...table].join('\n'));
});

async function measured<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; peakMb: number }> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  try {
    const value = await work();
    return { value, ms: performance.now() - started, peakMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024) };
  } finally {
    clearInterval(timer);
  }
}

describe('full-size hostile responses with the default budgets', () => {
  it.each([
    ['/bomb.gz', 'gzip bomb, 1 GB of zeros', BodyTooLargeError],
    ['/bomb.br', 'br bomb, 1 GB of zeros', BodyTooLargeError],
    ['/bomb.deflate', 'deflate bomb, 1 GB of zeros', BodyTooLargeError],
    ['/endless', 'endless body (no Content-Length)', BodyTooLargeError],
    ['/drip', 'slow drip, 1 byte/s (deadline 6 s)', FetchDeadlineError],
  ])('%s', async (path, label, errorClass) => {
    const fetcher = new Fetcher({ ...DEFAULT_FETCHER_OPTIONS, deadlineMs: 6000 }, new HostScheduler(), async () => ({ ok: true }));
    try {
      const { value: result, ms, peakMb } = await measured(() => fetcher.fetch({ url: `${site.origin}${path}` }));
      expect(result.outcome).toBe('failed');
      expect(result.body).toBeNull();
      expect(result.error).toBeInstanceOf(errorClass);
      expect(result.attempts).toBe(1);
      const size = path.startsWith('/bomb') ? ` (${Math.round(site.bombSizes[path.endsWith('gz') ? 'gzip' : path.endsWith('br') ? 'br' : 'deflate'] / 1024)} KB sent)` : '';
      table.push(`${label}${size} | failed: ${result.detail} | ${(ms / 1000).toFixed(2)} s | ${peakMb} MB`);
    } finally {
      await fetcher.close();
    }
  });
});
