// crawl → extract → load: what `gov-reports crawl`, `run` (the nightly job) and `reprocess` do.
//
// One writer at a time holds the data directory (pipelines/lock.ts). Everything learned goes to the
// crawl journal first; the warehouse is opened only for short batches (records + ledger rows), so
// `gov-reports query` or an analyst's DuckDB session gets in between, and a batch that finds the
// file held waits politely (pipelines/warehouse.ts). A run killed at any moment is resumed by the
// next invocation of the same command under the same run id, from the journal: nothing is fetched
// twice, nothing extracted twice, and the warehouse ends as after an uninterrupted run.
import { randomBytes } from 'node:crypto';
import PQueue from 'p-queue';
import { EXTRACTOR_VERSION } from '../transforms/version.ts';
import { RawArchive } from './crawl/archive.ts';
import { Crawler, DEFAULT_CRAWL_SETTINGS, type CrawlSettings } from './crawl/crawler.ts';
import { extractBundle, type LoadItem } from './crawl/extractBundle.ts';
import { DocumentExtractor } from './extractPool/extractor.ts';
import type { ExtractBudget } from './extractPool/pool.ts';
import { CrawlJournal, type BundleEvent, type DocumentEvent, type FetchEvent } from './crawl/journal.ts';
import { createReporter, type RunReporter } from './crawl/progress.ts';
import { readRegistry, RegistryFileError, type Registry, type RegistryError } from './crawl/registry.ts';
import { runCounts, syncWarehouse, type RunCounts } from './crawl/warehouseSync.ts';
import { FatalRunError, RetryableError } from './errors.ts';
import { collectGarbageIfGrown } from './heap.ts';
import { acquireRunLock } from './lock.ts';
import { threadsBesidePool, type OpenWarehouseOptions } from './warehouse.ts';

export type RunCommand = 'crawl' | 'run' | 'reprocess';

export interface RunOptions {
  /** crawl: fetch and archive only; run: crawl, extract and load; reprocess: extract and load everything archived, offline. */
  command: RunCommand;
  /** The sources registry (crawl, run). */
  sourcesFile?: string;
  dataDir: string;
  dbPath: string;
  warehouse?: OpenWarehouseOptions;
  settings?: CrawlSettings;
  /** Documents per load batch (default: 25 for crawl and run, 500 for reprocess; DEFAULT_BATCH_SIZE). */
  batchSize?: number;
  /** Longest time between two warehouse batches while work is pending (default 15 s). */
  flushIntervalMs?: number;
  reporter?: RunReporter;
  /** OCR of scanned pages (default: on). */
  ocr?: { enabled: boolean };
  /** Extraction worker processes (default: one per core). */
  workers?: number;
  /** Per-document extraction budget (default: DEFAULT_BUDGET of pipelines/extractPool/pool.ts). */
  budget?: Partial<ExtractBudget>;
  /** Fetches per warehouse session when reprocess writes the crawl history again (default FETCH_REPLAY_CHUNK). */
  fetchReplayChunk?: number;
}

export interface RunSummary {
  runId: string;
  command: RunCommand;
  /** True when this invocation finished a run an earlier one started (killed, or the warehouse was held). */
  resumed: boolean;
  counts: RunCounts;
  registryErrors: RegistryError[];
  /** Registry sources this run crawled (ok, failed or blocked). */
  sourcesCrawled: number;
  /** Documents extracted but not loaded as reports (not a report, or a page wrapping its attachment). */
  rejected: number;
  /** Sources that ended failed or blocked. */
  sourceProblems: { agency: string; url: string | null; status: string; detail: string | null }[];
  /** Documents that ended failed, blocked or rejected, with why. */
  documentProblems: { url: string; outcome: string; detail: string | null }[];
  /** A lock left by a killed run, taken over. */
  staleLock: { pid: number; startedAt: string } | null;
}

/**
 * A crawl finds reports a few a second: small batches put them in the warehouse soon. A reprocess
 * reads hundreds a second from the archive: larger batches spread each batch's fixed cost (opening
 * the file, the ledger rows, the checkpoint) and still hold the file only a second or two.
 */
export const DEFAULT_BATCH_SIZE: Record<RunCommand, number> = { crawl: 25, run: 25, reprocess: 500 };
export const DEFAULT_FLUSH_INTERVAL_MS = 15_000;
/** Fetches of the crawl history written per warehouse session when `reprocess` rebuilds the fetches table. */
export const FETCH_REPLAY_CHUNK = 20_000;

