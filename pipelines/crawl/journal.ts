// Crawl state that survives kill -9: an append-only JSON Lines journal under <data>/crawl/, folded
// into a snapshot (state.jsonl) when a run finishes. Every fact the crawler learns is appended here
// first (one write per event, after the body it names is in the archive), and the warehouse is
// filled from these events in short write batches. So the warehouse file is held only while a batch
// is written, a killed run resumes from the journal (same run id, nothing fetched twice), and a
// nightly run knows each URL's validators (ETag, Last-Modified) and which bodies were extracted by
// which extractor version without opening the warehouse.
import { appendFileSync, existsSync, readFileSync, writeFileSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDirectory } from '../directories.ts';
import { FatalRunError } from '../errors.ts';
import { appendJsonLines, readJsonLines, replaceWithJsonLines } from './jsonLines.ts';
import type { FetchOutcome } from './fetcher.ts';
import type { Source } from './registry.ts';

export type FetchKind = 'robots' | 'list' | 'report' | 'attachment';

/** The outcome of one document (report page, report file, attachment) in one run: run_documents. */
export type DocumentOutcome = 'extracted' | 'unchanged' | 'rejected' | 'failed' | 'blocked' | 'skipped';

export interface FetchEvent {
  type: 'fetch';
  runId: string;
  fetchId: string;
  /** `GET url` or `POST url body`: what makes two requests the same request. */
  key: string;
  sourceId: string;
  kind: FetchKind;
  url: string;
  method: 'GET' | 'POST';
  finalUrl: string;
  status: number | null;
  outcome: FetchOutcome;
  detail: string | null;
  /** The body: the new one for a 2xx, the stored one a 304 confirmed. */
  sha256: string | null;
  /** True when the body is the one stored by the previous fetch of this URL (304, or the same bytes). */
  unchanged: boolean;
  byteSize: number | null;
  archivePath: string | null;
  contentType: string | null;
  etag: string | null;
  lastModified: string | null;
  headers: Record<string, string>;
  fetchedAt: string;
  durationMs: number;
  attempts: number;
}

export interface RunStartEvent {
  type: 'run_start';
  runId: string;
  command: string;
  startedAt: string;
  /** Registry rows that could not be used: each a per-source error of the run. */
  registryErrors: { file: string; line: number; message: string }[];
}

export interface SourceEvent {
  type: 'source';
  runId: string;
  sourceId: string;
  status: 'ok' | 'failed' | 'blocked';
  detail: string | null;
  /** True when every list page was read (nothing failed, no page limit hit): later runs may stop early. */
  listComplete: boolean;
}

export interface ReportFoundEvent {
  type: 'report';
  runId: string;
  sourceId: string;
  url: string;
  title: string;
  listDate: string | null;
}

/** One body of a report bundle: the report page, or a file (the report itself or an attachment). */
export interface BundleDocument {
  url: string;
  role: 'page' | 'attachment';
  sha256: string;
  contentType: string | null;
  /** A report page's body images, fetched when its own tables do not hold the report: read by OCR with the page. */
  images?: { url: string; sha256: string }[];
}

/** A report page (or report file) with everything fetched for it: what extraction works from. */
export interface BundleEvent {
  type: 'bundle';
  runId: string;
  sourceId: string;
  agency: string;
  /** The report URL the list linked to. */
  url: string;
  title: string;
  listDate: string | null;
  publishDate: string | null;
  publishDateSource: string | null;
  documents: BundleDocument[];
}

export interface DocumentEvent {
  type: 'document';
  runId: string;
  url: string;
  sha256: string | null;
  reportId: string | null;
  outcome: DocumentOutcome;
  detail: string | null;
  extractorVersion: string | null;
  isReport: boolean | null;
}

export interface SyncedEvent {
  type: 'synced';
  /** Every event up to this sequence number is in the warehouse. */
  upTo: number;
}

export interface RunEndEvent {
  type: 'run_end';
  runId: string;
  status: 'finished' | 'failed';
  finishedAt: string;
  detail: string | null;
}

