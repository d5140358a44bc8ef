// robots.txt, fetched once per origin and run (conditionally, like every other page) and honoured
// for every request and redirect. The policy for the answers real government hosts give
// (../shared/docs/sites.md §4.5), following RFC 9309 where it speaks:
//
//   2xx (or 304 with a stored copy)  the rules apply to our token `gov-reports`; Crawl-delay widens the gap
//   404, 410, other 4xx              no robots.txt: everything allowed (RFC 9309 §2.3.1.3)
//   401, 403                         the host refuses us: nothing fetched, the source is `blocked`
//   412 / JS challenge               the host hides behind an anti-bot wall: `blocked`
//   5xx, 429, network error          unreachable (after retries): the last stored robots.txt of
//                                    the host if there is one, else nothing fetched this run
//                                    (RFC 9309 §2.3.1.4: assume complete disallow), the source `failed`
import robotsParserModule from 'robots-parser';
import { ROBOTS_TOKEN, type FetchResult } from './fetcher.ts';

// robots-parser is CommonJS and its typings declare a default export: under NodeNext the callable
// is the module itself.
type Robot = { isAllowed(url: string, ua?: string): boolean | undefined; getCrawlDelay(ua?: string): number | undefined };
const robotsParser = robotsParserModule as unknown as (url: string, text: string) => Robot;

/** Longest Crawl-delay we honour (a larger value would stall the run; the host is still crawled slowly). */
const MAX_CRAWL_DELAY_MS = 60_000;

export type RobotsRules =
  | { kind: 'rules'; robot: Robot; crawlDelayMs: number | null; detail: string }
  | { kind: 'allow-all'; detail: string }
  | { kind: 'deny-all'; outcome: 'blocked' | 'failed'; detail: string };

export type RobotsVerdict = { ok: true } | { ok: false; outcome: 'disallowed' | 'blocked' | 'failed'; detail: string };

export function robotsUrlOf(url: string): string {
  return new URL('/robots.txt', url).toString();
}

/**
 * Rules from the answer to a robots.txt request. `body` is the text of a 2xx answer or of the stored
 * copy a 304 confirmed; `stored` is the last good robots.txt of the host, used when it is unreachable.
 */
export function rulesFromFetch(robotsUrl: string, result: Pick<FetchResult, 'outcome' | 'status' | 'detail'>, body: string | null, stored: string | null): RobotsRules {
  const parse = (text: string, detail: string): RobotsRules => {
    const robot = robotsParser(robotsUrl, text);
    const delay = robot.getCrawlDelay(ROBOTS_TOKEN);
    return { kind: 'rules', robot, crawlDelayMs: delay ? Math.min(MAX_CRAWL_DELAY_MS, delay * 1000) : null, detail };
  };
  if ((result.outcome === 'fetched' || result.outcome === 'not_modified') && body !== null) return parse(body, `robots.txt (HTTP ${result.status})`);
  if (result.outcome === 'blocked') {
    const status = result.status ?? 0;
    return { kind: 'deny-all', outcome: 'blocked', detail: `robots.txt answered ${status === 401 || status === 403 ? `HTTP ${status}` : 'with an anti-bot challenge'}: permission cannot be established, host not crawled (${result.detail ?? ''})`.replace(/ \(\)$/, '') };
  }
  const status = result.status;
  if (result.outcome === 'failed' && status !== null && status >= 400 && status < 500 && status !== 429) {
    return { kind: 'allow-all', detail: `no robots.txt (HTTP ${status}): all paths allowed` };
  }
  if (stored !== null) return parse(stored, `robots.txt unreachable (${result.detail ?? 'no answer'}); using the copy stored by an earlier run`);
  return {
    kind: 'deny-all',
    outcome: 'failed',
    detail: `robots.txt unreachable (${result.detail ?? 'no answer'}): nothing fetched from this host this run (RFC 9309: assume complete disallow)`,
  };
}

/** Answers "may we fetch this URL?" per origin, loading each origin's rules once. */
export class RobotsPolicy {
  private readonly rules = new Map<string, Promise<RobotsRules>>();

  constructor(
    private readonly load: (robotsUrl: string) => Promise<RobotsRules>,
    private readonly onCrawlDelay: (host: string, delayMs: number) => void = () => {},
  ) {}

  async verdict(url: string): Promise<RobotsVerdict> {
    const robotsUrl = robotsUrlOf(url);
    if (url === robotsUrl) return { ok: true };
    const rules = await this.rulesFor(robotsUrl);
    if (rules.kind === 'allow-all') return { ok: true };
    if (rules.kind === 'deny-all') return { ok: false, outcome: rules.outcome, detail: rules.detail };
    if (rules.robot.isAllowed(url, ROBOTS_TOKEN) === false) {
      return { ok: false, outcome: 'disallowed', detail: `robots.txt of ${new URL(url).host} disallows ${new URL(url).pathname} for ${ROBOTS_TOKEN}` };
    }
    return { ok: true };
  }

  /** The rules of one origin (loaded on first use). */
  rulesFor(robotsUrl: string): Promise<RobotsRules> {
    let rules = this.rules.get(robotsUrl);
    if (!rules) {
      rules = this.load(robotsUrl).then((r) => {
        if (r.kind === 'rules' && r.crawlDelayMs) this.onCrawlDelay(new URL(robotsUrl).host, r.crawlDelayMs);
        return r;
      });
      this.rules.set(robotsUrl, rules);
    }
    return rules;
  }
}
