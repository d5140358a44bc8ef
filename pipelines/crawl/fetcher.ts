// One polite HTTP client for the crawler and for `extract`/`load` of URLs (undici): honest User-Agent,
// timeouts, a body size cap counted after decompression, a total time budget per request, redirects
// followed only where the crawl may go, retries with exponential backoff and jitter on network errors,
// 429 and 5xx (honouring Retry-After), none on 404/410, and anti-bot challenges (HTTP 412 瑞数 pages,
// `$_ts`, 加速乐, WZWS) reported as `blocked`. Every hop goes through the host scheduler, so retries
// and redirects obey the same per-host gap as first requests.
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw, type Gunzip } from 'node:zlib';
import { Agent, request, type Dispatcher } from 'undici';
import { BodyTooLargeError, FetchDeadlineError, formatBytes, type PipelineError } from '../errors.ts';
import type { FetcherOptions } from './budgets.ts';
import type { HostScheduler } from './hostQueues.ts';

export { DEFAULT_FETCHER_OPTIONS, ROBOTS_TOKEN, userAgentFor, type FetcherOptions } from './budgets.ts';

export type FetchOutcome = 'fetched' | 'not_modified' | 'failed' | 'blocked' | 'disallowed';

export interface FetchRequest {
  url: string;
  method?: 'GET' | 'POST';
  /** Form body for POST (Hanweb dataproxy). */
  body?: string;
  referer?: string;
  /** Validators of the stored copy: turn a GET into a conditional request. */
  etag?: string | null;
  lastModified?: string | null;
  /** Higher runs first within a host's queue. */
  priority?: number;
}

export interface FetchResult {
  url: string;
  finalUrl: string;
  method: 'GET' | 'POST';
  status: number | null;
  outcome: FetchOutcome;
  /** Why it failed or was blocked, in words ("HTTP 404", "timed out after 30 s (3 attempts)"). */
  detail: string | null;
  /** The typed error behind a failure that is the server's doing (body over the cap, deadline), when there is one. */
  error: PipelineError | null;
  headers: Record<string, string>;
  /** The (decompressed) body of a 2xx response; null otherwise. */
  body: Buffer | null;
  contentType: string | null;
  etag: string | null;
  lastModified: string | null;
  fetchedAt: string;
  durationMs: number;
  attempts: number;
}

/** May the crawler request this URL? Checked for the first request and for every redirect target. */
export type Permit = (url: string, request: FetchRequest) => Promise<{ ok: true } | { ok: false; outcome: 'disallowed' | 'blocked' | 'failed'; detail: string }>;

type Attempt =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer }
  | { kind: 'error'; retryable: boolean; detail: string; status?: number; headers?: Record<string, string>; error?: PipelineError };

const REDIRECT = new Set([301, 302, 303, 307, 308]);
const RETRYABLE_NETWORK = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|UND_ERR_(SOCKET|CONNECT_TIMEOUT|HEADERS_TIMEOUT|BODY_TIMEOUT|CLOSED)|timed out|aborted|other side closed/i;

export class Fetcher {
  private readonly dispatcher: Dispatcher;

  constructor(
    private readonly options: FetcherOptions,
    private readonly scheduler: HostScheduler,
    private readonly permit: Permit,
  ) {
    this.dispatcher = new Agent({ connect: { timeout: options.timeoutMs }, keepAliveTimeout: 10_000, connections: 4 });
  }