/** The registry rows a run crawled: kept so that `reprocess` rebuilds the sources table offline. */
export interface RegistryEvent {
  type: 'registry';
  runId: string;
  sources: Source[];
}

export type JournalEvent = FetchEvent | RunStartEvent | SourceEvent | ReportFoundEvent | BundleEvent | DocumentEvent | SyncedEvent | RunEndEvent | RegistryEvent;
export type SequencedEvent = JournalEvent & { seq: number };

/** What a later request of the same URL needs: validators and the stored body they vouch for. */
export interface UrlState {
  sha256: string | null;
  etag: string | null;
  lastModified: string | null;
  contentType: string | null;
  status: number | null;
  fetchedAt: string;
  /** 404/410 last time: not revisited unless a list links to it again. */
  gone: boolean;
}

/** Which extractor version produced the loaded record of a body. */
export interface ExtractionState {
  extractorVersion: string;
  reportId: string | null;
  isReport: boolean;
  outcome: DocumentOutcome;
}

export interface SourceState {
  /** Runs (latest last, a few kept) that read every list page of the source. */
  completeRuns: string[];
  /** Report URL → the run that first found it and the list title. */
  reports: Record<string, { firstRun: string; title: string; listDate: string | null }>;
}

interface Snapshot {
  version: 1;
  seq: number;
  syncedSeq: number;
  urls: Record<string, UrlState>;
  extractions: Record<string, ExtractionState>;
  sources: Record<string, SourceState>;
  /** Report URL → its latest bundle (reprocess rebuilds every record from these, offline). */
  bundles: Record<string, BundleEvent>;
  /** Registry rows ever crawled, latest per source id (absent in snapshots written before it existed). */
  registry?: Record<string, Source>;
  /** The last run and whether it finished (a run that did not is resumed). */
  lastRun: { runId: string; command: string; startedAt: string; finished: boolean } | null;
}

/** Per-run facts kept while the run's events are still in the journal (resume, counts, warehouse rows). */
export interface RunLedger {
  runId: string;
  command: string;
  startedAt: string;
  registryErrors: RunStartEvent['registryErrors'];
  fetches: Map<string, FetchEvent>;
  documents: Map<string, DocumentEvent>;
  reports: Map<string, ReportFoundEvent>;
  bundles: Map<string, BundleEvent>;
  sources: Map<string, SourceEvent>;
  end: RunEndEvent | null;
}

export class CrawlJournal {
  readonly dir: string;
  private readonly journalFile: string;
  private readonly snapshotFile: string;
  /** The snapshot as one JSON document, as versions before state.jsonl wrote it: read, then replaced at the next compaction. */
  private readonly legacySnapshotFile: string;
  /** Every fetch event of compacted runs, one JSON line each: the ledger `reprocess` rebuilds fetches from. */
  private readonly fetchHistoryFile: string;
  private snapshot: Snapshot;
  private seq: number;
  /** Events not yet in the warehouse, in order. */
  private unsynced: SequencedEvent[] = [];
  readonly runs = new Map<string, RunLedger>();

  private constructor(dataDir: string) {
    this.dir = join(dataDir, 'crawl');
    this.journalFile = join(this.dir, 'journal.jsonl');
    this.snapshotFile = join(this.dir, 'state.jsonl');
    this.legacySnapshotFile = join(this.dir, 'state.json');
    this.fetchHistoryFile = join(this.dir, 'fetches.jsonl');
    ensureDirectory(this.dir);
    this.snapshot = existsSync(this.snapshotFile)
      ? readSnapshot(this.snapshotFile)
      : existsSync(this.legacySnapshotFile)
        ? (JSON.parse(readFileSync(this.legacySnapshotFile, 'utf8')) as Snapshot)
        : { version: 1, seq: 0, syncedSeq: 0, urls: {}, extractions: {}, sources: {}, bundles: {}, lastRun: null };
    this.seq = this.snapshot.seq;
  }

