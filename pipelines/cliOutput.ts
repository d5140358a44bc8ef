// What the command line writes where, one format per stream:
//   stderr  messages and logs: readable text on a terminal; JSON lines (pino's shape: level, time, msg)
//           anywhere else, so a cron log (`>> log 2>&1`) or a collector can parse every line;
//   stdout  the command's output (records, query results) and its summary: text on a terminal, one JSON
//           object off a terminal or with --json.
// `--quiet` keeps only errors (and the output asked for), `--verbose` adds debug lines; `--log-format`
// forces text or json.
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'text' | 'json';
export const LOG_FORMATS = ['auto', 'text', 'json'] as const;

/** pino's numbers, so our lines and the run reporter's lines read the same. */
export const PINO_LEVELS: Record<LogLevel, number> = { error: 50, warn: 40, info: 30, debug: 20 };

export interface OutputSettings {
  level: LogLevel;
  quiet: boolean;
  verbose: boolean;
  /** Of stderr. */
  logFormat: LogFormat;
  /** Of the summary on stdout (without --json). */
  summaryFormat: LogFormat;
}

export interface OutputOptions {
  quiet?: boolean;
  verbose?: boolean;
  logFormat?: (typeof LOG_FORMATS)[number];
}

let settings: OutputSettings = settingsFrom({});

function settingsFrom(options: OutputOptions): OutputSettings {
  const forced = options.logFormat && options.logFormat !== 'auto' ? options.logFormat : null;
  return {
    level: options.quiet ? 'error' : options.verbose ? 'debug' : 'info',
    quiet: Boolean(options.quiet),
    verbose: Boolean(options.verbose) && !options.quiet,
    logFormat: forced ?? (process.stderr.isTTY ? 'text' : 'json'),
    summaryFormat: forced ?? (process.stdout.isTTY ? 'text' : 'json'),
  };
}

export function configureOutput(options: OutputOptions): OutputSettings {
  settings = settingsFrom(options);
  return settings;
}

export function outputSettings(): OutputSettings {
  return settings;
}

/** Before the command line is parsed (a usage error, a bad config file): the flags as written. */
export function outputOptionsFromArgv(argv: readonly string[]): OutputOptions {
  const at = argv.findIndex((arg) => arg === '--log-format' || arg.startsWith('--log-format='));
  const format = at === -1 ? process.env.GOV_REPORTS_LOG_FORMAT : argv[at].includes('=') ? argv[at].split('=')[1] : argv[at + 1];
  return {
    quiet: argv.includes('--quiet') || 'GOV_REPORTS_QUIET' in process.env,
    verbose: argv.includes('--verbose') || 'GOV_REPORTS_VERBOSE' in process.env,
    logFormat: (LOG_FORMATS as readonly string[]).includes(format ?? '') ? (format as OutputOptions['logFormat']) : 'auto',
  };
}

function enabled(level: LogLevel): boolean {
  return PINO_LEVELS[level] >= PINO_LEVELS[settings.level];
}

/** One message on stderr: `gov-reports: …` on a terminal, a JSON line elsewhere. */
export function logMessage(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  if (!enabled(level)) return;
  if (settings.logFormat === 'json') {
    process.stderr.write(`${JSON.stringify({ level: PINO_LEVELS[level], time: new Date().toISOString(), msg: message, ...fields })}\n`);
  } else {
    const extra = Object.entries(fields).map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('');
    process.stderr.write(`${level === 'error' || level === 'warn' ? 'gov-reports: ' : ''}${message}${extra}\n`);
  }
}

/**
 * A command's summary on stdout: `lines` for people, or `object` as one JSON line with --json or off a
 * terminal. --quiet drops it unless --json asked for it.
 */
export function printSummary(lines: readonly string[], object: unknown, json = false): void {
  if (!json && settings.quiet) return;
  if (summaryIsJson(json)) process.stdout.write(`${JSON.stringify(object)}\n`);
  else printSummaryLine(lines);
}

/** Is the summary one JSON object (--json, or off a terminal)? Then stdout holds nothing else. */
export function summaryIsJson(json = false): boolean {
  return json || settings.summaryFormat === 'json';
}

/** Lines of a text summary printed as they happen (a long batch's failures), unless --quiet or JSON. */
export function printSummaryLine(lines: readonly string[], json = false): void {
  if (settings.quiet || summaryIsJson(json)) return;
  for (const line of lines) process.stdout.write(`${line}\n`);
}
