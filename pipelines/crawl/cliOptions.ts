// The options `crawl`, `run` and `schedule` share, and the summary they print.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { globalOptions, parsePositiveInteger, parsePositiveNumber } from '../cliSupport.ts';
import type { RunSummary } from '../run.ts';
import { outputSettings, printSummary } from '../cliOutput.ts';
import { DEFAULT_CRAWL_SETTINGS, userAgentFor, type CrawlSettings } from './budgets.ts';
import type { RunReporter } from './progress.ts';

export interface CrawlCliOptions {
  sources?: string;
  minGap: number;
  perHost: number;
  concurrency: number;
  timeout: number;
  deadline: number;
  retries: number;
  maxBody: number;
  maxListPages: number;
  contact?: string;
  batchSize?: number;
  workers: number;
  flushInterval?: number;
  strict?: boolean;
  /** False with --no-ocr (run). */
  ocr?: boolean;
  json?: boolean;
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
    .option('--deadline <seconds>', 'longest time one request may take, all attempts and redirects together (a slow-drip body ends here)', parsePositiveNumber, fetcher.deadlineMs / 1000)
    .option('--retries <n>', 'retries on network errors, 429 and 5xx (with backoff)', parseRetries, fetcher.retries)
    .option('--max-body <megabytes>', 'larger responses are abandoned (counted after gzip/br/deflate decompression)', parsePositiveNumber, fetcher.maxBodyBytes / 1024 / 1024)
    .option('--max-list-pages <n>', 'list pages read per source at most', parsePositiveInteger, DEFAULT_CRAWL_SETTINGS.maxListPages)
    .option('--contact <email-or-url>', 'added to the User-Agent so site operators can reach you')
    // Batch size and flush interval default inside runPipeline (25, 15 s); --help does not load it to show them.
    .option('--batch-size <n>', 'documents per warehouse batch (default: 25)', parsePositiveInteger)
    .option('--workers <n>', 'extraction worker processes (default: one per core)', parsePositiveInteger, availableParallelism())
    .option('--flush-interval <seconds>', 'longest time between warehouse batches (default: 15)', parsePositiveNumber)
    .option('--strict', 'exit with status 1 when any source or document failed or was blocked')
    .option('--json', 'print the run summary as one JSON object on stdout (the default off a terminal)');
}

export function crawlSettingsFrom(options: CrawlCliOptions): CrawlSettings {
  return {
    politeness: { minGapMs: options.minGap * 1000, perHostConcurrency: options.perHost, globalConcurrency: options.concurrency },
    fetcher: {
      ...fetcher,
      userAgent: userAgentFor(options.contact),
      timeoutMs: options.timeout * 1000,
      deadlineMs: options.deadline * 1000,
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
      `${c.extracted} extracted, ${summary.rejected} rejected (not reports), ${c.failed} failed, ${c.blocked} blocked`,
  ];
  if (summary.staleLock) lines.push(`took over the lock of a run that is gone (pid ${summary.staleLock.pid}, started ${summary.staleLock.startedAt})`);
  for (const e of summary.registryErrors) lines.push(`registry ${e.file} line ${e.line}: ${e.message}`);
  for (const s of summary.sourceProblems) lines.push(`source ${s.status}: ${s.agency} ${s.url ?? ''} — ${s.detail ?? ''}`);
  for (const d of summary.documentProblems) lines.push(`document ${d.outcome}: ${d.url} — ${d.detail ?? ''}`);
  if (everySourceFailed(summary)) lines.push('every source failed: nothing was crawled (exit status 1)');
  return lines;
}

/** A run with sources to crawl in which none ended ok: the night produced nothing, whatever --strict says. */
export function everySourceFailed(summary: RunSummary): boolean {
  if (summary.command === 'reprocess') return false;
  const attempted = summary.sourcesCrawled + summary.registryErrors.length;
  return attempted > 0 && summary.sourceProblems.length + summary.registryErrors.length >= attempted;
}

/** Exit status 1 when every source failed, or with --strict when anything failed: what a nightly job alerts on. */
export function runFailed(options: Pick<CrawlCliOptions, 'strict'>, summary: RunSummary): boolean {
  return everySourceFailed(summary) || (Boolean(options.strict) && (summary.counts.failed > 0 || summary.counts.blocked > 0));
}

/** The summary on stdout: text lines on a terminal, one JSON object with --json or off a terminal. */
export function printRunSummary(summary: RunSummary, json?: boolean): void {
  printSummary(describeSummary(summary), { type: 'run_summary', ...summary, everySourceFailed: everySourceFailed(summary) }, json);
}

/** The run reporter for the command line's output settings (--quiet, --verbose, --log-format). */
export async function cliReporter(): Promise<RunReporter> {
  const { createReporter } = await import('./progress.ts');
  const output = outputSettings();
  const level = output.verbose ? 'debug' : output.quiet ? 'error' : undefined;
  return createReporter({ tty: Boolean(process.stderr.isTTY) && output.logFormat === 'text' && !output.quiet, format: output.logFormat, level });
}

/** The action of `crawl` and `run`: one pipeline run from the command line, its summary on stdout. */
export async function crawlFromCli(name: 'crawl' | 'run', options: CrawlCliOptions, command: Command): Promise<RunSummary> {
  const global = globalOptions(command);
  // Loaded when the command runs, so --help and usage errors do not pay for the crawler and the extractors.
  const { runPipeline } = await import('../run.ts');
  const summary = await runPipeline({
    command: name,
    sourcesFile: sourcesFileFrom(options, global.dataDir, command),
    dataDir: global.dataDir,
    dbPath: global.db,
    warehouse: global.warehouse,
    settings: crawlSettingsFrom(options),
    batchSize: options.batchSize,
    flushIntervalMs: options.flushInterval === undefined ? undefined : options.flushInterval * 1000,
    workers: options.workers,
    ocr: { enabled: options.ocr !== false },
    reporter: await cliReporter(),
  });
  printRunSummary(summary, options.json);
  if (runFailed(options, summary)) process.exitCode = 1;
  return summary;
}
