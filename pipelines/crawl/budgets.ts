// Every budget and politeness default of the crawler in one place, apart from the code that uses them so
// that the command line can show them in --help without loading the HTTP client or the extractors.
// docs/crawling.md explains them; each is a flag of `crawl`/`run`/`schedule` and a setting (settings.ts).

/** The product token robots.txt groups are matched against. */
export const ROBOTS_TOKEN = 'gov-reports';

/** An honest User-Agent: who we are, that we are a crawler, and (when configured) how to reach the operator. */
export function userAgentFor(contact?: string | null): string {
  // HTTP header values are Latin-1: the wording stays ASCII.
  return `${ROBOTS_TOKEN}/0.1 (crawler for government annual-report research; honours robots.txt${contact ? `; contact: ${contact}` : ''})`;
}

export interface FetcherOptions {
  userAgent: string;
  /** Per attempt: the longest wait for the response headers and between two chunks of the body (default 30 s). */
  timeoutMs: number;
  /**
   * Total time one request may spend on the wire, all attempts and redirect hops together (default
   * 180 s: a 50 MB file at 300 KB/s). A slow-drip body that never stalls long enough for `timeoutMs`
   * ends here, and holds its host for at most this long. Waits in the host queue and backoff are not counted.
   */
  deadlineMs: number;
  /** Larger bodies are abandoned, counted after decompression (default 50 MB). */
  maxBodyBytes: number;
  /** Retries after the first attempt on retryable failures (default 3). */
  retries: number;
  /** First backoff delay; doubles per attempt, with jitter (default 2 s). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A Retry-After longer than this ends the fetch as failed instead of waiting (default 5 min). */
  maxRetryAfterMs: number;
  maxRedirects: number;
}

export const DEFAULT_FETCHER_OPTIONS: FetcherOptions = {
  userAgent: userAgentFor(),
  timeoutMs: 30_000,
  deadlineMs: 180_000,
  maxBodyBytes: 50 * 1024 * 1024,
  retries: 3,
  backoffBaseMs: 2_000,
  backoffMaxMs: 60_000,
  maxRetryAfterMs: 300_000,
  maxRedirects: 5,
};

export interface PolitenessOptions {
  /** Requests in flight per host (default 1). */
  perHostConcurrency: number;
  /** Minimum gap between requests to one host, in ms (default 1000). */
  minGapMs: number;
  /** Requests in flight across all hosts (default 8). */
  globalConcurrency: number;
}

export const DEFAULT_POLITENESS: PolitenessOptions = { perHostConcurrency: 1, minGapMs: 1000, globalConcurrency: 8 };

export interface CrawlSettings {
  politeness: PolitenessOptions;
  fetcher: FetcherOptions;
  /** List pages (pagination, sub-columns, Hanweb groups) read per source at most. */
  maxListPages: number;
  /**
   * Sources crawled at once. Bounds what a huge registry holds open (sockets, pending bodies); the
   * per-host queues, not this, decide the request rate.
   */
  sourcesInFlight?: number;
}

export const DEFAULT_CRAWL_SETTINGS: CrawlSettings = {
  politeness: DEFAULT_POLITENESS,
  fetcher: DEFAULT_FETCHER_OPTIONS,
  maxListPages: 200,
};

export const DEFAULT_SOURCES_IN_FLIGHT = 64;

