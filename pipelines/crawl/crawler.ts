// Crawl orchestration: for each registry source, read its list pages (following the platform's
// pagination and year sub-columns), pick the annual-report links, fetch each report page and its
// attachments, and hand every complete report bundle on. Every request goes through the fetcher
// (politeness, robots, retries) and is journalled; within a run a request is made once, and a
// resumed run replays the journal instead of asking again.
import { createHash } from 'node:crypto';
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { decodeBytes } from '../../extractors/decode.ts';
import { extractHtml } from '../../extractors/html.ts';
import { isAttachmentHref } from '../../extractors/htmlMetadata.ts';
import {
  classifyTitle,
  hanwebGroupRequests,
  isNearMissLink,
  isReportColumnTitle,
  parseHanwebGroup,
  parseListPage,
  type ListLink,
} from '../../extractors/listPage.ts';
import { sniffFormat } from '../../extractors/sniff.ts';
import type { RawArchive } from './archive.ts';
import { DEFAULT_SOURCES_IN_FLIGHT, type CrawlSettings } from './budgets.ts';
import { Fetcher, type FetchRequest, type Permit } from './fetcher.ts';
import { HostScheduler } from './hostQueues.ts';

export { DEFAULT_CRAWL_SETTINGS, DEFAULT_SOURCES_IN_FLIGHT, type CrawlSettings } from './budgets.ts';
import { MAX_OCR_IMAGES } from '../../extractors/imageTables.ts';
import type { BundleDocument, BundleEvent, CrawlJournal, DocumentOutcome, FetchEvent, FetchKind, SourceEvent } from './journal.ts';
import { hostsOf, type Source } from './registry.ts';
import { RobotsPolicy, robotsUrlOf, rulesFromFetch } from './robots.ts';

export interface CrawlObserver {
  onFetch?(event: FetchEvent, replayed: boolean): void;
  onReportsFound?(source: Source, count: number): void;
  onSource?(source: Source, event: SourceEvent): void;
}

export interface CrawlContext {
  runId: string;
  journal: CrawlJournal;
  archive: RawArchive;
  settings: CrawlSettings;
  log?: Logger;
  observer?: CrawlObserver;
  /** Each report bundle, once its page and attachments are fetched (also replayed ones on resume). */
  onBundle?: (bundle: BundleEvent) => void;
}

/** A journalled fetch and lazy access to its body. */
interface Fetched {
  event: FetchEvent;
  /** True when there is a body to read (2xx, or 304 confirming the stored one). */
  ok: boolean;
  bytes(): Promise<Buffer>;
  text(): Promise<string>;
}

export function fetchIdOf(runId: string, key: string): string {
  return createHash('sha256').update(`${runId}\n${key}`).digest('hex').slice(0, 16);
}

export class Crawler {
  private readonly scheduler: HostScheduler;
  private readonly fetcher: Fetcher;
  private readonly robots: RobotsPolicy;
  private readonly inflight = new Map<string, Promise<Fetched>>();
  private registryHosts = new Set<string>();

  constructor(private readonly ctx: CrawlContext) {
    this.scheduler = new HostScheduler(ctx.settings.politeness);
    const permit: Permit = async (url, request) => {
      const host = new URL(url).host;
      if (!this.registryHosts.has(host)) return { ok: false, outcome: 'disallowed', detail: `${host} is not a host of the sources registry` };
      // robots.txt itself (and wherever it redirects) is not subject to robots.txt.
      if (request.url === robotsUrlOf(request.url)) return { ok: true };
      return this.robots.verdict(url);
    };
    this.fetcher = new Fetcher(ctx.settings.fetcher, this.scheduler, permit);
    this.robots = new RobotsPolicy(
      (robotsUrl) => this.loadRobots(robotsUrl),
      (host, delayMs) => {
        this.scheduler.setHostGap(host, delayMs);
        ctx.log?.info({ host, crawlDelayMs: delayMs }, 'robots.txt Crawl-delay widens the gap');
      },
    );
  }

  /** Crawl every source; sources share the host queues, so many at once stay polite. */
  async crawl(sources: readonly Source[]): Promise<void> {
    this.registryHosts = new Set(sources.flatMap(hostsOf));
    const inFlight = new PQueue({ concurrency: Math.max(1, this.ctx.settings.sourcesInFlight ?? DEFAULT_SOURCES_IN_FLIGHT) });
    await Promise.all(
      sources.map((source) =>
        inFlight.add(() => this.crawlSource(source)).catch((error: unknown) => {
          // A bug or a full disk while crawling one source must not end the others.
          const { runId, journal } = this.ctx;
          const detail = `crawler error: ${(error as Error).message}`;
          this.ctx.log?.error({ agency: source.agency, url: source.url, detail }, 'source not crawled');
          if (!journal.runLedger(runId).sources.has(source.sourceId)) {
            journal.append({ type: 'source', runId, sourceId: source.sourceId, status: 'failed', detail, listComplete: false });
          }
        }),
      ),
    );
  }