  async fetch(req: FetchRequest): Promise<FetchResult> {
    const started = Date.now();
    let url = req.url;
    let method: 'GET' | 'POST' = req.method ?? 'GET';
    let body = req.body;
    let attempts = 0;
    let hopAttempts = 0;
    let redirects = 0;
    let spentMs = 0;
    const result = (partial: Partial<FetchResult> & Pick<FetchResult, 'outcome'>): FetchResult => ({
      url: req.url,
      finalUrl: url,
      method: req.method ?? 'GET',
      status: null,
      detail: null,
      error: null,
      headers: {},
      body: null,
      contentType: null,
      etag: null,
      lastModified: null,
      fetchedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      attempts,
      ...partial,
    });

    for (;;) {
      const allowed = await this.permit(url, req);
      if (!allowed.ok) {
        const via = url === req.url ? '' : ` (redirected from ${req.url})`;
        return result({ outcome: allowed.outcome, detail: `${allowed.detail}${via}` });
      }
      attempts++;
      hopAttempts++;
      const host = new URL(url).host;
      const headers: Record<string, string> = {
        'user-agent': this.options.userAgent,
        accept: method === 'POST' ? 'text/xml,application/xml,text/html;q=0.9,*/*;q=0.5' : 'text/html,application/xhtml+xml,application/pdf,*/*;q=0.8',
        'accept-language': 'zh-CN,zh;q=0.9',
        'accept-encoding': 'gzip, deflate, br',
      };
      if (req.referer) headers.referer = req.referer;
      // The validators are those of the final representation: sent on every hop, so a download
      // endpoint that redirects (downfile.jsp → /attach/…) is still asked conditionally where it lands.
      if (method === 'GET') {
        if (req.etag) headers['if-none-match'] = req.etag;
        if (req.lastModified) headers['if-modified-since'] = req.lastModified;
      }
      if (method === 'POST') headers['content-type'] = 'application/x-www-form-urlencoded; charset=UTF-8';

      const remainingMs = this.options.deadlineMs - spentMs;
      if (remainingMs <= 0) {
        const error = new FetchDeadlineError(this.options.deadlineMs, null, req.url);
        return result({ outcome: 'failed', detail: `${error.message} (${attempts - 1} attempts)`, error });
      }
      const attempt = await this.scheduler.schedule(
        host,
        async () => {
          const began = Date.now();
          try {
            return await this.once(url, method, headers, body, remainingMs);
          } finally {
            spentMs += Date.now() - began;
          }
        },
        (req.priority ?? 0) + (hopAttempts > 1 ? 10 : 0),
      );
      const retriesLeft = hopAttempts <= this.options.retries && spentMs < this.options.deadlineMs;

      if (attempt.kind === 'error') {
        const { status = null, headers: errorHeaders = {}, error = null } = attempt;
        if (attempt.retryable && retriesLeft) {
          this.backoff(host, hopAttempts, null);
          continue;
        }
        return result({ outcome: 'failed', status, headers: errorHeaders, contentType: errorHeaders['content-type'] ?? null, error, detail: `${attempt.detail}${hopAttempts > 1 ? ` (${hopAttempts} attempts)` : ''}` });
      }

      const { status, headers: responseHeaders, body: responseBody } = attempt;
      const meta = {
        status,
        headers: responseHeaders,
        contentType: responseHeaders['content-type'] ?? null,
        etag: responseHeaders.etag ?? null,
        lastModified: responseHeaders['last-modified'] ?? null,
      };
      const location = responseHeaders.location;
      if (REDIRECT.has(status) && location) {
        if (++redirects > this.options.maxRedirects) return result({ ...meta, outcome: 'failed', detail: `more than ${this.options.maxRedirects} redirects` });
        let next: string;
        try {
          next = new URL(location, url).toString();
        } catch {
          return result({ ...meta, outcome: 'failed', detail: `HTTP ${status} to an invalid Location: ${location}` });
        }
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        hopAttempts = 0;
        continue;
      }
      if (status === 304) return result({ ...meta, outcome: 'not_modified' });

      const challenge = challengeOf(status, responseBody);
      if (challenge) return result({ ...meta, outcome: 'blocked', detail: challenge });
      if (status >= 200 && status < 300) return result({ ...meta, outcome: 'fetched', body: responseBody });
      if (status === 401 || status === 403) return result({ ...meta, outcome: 'blocked', detail: `HTTP ${status}: the server refuses this client (not retried)` });
      if (status === 429 || status >= 500) {
        const retryAfterMs = parseRetryAfter(responseHeaders['retry-after']);
        if (retryAfterMs !== null && retryAfterMs > this.options.maxRetryAfterMs) {
          return result({ ...meta, outcome: 'failed', detail: `HTTP ${status} with Retry-After ${Math.round(retryAfterMs / 1000)} s, longer than the ${Math.round(this.options.maxRetryAfterMs / 1000)} s we wait` });
        }
        if (retriesLeft) {
          this.backoff(host, hopAttempts, retryAfterMs);
          continue;
        }
        return result({ ...meta, outcome: 'failed', detail: `HTTP ${status} (${hopAttempts} attempts)` });
      }
      const gone = status === 404 || status === 410 ? ' (gone: not retried)' : '';
      return result({ ...meta, outcome: 'failed', detail: `HTTP ${status}${gone}` });
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** Hold the host for Retry-After, or for base·2^(n−1) with ±50 % jitter, capped. */
  private backoff(host: string, attempt: number, retryAfterMs: number | null): void {
    const exponential = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** (attempt - 1));
    const jittered = exponential * (0.5 + Math.random());
    this.scheduler.pauseHost(host, Date.now() + Math.max(retryAfterMs ?? 0, Math.round(jittered)));
  }

  private async once(url: string, method: 'GET' | 'POST', headers: Record<string, string>, body: string | undefined, budgetMs: number): Promise<Attempt> {
    const signal = AbortSignal.timeout(budgetMs);
    let received: { status: number; headers: Record<string, string> } | null = null;
    try {
      const response = await request(url, {
        method,
        headers,
        body,
        dispatcher: this.dispatcher,
        signal,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      received = { status: response.statusCode, headers: flattenHeaders(response.headers) };
      const declared = Number(received.headers['content-length'] ?? NaN);
      if (declared > this.options.maxBodyBytes) {
        response.body.destroy();
        const error = new BodyTooLargeError(this.options.maxBodyBytes, null, url);
        return { kind: 'error', retryable: false, ...received, error, detail: `declared body of ${formatBytes(declared)}: ${error.message}` };
      }
      const responseBody = await readBody(response.body, received.headers['content-encoding'], this.options.maxBodyBytes, url);
      return { kind: 'response', ...received, body: responseBody };
    } catch (error) {
      if (error instanceof BodyTooLargeError) return { kind: 'error', retryable: false, ...received, error, detail: error.message };
      const e = error as Error & { code?: string; cause?: { code?: string } };
      const code = e.code ?? e.cause?.code ?? '';
      if (signal.aborted || e.name === 'TimeoutError') {
        // The budget is spent: retrying would hold the host again for nothing.
        const deadline = new FetchDeadlineError(this.options.deadlineMs, received?.status ?? null, url);
        return { kind: 'error', retryable: false, ...received, error: deadline, detail: deadline.message };
      }
      if (/TIMEOUT/.test(code)) {
        const what = /BODY/.test(code) ? 'the body stalled for' : /CONNECT/.test(code) ? 'no connection within' : 'no answer within';
        return { kind: 'error', retryable: true, ...received, detail: `timed out: ${what} ${this.options.timeoutMs / 1000} s` };
      }
      if (code === 'ENOTFOUND') return { kind: 'error', retryable: false, detail: `host not found (DNS ENOTFOUND ${new URL(url).hostname})` };
      if (/CERT|SSL|TLS|EPROTO/i.test(`${code} ${e.message}`)) return { kind: 'error', retryable: false, detail: `TLS error: ${code || e.message}` };
      if (code.startsWith('Z_') || e.name === 'BodyDecodeError') return { kind: 'error', retryable: true, ...received, detail: `the ${received?.headers['content-encoding'] ?? 'compressed'} body is corrupt: ${e.message}` };
      const detail = code === 'ECONNREFUSED' ? 'connection refused (ECONNREFUSED)' : `network error: ${code || e.message}`;
      return { kind: 'error', retryable: RETRYABLE_NETWORK.test(`${code} ${e.message}`), ...received, detail };
    }
  }
}

/**
 * The body as it arrives, decompressed as a stream (gzip, x-gzip, deflate or raw deflate, br; also
 * gzip sent without a Content-Encoding), stopping with a BodyTooLargeError as soon as the compressed or
 * the decompressed bytes pass `cap`. A body labelled compressed that does not even start like one is
 * kept as sent (servers mislabel); one that breaks off midway is an error.
 */
export async function readBody(body: Readable, contentEncoding: string | undefined, cap: number, url?: string): Promise<Buffer> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  const take = (chunk: Buffer, decodedFrom: string | null) => {
    size += chunk.length;
    if (size > cap) throw new BodyTooLargeError(cap, decodedFrom, url);
    chunks.push(chunk);
  };
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done) return Buffer.alloc(0);
  const head: Buffer = first.value;
  const decoder = decoderFor(encoding, head);
  if (!decoder) {
    try {
      take(head, null);
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) take(next.value, null);
    } catch (error) {
      body.destroy(); // hang up: an unread body would keep the connection (and the host) busy
      throw error;
    }
    return Buffer.concat(chunks);
  }
  // Fed by hand rather than through stream.pipeline, so that the cap error (not an abort) is what surfaces.
  let failure: unknown = null;
  const decoded = (async () => {
    try {
      for await (const chunk of decoder.stream) take(chunk as Buffer, decoder.name);
    } catch (error) {
      failure ??= error;
      throw error;
    }
  })();
  decoded.catch(() => {});
  let compressedSize = 0;
  try {
    for (let next: IteratorResult<Buffer> = first; !next.done; next = await iterator.next()) {
      compressedSize += next.value.length;
      if (compressedSize > cap) throw new BodyTooLargeError(cap, null, url);
      if (!decoder.stream.write(next.value)) await Promise.race([once(decoder.stream, 'drain'), decoded]);
      if (failure) throw failure;
    }
    decoder.stream.end();
    await decoded;
  } catch (error) {
    decoder.stream.destroy();
    body.destroy();
    throw failure ?? error;
  }
  return Buffer.concat(chunks);
}