  /** Load the snapshot and replay the journal after it. A torn last line (kill mid-write) is dropped. */
  static open(dataDir: string): CrawlJournal {
    const journal = new CrawlJournal(dataDir);
    journal.replay();
    return journal;
  }

  private replay(): void {
    if (!existsSync(this.journalFile)) return;
    const bytes = readFileSync(this.journalFile);
    let offset = 0;
    while (offset < bytes.length) {
      const newline = bytes.indexOf(0x0a, offset);
      if (newline === -1) break; // a line without its newline is the torn tail of a killed write
      const line = bytes.subarray(offset, newline).toString('utf8');
      let event: SequencedEvent | null = null;
      if (line.trim() !== '') {
        try {
          event = JSON.parse(line) as SequencedEvent;
        } catch {
          break;
        }
      }
      if (event && event.seq > this.snapshot.seq) this.apply(event);
      offset = newline + 1;
    }
    if (offset < bytes.length) truncateSync(this.journalFile, offset);
  }

  append(event: JournalEvent): SequencedEvent {
    return this.appendAll([event])[0];
  }

  /** Several events in one write (a batch's outcomes: one system call, not hundreds). */
  appendAll(events: readonly JournalEvent[]): SequencedEvent[] {
    if (events.length === 0) return [];
    const sequenced = events.map((event) => ({ ...event, seq: ++this.seq }) as SequencedEvent);
    appendFileSync(this.journalFile, sequenced.map((event) => `${JSON.stringify(event)}\n`).join(''));
    for (const event of sequenced) this.apply(event);
    return sequenced;
  }

  private apply(event: SequencedEvent): void {
    this.seq = Math.max(this.seq, event.seq);
    if (event.type === 'synced') {
      this.snapshot.syncedSeq = Math.max(this.snapshot.syncedSeq, event.upTo);
      this.unsynced = this.unsynced.filter((e) => e.seq > event.upTo);
      return;
    }
    if (event.seq > this.snapshot.syncedSeq) this.unsynced.push(event);
    switch (event.type) {
      case 'run_start': {
        this.snapshot.lastRun = { runId: event.runId, command: event.command, startedAt: event.startedAt, finished: false };
        this.ledger(event.runId, event.command, event.startedAt).registryErrors = event.registryErrors ?? [];
        break;
      }
      case 'fetch': {
        this.ledger(event.runId).fetches.set(event.key, event);
        // GETs are remembered by URL (their validators make the next request conditional), POSTs by
        // their whole request (only to tell whether the answer changed).
        const stateKey = event.method === 'GET' ? event.url : event.key;
        if (event.outcome === 'fetched' || event.outcome === 'not_modified') {
          const previous = this.snapshot.urls[stateKey];
          this.snapshot.urls[stateKey] = {
            sha256: event.sha256 ?? previous?.sha256 ?? null,
            etag: event.etag ?? (event.outcome === 'not_modified' ? previous?.etag ?? null : null),
            lastModified: event.lastModified ?? (event.outcome === 'not_modified' ? previous?.lastModified ?? null : null),
            contentType: event.contentType ?? previous?.contentType ?? null,
            status: event.status,
            fetchedAt: event.fetchedAt,
            gone: false,
          };
        } else if (event.status === 404 || event.status === 410) {
          const previous = this.snapshot.urls[stateKey];
          this.snapshot.urls[stateKey] = { ...(previous ?? { sha256: null, etag: null, lastModified: null, contentType: null }), status: event.status, fetchedAt: event.fetchedAt, gone: true };
        }
        break;
      }
      case 'report': {
        this.ledger(event.runId).reports.set(event.url, event);
        const source = (this.snapshot.sources[event.sourceId] ??= { completeRuns: [], reports: {} });
        source.reports[event.url] ??= { firstRun: event.runId, title: event.title, listDate: event.listDate };
        break;
      }
      case 'bundle': {
        this.ledger(event.runId).bundles.set(event.url, event);
        this.snapshot.bundles[event.url] = event;
        break;
      }
      case 'source': {
        this.ledger(event.runId).sources.set(event.sourceId, event);
        const source = (this.snapshot.sources[event.sourceId] ??= { completeRuns: [], reports: {} });
        if (event.listComplete && !source.completeRuns.includes(event.runId)) source.completeRuns = [...source.completeRuns, event.runId].slice(-3);
        break;
      }
      case 'document': {
        this.ledger(event.runId).documents.set(event.url, event);
        if (event.sha256 && event.extractorVersion && (event.outcome === 'extracted' || event.outcome === 'rejected')) {
          this.snapshot.extractions[event.sha256] = {
            extractorVersion: event.extractorVersion,
            reportId: event.reportId,
            isReport: event.isReport ?? false,
            outcome: event.outcome,
          };
        }
        break;
      }
      case 'registry': {
        this.snapshot.registry ??= {};
        for (const source of event.sources) this.snapshot.registry[source.sourceId] = source;
        break;
      }
      case 'run_end': {
        this.ledger(event.runId).end = event;
        if (this.snapshot.lastRun?.runId === event.runId) this.snapshot.lastRun.finished = true;
        break;
      }
    }
  }

