// What the subcommands of pipelines/commands/ share: the global options, the module shape each
// command file exports, and progress output (a bar on a terminal, nothing when piped).
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ReportRecord } from '../transforms/recordSchema.ts';
import { LOG_FORMATS, logMessage, outputSettings } from './cliOutput.ts';
import { CONFIG_FILE, CONFIG_ENV } from './settings.ts';
import type { OpenWarehouseOptions } from './warehouse.ts';
import { checkDatabaseFile, DEFAULT_DB_FILE, DEFAULT_LOCK_TIMEOUT_MS } from './warehouseFile.ts';

/** Every file in pipelines/commands/ exports this; pipelines/cli.ts lists the files. */
export interface CommandModule {
  register(program: Command): void;
}

export const DEFAULT_DATA_DIR = 'data/';

export interface GlobalOptions {
  db: string;
  dataDir: string;
  /** Ready to pass to Warehouse.open / withWarehouse. */
  warehouse: OpenWarehouseOptions;
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option('--db <file>', `DuckDB warehouse file (default: <data-dir>/${DEFAULT_DB_FILE})`)
    .option('--data-dir <dir>', 'data directory: raw archive, exports, default warehouse', DEFAULT_DATA_DIR)
    .option(
      '--lock-timeout <seconds>',
      'how long to wait for another process to release the warehouse file',
      parsePositiveNumber,
      DEFAULT_LOCK_TIMEOUT_MS / 1000,
    )
    .option('--quiet', 'print only errors (and the output asked for: records, query results, --json)')
    .option('--verbose', 'print debug detail (every request, every document)')
    .addOption(new Option('--log-format <format>', 'stderr as readable text or JSON lines (auto: text on a terminal, JSON otherwise)').choices(LOG_FORMATS).default('auto'))
    .option('--config <file>', `settings file (default: ./${CONFIG_FILE} when present, or $${CONFIG_ENV})`);
}

export function globalOptions(command: Command): GlobalOptions {
  const options = command.optsWithGlobals<{ db?: string; dataDir: string; lockTimeout: number }>();
  const db = options.db ?? join(options.dataDir, DEFAULT_DB_FILE);
  checkDatabaseFile(db); // before any work: a CSV given as --db is refused at once, not after extracting
  return {
    dataDir: options.dataDir,
    db,
    warehouse: {
      lockTimeoutMs: options.lockTimeout * 1000,
      onLockWait: ({ attempt, holder }) => {
        if (attempt === 1) logMessage('warn', `waiting for the warehouse lock${holder ? ` held by ${holder}` : ''}…`);
      },
    },
  };
}

export function parsePositiveNumber(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new InvalidArgumentError('expected a number ≥ 0');
  return value;
}

export function parsePositiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError('expected an integer ≥ 1');
  return value;
}

/** Counts progress through a list; draws a bar on stderr when it is a terminal, stays silent otherwise. */
export interface Progress {
  tick(label: string): void;
  stop(): void;
}

export async function startProgress(total: number, title: string): Promise<Progress> {
  if (!process.stderr.isTTY || outputSettings().logFormat !== 'text' || outputSettings().quiet || total === 0) return { tick() {}, stop() {} };
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${title} {bar} {value}/{total} {label}`, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: '' });
  return {
    tick: (label) => bar.increment(1, { label }),
    stop: () => bar.stop(),
  };
}

/** One line about an extracted record, for people: who, which year, which template, what went wrong. */
export function describeRecord(record: ReportRecord): string {
  const errors = record.issues.filter((issue) => issue.severity === 'error');
  if (errors.length > 0 && Object.keys(record.cells).length === 0) {
    return `${record.source}: FAILED (${errors[0].code}) ${errors[0].message}`;
  }
  const { meta } = record;
  const failedChecks = record.checks.filter((check) => !check.passed).length;
  const issueCounts = (['error', 'warning', 'info'] as const)
    .map((severity) => [severity, record.issues.filter((issue) => issue.severity === severity).length] as const)
    .filter(([, n]) => n > 0)
    .map(([severity, n]) => `${n} ${severity}${n === 1 ? '' : 's'}`);
  return [
    `${record.source}: ${meta.agency_name ?? '(agency unknown)'} ${meta.report_year ?? '(year unknown)'}`,
    `${meta.template_version} (t2 ${meta.t2_layout}, t3 ${meta.t3_layout})`,
    `${Object.keys(record.cells).length} cells`,
    `${failedChecks}/${record.checks.length} checks failed`,
    `issues: ${issueCounts.length > 0 ? issueCounts.join(', ') : 'none'}`,
  ].join(' · ');
}