function decoderFor(encoding: string, head: Buffer): { name: string; stream: Gunzip | ReturnType<typeof createInflate> | ReturnType<typeof createBrotliDecompress> } | null {
  const gzipMagic = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  if (encoding === 'gzip' || encoding === 'x-gzip' || (encoding === '' && gzipMagic)) return gzipMagic ? { name: 'gzip', stream: createGunzip() } : null;
  if (encoding === 'deflate') {
    // RFC 9110 deflate is zlib-wrapped; some servers send raw deflate under that name.
    const zlibWrapped = head.length >= 2 && (head[0] & 0x0f) === 8 && ((head[0] << 8) | head[1]) % 31 === 0;
    return { name: 'deflate', stream: zlibWrapped ? createInflate() : createInflateRaw() };
  }
  if (encoding === 'br') return { name: 'br', stream: createBrotliDecompress() };
  return null;
}

/**
 * An anti-bot challenge instead of content: 412 (瑞数), or a small page with the challenge markers
 * (`$_ts`, `r="m"` meta, 加速乐 `__jsl_clearance`, WZWS, C3VK, "请开启JavaScript"). Null when none.
 */
export function challengeOf(status: number, body: Buffer): string | null {
  const head = body.subarray(0, 32 * 1024).toString('latin1');
  const markers: [RegExp, string][] = [
    [/\$_ts\s*[=.[]|\$_ts\b/, '瑞数 $_ts script'],
    [/<meta[^>]+\br=["']m["']/i, '瑞数 r="m" meta'],
    [/__jsl_clearance|__jsluid/, '加速乐 __jsl_clearance cookie script'],
    [/WZWSRE|wzwschallenge|waf_verify/i, 'WZWS 网站卫士 challenge'],
    [/document\.cookie\s*=\s*["']C3VK=/, 'C3VK cookie shell'],
  ];
  const small = body.length < 64 * 1024;
  const found = small ? markers.find(([pattern]) => pattern.test(head))?.[1] : undefined;
  const jsOnly = small && /请开启JavaScript|enable JavaScript/i.test(body.subarray(0, 32 * 1024).toString('utf8'));
  if (status === 412) return `HTTP 412: anti-bot JavaScript challenge${found ? ` (${found})` : ''}; a polite crawler does not solve it`;
  if (status === 521 && found) return `HTTP 521: anti-bot JavaScript challenge (${found})`;
  if (status >= 200 && status < 300 && (found || jsOnly)) {
    return `HTTP ${status} with a JavaScript challenge page instead of content (${found ?? '"请开启JavaScript"'}); a polite crawler does not solve it`;
  }
  return null;
}

/** Retry-After as delay-seconds or an HTTP date, in ms; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
