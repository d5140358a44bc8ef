// The options `crawl`, `run` and `schedule` share, and the summary they print.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { globalOptions, parsePositiveInteger, parsePositiveNumber } from '../cliSupport.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_FLUSH_INTERVAL_MS, runPipeline, type RunSummary } from '../run.ts';
import { DEFAULT_CRAWL_SETTINGS, type CrawlSettings } from './crawler.ts';
import { userAgentFor } from './fetcher.ts';

export interface CrawlCliOptions {
  sources?: string;
  minGap: number;
  perHost: number;
  concurrency: number;
  timeout: number;
  retries: number;
  maxBody: number;
  maxListPages: number;
  contact?: string;
  batchSize: number;
  workers: number;
  flushInterval: number;
  strict?: boolean;
}

const { politeness, fetcher } = DEFAULT_CRAWL_SETTINGS;

function parseRetries(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError('expected an integer ≥ 0');
  return value;
}

export function addCrawlOptions(command: Command): Command {
  return command
    .option('--sources <file>', 'sources registry, CSV or YAML (default: <data-dir>/sources.csv; see data/sources.example.csv)')
    .option('--min-gap <seconds>', 'least time between two requests to one host', parsePositiveNumber, politeness.minGapMs / 1000)
    .option('--per-host <n>', 'requests in flight per host', parsePositiveInteger, politeness.perHostConcurrency)
    .option('--concurrency <n>', 'requests in flight across all hosts', parsePositiveInteger, politeness.globalConcurrency)
    .option('--timeout <seconds>', 'longest wait for an answer, and between two chunks of a body', parsePositiveNumber, fetcher.timeoutMs / 1000)
    .option('--retries <n>', 'retries on network errors, 429 and 5xx (with backoff)', parseRetries, fetcher.retries)
    .option('--max-body <megabytes>', 'larger responses are abandoned', parsePositiveNumber, fetcher.maxBodyBytes / 1024 / 1024)
    .option('--max-list-pages <n>', 'list pages read per source at most', parsePositiveInteger, DEFAULT_CRAWL_SETTINGS.maxListPages)
    .option('--contact <email-or-url>', 'added to the User-Agent so site operators can reach you')
    .option('--batch-size <n>', 'documents per warehouse batch', parsePositiveInteger, DEFAULT_BATCH_SIZE)
    .option('--workers <n>', 'extraction worker processes (default: one per core)', parsePositiveInteger, availableParallelism())
    .option('--flush-interval <seconds>', 'longest time between warehouse batches', parsePositiveNumber, DEFAULT_FLUSH_INTERVAL_MS / 1000)
    .option('--strict', 'exit with status 1 when any source or document failed or was blocked');
}

export function crawlSettingsFrom(options: CrawlCliOptions): CrawlSettings {
  return {
    politeness: { minGapMs: options.minGap * 1000, perHostConcurrency: options.perHost, globalConcurrency: options.concurrency },
    fetcher: {
      ...fetcher,
      userAgent: userAgentFor(options.contact),
      timeoutMs: options.timeout * 1000,
      retries: options.retries,
      maxBodyBytes: Math.round(options.maxBody * 1024 * 1024),
    },
    maxListPages: options.maxListPages,
  };
}

/** The registry file: --sources, else <data-dir>/sources.csv (or .yaml) when it exists; a usage error otherwise. */
export function sourcesFileFrom(options: CrawlCliOptions, dataDir: string, command: Command): string {
  if (options.sources) return options.sources;
  for (const name of ['sources.csv', 'sources.yaml', 'sources.yml']) {
    const candidate = join(dataDir, name);
    if (existsSync(candidate)) return candidate;
  }
  return command.error(`error: no sources registry: pass --sources FILE or create ${join(dataDir, 'sources.csv')} (copy data/sources.example.csv)`, { exitCode: 2 });
}

/** The lines printed after a run: counts, then what went wrong, source by source and document by document. */
export function describeSummary(summary: RunSummary): string[] {
  const c = summary.counts;
  const lines = [
    `${summary.command} ${summary.runId}${summary.resumed ? ' (resumed)' : ''}: ` +
      `${c.discovered} reports discovered, ${c.fetched} fetched, ${c.unchanged} unchanged (304), ` +
      `${c.extracted} extracted, ${c.failed} failed, ${c.blocked} blocked`,
  ];
  if (summary.staleLock) lines.push(`took over the lock of a run that is gone (pid ${summary.staleLock.pid}, started ${summary.staleLock.startedAt})`);
  for (const e of summary.registryErrors) lines.push(`registry ${e.file} line ${e.line}: ${e.message}`);
  for (const s of summary.sourceProblems) lines.push(`source ${s.status}: ${s.agency} ${s.url ?? ''} — ${s.detail ?? ''}`);
  for (const d of summary.documentProblems) lines.push(`document ${d.outcome}: ${d.url} — ${d.detail ?? ''}`);
  return lines;
}

/** True when --strict and something failed: the exit status a nightly job alerts on. */
export function strictFailure(options: CrawlCliOptions, summary: RunSummary): boolean {
  return Boolean(options.strict) && (summary.counts.failed > 0 || summary.counts.blocked > 0);
}

/** The action of `crawl` and `run`: one pipeline run from the command line, its summary on stdout. */
export async function crawlFromCli(name: 'crawl' | 'run', options: CrawlCliOptions, command: Command): Promise<RunSummary> {
  const global = globalOptions(command);
  const summary = await runPipeline({
    command: name,
    sourcesFile: sourcesFileFrom(options, global.dataDir, command),
    dataDir: global.dataDir,
    dbPath: global.db,
    warehouse: global.warehouse,
    settings: crawlSettingsFrom(options),
    batchSize: options.batchSize,
    workers: options.workers,
    flushIntervalMs: options.flushInterval * 1000,
  });
  for (const line of describeSummary(summary)) console.log(line);
  if (strictFailure(options, summary)) process.exitCode = 1;
  return summary;
}