export async function runPipeline(options: RunOptions): Promise<RunSummary> {
  const lock = acquireRunLock(options.dataDir, options.command);
  const reporter = options.reporter ?? createReporter();
  try {
    const registry: Registry =
      options.command === 'reprocess' ? { file: '', sources: [], errors: [] } : loadRegistry(options.sourcesFile);
    for (const error of registry.errors) reporter.log.warn({ file: error.file, line: error.line, detail: error.message }, 'registry row skipped');

    const journal = CrawlJournal.open(options.dataDir);
    const archive = new RawArchive(options.dataDir);
    archive.sweepTemp();
    const { runId, resumed, startedAt } = beginRun(journal, options.command, registry.errors);
    reporter.log.info({ runId, resumed, command: options.command, extractorVersion: EXTRACTOR_VERSION }, resumed ? 'resuming interrupted run' : 'run started');

    const extracting = options.command !== 'crawl';
    const extractor = extracting ? new DocumentExtractor({ workers: options.workers, budget: options.budget, dataDir: options.dataDir }) : null;
    const warehouse: OpenWarehouseOptions = {
      ...(extractor ? { threads: threadsBesidePool(extractor.pool.workers) } : {}),
      ...options.warehouse,
      onLockWait: (wait) => {
        options.warehouse?.onLockWait?.(wait);
        if (wait.attempt === 1) reporter.log.warn({ holder: wait.holder ?? undefined }, 'warehouse held by another process; the batch waits');
      },
    };
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE[options.command];
    const pendingLoads: LoadItem[] = [];
    const syncQueue = new PQueue({ concurrency: 1 });
    if (options.command !== 'reprocess' && registry.sources.length > 0) journal.append({ type: 'registry', runId, sources: registry.sources });
    // reprocess rebuilds the crawl's ledger tables too: the registry rows and every fetch ever journalled.
    const knownSources = options.command === 'reprocess' ? journal.registrySources() : registry.sources;
    /** `replayFetches`: fetches of the crawl history to write again (reprocess), a chunk at a time. */
    const sync = (final: boolean, replayFetches: readonly FetchEvent[] = []) =>
      syncQueue.add(async () => {
        const loads = pendingLoads.splice(0, pendingLoads.length);
        if (!final && loads.length === 0 && journal.pending().length === 0 && replayFetches.length === 0) return;
        try {
          const started = performance.now();
          await syncWarehouse(options.dbPath, warehouse, { journal, sources: knownSources, loads, sourcesUpdatedAt: new Date(startedAt), replayFetches });
          const gcMs = collectGarbageIfGrown();
          const memory = process.memoryUsage();
          reporter.log.debug(
            {
              reports: loads.length,
              ms: Math.round(performance.now() - started),
              rssMb: Math.round(memory.rss / 2 ** 20),
              heapMb: Math.round(memory.heapUsed / 2 ** 20),
              heapTotalMb: Math.round(memory.heapTotal / 2 ** 20),
              externalMb: Math.round(memory.external / 2 ** 20),
              gcMs: gcMs === null ? null : Math.round(gcMs),
            },
            'warehouse batch written',
          );
        } catch (error) {
          pendingLoads.unshift(...loads);
          if (!(error instanceof RetryableError)) throw error;
          // A held warehouse during the crawl is not fatal: the work stays queued for the next batch.
          if (!final) {
            reporter.log.warn({ detail: error.message }, 'warehouse busy; the batch waits for the next try');
            return;
          }
          throw new FatalRunError(
            `${error.message} Everything fetched is kept in the crawl journal (${journal.dir}); the next crawl, run or reprocess writes it to the warehouse.`,
            { stage: 'warehouse', cause: error },
          );
        }
        for (const load of loads) reporter.documentSettled(load.outcome);
      });

    // Twice as many bundles in flight as workers, so a worker never waits for the coordinator.
    const extractQueue = new PQueue({ concurrency: extractor ? extractor.pool.workers * 2 : 1 });
    const settle = (events: DocumentEvent[]) => {
      journal.appendAll(events);
      for (const event of events) reporter.documentSettled(event);
    };
    let failure: unknown = null;
    const onBundle = (bundle: BundleEvent) => {
      reporter.bundleFetched(bundle);
      if (!extracting) return;
      extractQueue
        .add(async () => {
          const result = await extractBundle(bundle, { runId, journal, archive, extractor: extractor!, force: options.command === 'reprocess', ocr: options.ocr });
          settle(result.settled);
          pendingLoads.push(...result.loads);
          // A full batch is written while the workers go on extracting; extraction waits only when a
          // second batch is ready before the first is in (so memory holds two batches at most).
          if (pendingLoads.length >= batchSize && syncQueue.size === 0) void sync(false).catch((error: unknown) => (failure ??= error));
          if (pendingLoads.length >= 2 * batchSize) await syncQueue.onIdle();
        })
        .catch((error: unknown) => {
          failure ??= error;
        });
    };

    const timer = setInterval(() => void sync(false).catch(() => {}), options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    try {
      if (options.command === 'reprocess') {
        const bundles = journal.bundles();
        reporter.sourcesPlanned(0);
        // The crawl's fetches go in first (records resolve their agency through them), streamed from
        // the history a chunk at a time; a warehouse held all along ends the run (final), nothing lost.
        for (const fetches of inChunks(journal.fetchHistory(), options.fetchReplayChunk ?? FETCH_REPLAY_CHUNK)) await sync(true, fetches);
        reporter.log.info({ bundles: bundles.length }, 'reprocessing the archive');
        for (const bundle of bundles) {
          // Queued a few at a time: 100,000 archived bundles are not 100,000 pending tasks.
          await extractQueue.onSizeLessThan(extractQueue.concurrency * 2);
          onBundle(bundle);
        }
      } else {
        reporter.sourcesPlanned(registry.sources.length);
        const crawler = new Crawler({
          runId,
          journal,
          archive,
          settings: options.settings ?? DEFAULT_CRAWL_SETTINGS,
          log: reporter.log,
          observer: reporter.observer,
          onBundle,
        });
        try {
          await crawler.crawl(registry.sources);
        } finally {
          await crawler.close();
        }
      }
      await extractQueue.onIdle();
      if (failure) throw failure;
      await sync(false);
      journal.append({ type: 'run_end', runId, status: 'finished', finishedAt: new Date().toISOString(), detail: null });
      await sync(true);
    } finally {
      clearInterval(timer);
      await extractor?.close();
    }
    const ledger = journal.runLedger(runId);
    if (journal.pending().length === 0) journal.compact();

    const summary: RunSummary = {
      runId,
      command: options.command,
      resumed,
      counts: runCounts(ledger),
      sourcesCrawled: ledger.sources.size,
      rejected: [...ledger.documents.values()].filter((d) => d.outcome === 'rejected').length,
      registryErrors: registry.errors,
      sourceProblems: [...ledger.sources.values()]
        .filter((s) => s.status !== 'ok')
        .map((s) => {
          const source = registry.sources.find((r) => r.sourceId === s.sourceId);
          return { agency: source?.agency ?? s.sourceId, url: source?.url ?? null, status: s.status, detail: s.detail };
        }),
      documentProblems: [...ledger.documents.values()]
        // A rejected page without a report id only wrapped its attachment, which was loaded: not a problem.
        .filter((d) => d.outcome === 'failed' || d.outcome === 'blocked' || d.outcome === 'skipped' || (d.outcome === 'rejected' && d.reportId !== null))
        .map((d) => ({ url: d.url, outcome: d.outcome, detail: d.detail })),
      staleLock: lock.tookOverStale ? { pid: lock.tookOverStale.pid, startedAt: lock.tookOverStale.startedAt } : null,
    };
    reporter.log.info({ runId, ...summary.counts }, 'run finished');
    return summary;
  } finally {
    reporter.stop();
    lock.release();
  }
}

function* inChunks<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

function loadRegistry(file: string | undefined): Registry {
  if (!file) throw new FatalRunError('no sources registry: pass --sources FILE (see data/sources.example.csv)', { stage: 'crawl' });
  try {
    return readRegistry(file);
  } catch (error) {
    if (error instanceof RegistryFileError) throw new FatalRunError(error.message, { stage: 'crawl', cause: error });
    throw error;
  }
}

/** Continue the last run when it never finished and was the same command; otherwise start a new one. */
function beginRun(journal: CrawlJournal, command: RunCommand, registryErrors: RegistryError[]): { runId: string; resumed: boolean; startedAt: string } {
  const unfinished = journal.unfinishedRun();
  if (unfinished && unfinished.command === command) return { runId: unfinished.runId, resumed: true, startedAt: unfinished.startedAt };
  if (unfinished) {
    journal.append({ type: 'run_end', runId: unfinished.runId, status: 'failed', finishedAt: new Date().toISOString(), detail: `interrupted; a ${command} started instead of resuming it` });
  }
  const startedAt = new Date().toISOString();
  const runId = `${command}-${startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
  journal.append({ type: 'run_start', runId, command, startedAt, registryErrors });
  return { runId, resumed: false, startedAt };
}