  private ledger(runId: string, command = 'run', startedAt = new Date().toISOString()): RunLedger {
    let ledger = this.runs.get(runId);
    if (!ledger) {
      ledger = { runId, command, startedAt, registryErrors: [], fetches: new Map(), documents: new Map(), reports: new Map(), bundles: new Map(), sources: new Map(), end: null };
      this.runs.set(runId, ledger);
    }
    return ledger;
  }

  /** The run a new invocation should continue: the last one, when it never finished. */
  unfinishedRun(): { runId: string; command: string; startedAt: string } | null {
    const last = this.snapshot.lastRun;
    return last && !last.finished ? { runId: last.runId, command: last.command, startedAt: last.startedAt } : null;
  }

  runLedger(runId: string): RunLedger {
    return this.ledger(runId);
  }

  /** What the last fetch of a URL (GET) or of a whole request (`POST url body`) left. */
  urlState(urlOrKey: string): UrlState | null {
    return this.snapshot.urls[urlOrKey] ?? null;
  }

  extraction(sha256: string): ExtractionState | null {
    return this.snapshot.extractions[sha256] ?? null;
  }

  /** Every body that was extracted (for reprocess): sha256 → state. */
  extractions(): [string, ExtractionState][] {
    return Object.entries(this.snapshot.extractions);
  }

  /** Report URLs of a source first found by runs other than `runId`, with their list titles. */
  knownReports(sourceId: string, runId: string): Map<string, { title: string; listDate: string | null }> {
    const state = this.snapshot.sources[sourceId];
    return new Map(Object.entries(state?.reports ?? {}).filter(([, r]) => r.firstRun !== runId).map(([url, r]) => [url, { title: r.title, listDate: r.listDate }]));
  }

  /** Did a run other than `runId` read every list page of the source? (Then a known, unchanged page ends the listing.) */
  listedCompletelyBefore(sourceId: string, runId: string): boolean {
    return (this.snapshot.sources[sourceId]?.completeRuns ?? []).some((r) => r !== runId);
  }

  /** Every report bundle ever fetched, latest per report URL. */
  bundles(): BundleEvent[] {
    return Object.values(this.snapshot.bundles);
  }

  /** Every registry row ever crawled (latest per source id). */
  registrySources(): Source[] {
    return Object.values(this.snapshot.registry ?? {});
  }

  /**
   * Every fetch ever journalled, read as it is consumed (a national crawl's history does not fit in
   * memory at once): those of compacted runs, then those still in the journal.
   */
  *fetchHistory(): Generator<FetchEvent> {
    // A torn tail of a killed append is skipped.
    if (existsSync(this.fetchHistoryFile)) yield* readJsonLines<FetchEvent>(this.fetchHistoryFile);
    for (const ledger of this.runs.values()) yield* ledger.fetches.values();
  }

  /** Events not yet written to the warehouse, oldest first. */
  pending(): readonly SequencedEvent[] {
    return this.unsynced;
  }

  lastSeq(): number {
    return this.seq;
  }