  async close(): Promise<void> {
    await this.fetcher.close();
  }

  // -------------------------------------------------------------------------------------------
  // Sources and list pages

  private async crawlSource(source: Source): Promise<void> {
    const { runId, journal } = this.ctx;
    const ledger = journal.runLedger(runId);
    const known = journal.knownReports(source.sourceId, runId);
    const stopOnKnownPage = journal.listedCompletelyBefore(source.sourceId, runId);
    const ownHosts = new Set(hostsOf(source));
    const reports = new Map<string, { title: string; listDate: string | null }>();
    let listComplete = true;
    let rootFailure: { outcome: 'failed' | 'blocked'; detail: string } | null = null;

    if (source.url) {
      const scope = source.url.replace(/[?#].*$/, '').replace(/[^/]*$/, '');
      const queue: string[] = [source.url];
      const queued = new Set(queue);
      const seenBodies = new Set<string>();
      let pagesRead = 0;
      const enqueue = (url: string) => {
        if (queued.has(url) || !ownHosts.has(new URL(url).host)) return;
        queued.add(url);
        queue.push(url);
      };
      /** Take a page's report links; true when the page brought nothing new (all known). */
      const takeLinks = (links: ListLink[]): { reportLinks: number; fresh: number } => {
        let reportLinks = 0;
        let fresh = 0;
        for (const link of links) {
          if (!ownHosts.has(new URL(link.url).host)) continue;
          if (classifyTitle(link.title).isReport) {
            reportLinks++;
            if (!reports.has(link.url)) {
              reports.set(link.url, { title: link.title, listDate: link.date });
              if (!known.has(link.url)) fresh++;
            }
          } else if (isReportColumnTitle(link.title) && link.url.startsWith(scope) && !isAttachmentHref(link.url)) {
            enqueue(link.url);
          }
        }
        return { reportLinks, fresh };
      };

      while (queue.length > 0) {
        const url = queue.shift()!;
        if (pagesRead >= this.ctx.settings.maxListPages) {
          listComplete = false;
          this.ctx.log?.warn({ source: source.url, limit: this.ctx.settings.maxListPages }, 'list page limit reached');
          break;
        }
        pagesRead++;
        const page = await this.get(source.sourceId, 'list', { url, priority: 5 });
        if (!page.ok) {
          const answeredButUnread = page.event.outcome === 'failed' && page.event.status !== null && page.event.status >= 200 && page.event.status < 300;
          if (url === source.url || answeredButUnread) {
            // The root list page, or any list page whose body was refused (over the cap, past the deadline): the
            // source is not "ok", whatever the other pages gave.
            rootFailure ??= { outcome: page.event.outcome === 'blocked' ? 'blocked' : 'failed', detail: `list page ${url}: ${page.event.detail ?? page.event.outcome}` };
            listComplete = false;
          } else if (page.event.status !== 404) {
            // A 404 past the last page is how TRS pagination often ends; anything else leaves the list unread.
            listComplete = false;
          }
          continue;
        }
        const sha = page.event.sha256!;
        if (seenBodies.has(sha)) continue; // the same page again (a repeated static page is not progress)
        seenBodies.add(sha);
        const parsed = parseListPage(await page.text(), page.event.finalUrl);
        if (parsed.scriptRedirect && parsed.links.length < 3) enqueue(parsed.scriptRedirect);
        const { reportLinks, fresh } = takeLinks(parsed.links);
        // Lists are newest first: an unchanged page with only known reports means the rest is known too.
        if (stopOnKnownPage && page.event.unchanged && reportLinks > 0 && fresh === 0) continue;
        for (const next of parsed.pages) enqueue(next);
        for (const unit of parsed.hanwebUnits) {
          for (const group of hanwebGroupRequests(unit)) {
            if (pagesRead >= this.ctx.settings.maxListPages) {
              listComplete = false;
              break;
            }
            pagesRead++;
            const answer = await this.get(source.sourceId, 'list', { url: group.url, method: 'POST', body: group.body, referer: page.event.finalUrl, priority: 5 });
            if (!answer.ok) {
              listComplete = false;
              break;
            }
            const took = takeLinks(parseHanwebGroup(await answer.text(), page.event.finalUrl));
            if (stopOnKnownPage && answer.event.unchanged && took.reportLinks > 0 && took.fresh === 0) break;
          }
        }
      }
    }

    // Reports known from earlier runs are revisited (conditionally) even when the listing stopped early.
    for (const [url, info] of known) {
      if (!reports.has(url) && !journal.urlState(url)?.gone) reports.set(url, info);
    }
    for (const url of source.reportUrls) if (!reports.has(url)) reports.set(url, { title: '', listDate: null });
    for (const [url, info] of reports) {
      if (!ledger.reports.has(url)) journal.append({ type: 'report', runId, sourceId: source.sourceId, url, title: info.title, listDate: info.listDate });
    }
    this.ctx.observer?.onReportsFound?.(source, reports.size);

    await Promise.all(
      [...reports].map(([url, info]) =>
        this.crawlReport(source, url, info).catch((error: unknown) => {
          const { journal } = this.ctx;
          if (journal.runLedger(runId).documents.has(url)) return;
          journal.append({ type: 'document', runId, url, sha256: null, reportId: null, outcome: 'failed', detail: `crawler error: ${(error as Error).message}`, extractorVersion: null, isReport: null });
        }),
      ),
    );

    const status: SourceEvent['status'] = rootFailure ? rootFailure.outcome : 'ok';
    const event: SourceEvent = {
      type: 'source',
      runId,
      sourceId: source.sourceId,
      status,
      detail: rootFailure?.detail ?? null,
      listComplete: listComplete && rootFailure === null && source.url !== null,
    };
    if (!ledger.sources.has(source.sourceId)) journal.append(event);
    if (status !== 'ok') this.ctx.log?.warn({ agency: source.agency, url: source.url, status, detail: event.detail }, 'source not crawled');
    this.ctx.observer?.onSource?.(source, ledger.sources.get(source.sourceId) ?? event);
  }

  // -------------------------------------------------------------------------------------------
  // Report pages and attachments

  private async crawlReport(source: Source, url: string, info: { title: string; listDate: string | null }): Promise<void> {
    const { runId, journal } = this.ctx;
    const ledger = journal.runLedger(runId);
    const replayed = ledger.bundles.get(url);
    if (replayed) {
      this.ctx.onBundle?.(replayed);
      return;
    }
    const documents: BundleDocument[] = [];
    let publishDate: string | null = null;
    let publishDateSource: string | null = null;

    const first = await this.get(source.sourceId, 'report', { url });
    if (!first.ok) return this.documentFailed(first.event);
    const bytes = await first.bytes();
    if (sniffFormat(bytes, new URL(first.event.finalUrl).pathname, first.event.contentType ?? '') !== 'html') {
      // The list linked straight to the report file (PDF, Word …).
      documents.push({ url, role: 'attachment', sha256: first.event.sha256!, contentType: first.event.contentType });
    } else {
      const text = decodeBytes(bytes, { contentType: first.event.contentType ?? undefined }).text;
      const { page, blocks } = extractHtml(text, { url: first.event.finalUrl });
      // A page that links files has its report there (or no report); one that links none may show it as pictures.
      const tables = blocks.filter((b) => b.kind === 'table').length;
      const images = page.attachments.length === 0 ? await this.bodyImages(source, first.event.finalUrl, page.images ?? [], tables) : [];
      documents.push({ url, role: 'page', sha256: first.event.sha256!, contentType: first.event.contentType, ...(images.length ? { images } : {}) });
      publishDate = page.publishDate ?? info.listDate;
      publishDateSource = page.publishDate ? `report page (${page.publishDateSource})` : info.listDate ? 'list page' : null;
      const wanted = page.attachments.filter((a) => !isNearMissLink(a.text));
      const attachments = await Promise.all(
        wanted.map(async (attachment) => {
          const file = await this.get(source.sourceId, 'attachment', { url: attachment.url, referer: first.event.finalUrl });
          if (!file.ok) {
            this.documentFailed(file.event);
            return null;
          }
          return { url: attachment.url, role: 'attachment' as const, sha256: file.event.sha256!, contentType: file.event.contentType };
        }),
      );
      for (const attachment of attachments) if (attachment) documents.push(attachment);
    }

    const bundle = journal.append({
      type: 'bundle',
      runId,
      sourceId: source.sourceId,
      agency: source.agency,
      url,
      title: info.title,
      listDate: info.listDate,
      publishDate,
      publishDateSource,
      documents,
    }) as BundleEvent;
    this.ctx.onBundle?.(bundle);
  }

  /**
   * The body images of a report page whose own tables do not hold the report (fewer than two): its tables may be
   * pictures, read by OCR at extraction. Fetched like attachments (same host rules, caps and archive); an image
   * that cannot be fetched is journaled and the page goes on without it.
   */
  private async bodyImages(source: Source, pageUrl: string, urls: string[], tables: number): Promise<{ url: string; sha256: string }[]> {
    if (tables >= 2) return [];
    const wanted = urls.filter((u) => /^https?:/i.test(u)).slice(0, MAX_OCR_IMAGES);
    const fetched = await Promise.all(wanted.map(async (url) => {
      const image = await this.get(source.sourceId, 'attachment', { url, referer: pageUrl });
      if (!image.ok) {
        this.documentFailed(image.event);
        return null;
      }
      return { url, sha256: image.event.sha256! };
    }));
    return fetched.filter((f) => f !== null);
  }

  /** A report page or attachment that could not be fetched: its outcome for this run. */
  private documentFailed(event: FetchEvent): void {
    const { runId, journal } = this.ctx;
    if (journal.runLedger(runId).documents.has(event.url)) return;
    const outcome: DocumentOutcome = event.outcome === 'blocked' ? 'blocked' : event.outcome === 'disallowed' ? 'skipped' : 'failed';
    journal.append({ type: 'document', runId, url: event.url, sha256: null, reportId: null, outcome, detail: event.detail, extractorVersion: null, isReport: null });
    this.ctx.log?.warn({ url: event.url, outcome, detail: event.detail }, `${event.kind} not fetched`);
  }

  // -------------------------------------------------------------------------------------------
  // Fetching through the journal

  private get(sourceId: string, kind: FetchKind, req: FetchRequest): Promise<Fetched> {
    const method = req.method ?? 'GET';
    const key = method === 'GET' ? `GET ${req.url}` : `POST ${req.url} ${req.body ?? ''}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetchOnce(sourceId, kind, key, req);
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async fetchOnce(sourceId: string, kind: FetchKind, key: string, req: FetchRequest): Promise<Fetched> {
    const { runId, journal, archive } = this.ctx;
    const recorded = journal.runLedger(runId).fetches.get(key);
    if (recorded) {
      this.ctx.observer?.onFetch?.(recorded, true);
      return this.fetched(recorded);
    }
    const method = req.method ?? 'GET';
    const previous = journal.urlState(method === 'GET' ? req.url : key);
    const validated = method === 'GET' && previous?.sha256 && !previous.gone && archive.has(previous.sha256) ? previous : null;
    const result = await this.fetcher.fetch({ ...req, etag: validated?.etag, lastModified: validated?.lastModified });

    let outcome = result.outcome;
    let detail = result.detail;
    let sha256: string | null = null;
    let byteSize: number | null = null;
    let archivePath: string | null = null;
    if (outcome === 'fetched' && result.body) {
      const stored = await archive.put(result.body);
      ({ sha256, byteSize, archivePath } = stored);
    } else if (outcome === 'not_modified') {
      if (validated?.sha256) {
        sha256 = validated.sha256;
        archivePath = archive.archivePathOf(sha256);
      } else {
        outcome = 'failed';
        detail = 'HTTP 304 to a request that carried no validators';
      }
    }
    const event = journal.append({
      type: 'fetch',
      runId,
      fetchId: fetchIdOf(runId, key),
      key,
      sourceId,
      kind,
      url: req.url,
      method,
      finalUrl: result.finalUrl,
      status: result.status,
      outcome,
      detail,
      sha256,
      unchanged: sha256 !== null && previous?.sha256 === sha256,
      byteSize,
      archivePath,
      contentType: result.contentType ?? (outcome === 'not_modified' ? validated?.contentType ?? null : null),
      etag: result.etag,
      lastModified: result.lastModified,
      headers: result.headers,
      fetchedAt: result.fetchedAt,
      durationMs: result.durationMs,
      attempts: result.attempts,
    }) as FetchEvent;
    this.ctx.observer?.onFetch?.(event, false);
    this.ctx.log?.debug({ url: event.url, kind, status: event.status, outcome: event.outcome, ms: event.durationMs }, 'fetch');
    return this.fetched(event);
  }

  private fetched(event: FetchEvent): Fetched {
    const ok = (event.outcome === 'fetched' || event.outcome === 'not_modified') && event.sha256 !== null;
    return {
      event,
      ok,
      bytes: () => this.ctx.archive.get(event.sha256!),
      text: async () => decodeBytes(await this.ctx.archive.get(event.sha256!), { contentType: event.contentType ?? undefined }).text,
    };
  }

  private async loadRobots(robotsUrl: string) {
    const fetched = await this.get('', 'robots', { url: robotsUrl, priority: 10 });
    const stored = this.ctx.journal.urlState(robotsUrl);
    const storedText = stored?.sha256 && this.ctx.archive.has(stored.sha256) ? await this.textOf(stored.sha256) : null;
    const rules = rulesFromFetch(robotsUrl, fetched.event, fetched.ok ? await fetched.text() : null, storedText);
    if (rules.kind === 'deny-all') this.ctx.log?.warn({ robots: robotsUrl, detail: rules.detail }, 'host not crawled');
    return rules;
  }

  private async textOf(sha256: string): Promise<string> {
    return decodeBytes(await this.ctx.archive.get(sha256)).text;
  }
}