  /**
   * These events are in the warehouse. Others may have been appended meanwhile (the crawl goes on
   * during a batch), so what is persisted is the longest prefix of the journal that is entirely
   * written; an event after it that was written too is simply written again after a crash.
   */
  markSynced(events: readonly SequencedEvent[]): void {
    const done = new Set(events.map((e) => e.seq));
    this.unsynced = this.unsynced.filter((e) => !done.has(e.seq));
    const upTo = this.unsynced.length > 0 ? this.unsynced[0].seq - 1 : this.seq;
    if (upTo > this.snapshot.syncedSeq) this.append({ type: 'synced', upTo });
  }

  /**
   * Fold the journal into the snapshot (after a finished run whose events are all in the warehouse):
   * write state.jsonl atomically, then empty the journal. A crash between the two is harmless: events
   * up to the snapshot's seq are skipped on replay.
   */
  compact(): void {
    // The fetches leave the journal but not the record: reprocess rebuilds the fetches table from them.
    const fetches = [...this.runs.values()].filter((ledger) => ledger.end).flatMap((ledger) => [...ledger.fetches.values()]);
    if (fetches.length > 0) appendJsonLines(this.fetchHistoryFile, fetches);
    this.snapshot.seq = this.seq;
    replaceWithJsonLines(this.snapshotFile, snapshotLines(this.snapshot));
    // The old single-document snapshot is superseded by the file just written.
    if (existsSync(this.legacySnapshotFile)) unlinkSync(this.legacySnapshotFile);
    writeFileSync(this.journalFile, '');
    for (const [runId, ledger] of this.runs) if (ledger.end) this.runs.delete(runId);
  }
}

/** The snapshot's maps, one entry a line (state.jsonl): no single string holds the whole state. */
const SNAPSHOT_SECTIONS = ['urls', 'extractions', 'sources', 'bundles', 'registry'] as const;
type SnapshotSection = (typeof SNAPSHOT_SECTIONS)[number];

interface SnapshotHeader {
  version: 2;
  seq: number;
  syncedSeq: number;
  lastRun: Snapshot['lastRun'];
}

/** A header line, then `[section, key, value]` for every entry of every map. */
function* snapshotLines(snapshot: Snapshot): Generator<SnapshotHeader | [SnapshotSection, string, unknown]> {
  yield { version: 2, seq: snapshot.seq, syncedSeq: snapshot.syncedSeq, lastRun: snapshot.lastRun };
  for (const section of SNAPSHOT_SECTIONS) {
    for (const [key, value] of Object.entries(snapshot[section] ?? {})) yield [section, key, value];
  }
}

function readSnapshot(file: string): Snapshot {
  const snapshot: Snapshot = { version: 1, seq: 0, syncedSeq: 0, urls: {}, extractions: {}, sources: {}, bundles: {}, registry: {}, lastRun: null };
  // Written whole and renamed into place, so a line that does not read is damage, not a torn write.
  const damaged = (what: string): never => {
    throw new FatalRunError(`the crawl state ${file} ${what}; restore it from a backup, or move it away to start the crawl state afresh`, { stage: 'crawl' });
  };
  let header: SnapshotHeader | null = null;
  for (const line of readJsonLines<unknown>(file, (text) => damaged(`is damaged (a line is not JSON: ${text.slice(0, 80)})`))) {
    if (!header) {
      const first = line as SnapshotHeader;
      if (Array.isArray(line) || first?.version !== 2) damaged('has no version-2 header line');
      header = first;
      continue;
    }
    if (!Array.isArray(line) || line.length !== 3 || !SNAPSHOT_SECTIONS.includes(line[0])) damaged(`is damaged (not a [section, key, value] line: ${JSON.stringify(line).slice(0, 80)})`);
    const [section, key, value] = line as [SnapshotSection, string, never];
    (snapshot[section] as Record<string, unknown>)[key] = value;
  }
  if (!header) return damaged('is empty');
  return { ...snapshot, seq: header.seq, syncedSeq: header.syncedSeq, lastRun: header.lastRun };
}
