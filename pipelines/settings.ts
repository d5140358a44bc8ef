// Settings from outside the command line: a config file (gov-reports.config.yaml) and GOV_REPORTS_*
// environment variables. Precedence, highest first: command-line flags > environment > config file >
// built-in defaults. Every setting is a long option of some command, named the same way everywhere:
// `--min-gap 2` on the command line, `GOV_REPORTS_MIN_GAP=2` in the environment, `min-gap: 2` in the file.
import { existsSync, readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { UsageError } from './errors.ts';

export const CONFIG_FILE = 'gov-reports.config.yaml';
export const CONFIG_ENV = 'GOV_REPORTS_CONFIG';

/**
 * The options a config file or the environment may set (long names). Options that change what a single
 * call does (`--write`, `--json`, `--format`, `--out`) are left to the command line on purpose.
 */
export const SETTING_NAMES = [
  'db',
  'data-dir',
  'lock-timeout',
  'quiet',
  'verbose',
  'log-format',
  'sources',
  'contact',
  'min-gap',
  'per-host',
  'concurrency',
  'timeout',
  'deadline',
  'retries',
  'max-body',
  'max-list-pages',
  'batch-size',
  'flush-interval',
  'strict',
  'cron',
  'timezone',
] as const;

export function envVarOf(setting: string): string {
  return `GOV_REPORTS_${setting.toUpperCase().replace(/-/g, '_')}`;
}

/** The config file named by --config, else GOV_REPORTS_CONFIG, else ./gov-reports.config.yaml when present. */
export function configFileFrom(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--config' && argv[i + 1] !== undefined) return argv[i + 1];
    if (argv[i].startsWith('--config=')) return argv[i].slice('--config='.length);
  }
  if (process.env[CONFIG_ENV]) return process.env[CONFIG_ENV]!;
  return existsSync(CONFIG_FILE) ? CONFIG_FILE : null;
}

/** Read a config file: a YAML mapping of setting names to values. Errors name the file and the fix. */
export async function readConfig(file: string): Promise<Map<string, unknown>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; fix the path given by --config or ${CONFIG_ENV}`);
  }
  // Loaded only when there is a config file: --help without one does not pay for the YAML parser.
  const { parseDocument } = await import('yaml');
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new UsageError(`${file} is not valid YAML: ${document.errors[0].message.split('\n')[0]}`);
  const value = document.toJS() as unknown;
  if (value === null || value === undefined) return new Map();
  if (typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${file} must be a mapping of settings (e.g. "db: data/warehouse.duckdb")`);
  const settings = new Map(Object.entries(value as Record<string, unknown>));
  const known = new Set<string>(SETTING_NAMES);
  for (const key of settings.keys()) {
    if (!known.has(key)) throw new UsageError(`${file}: unknown setting "${key}"; known settings: ${SETTING_NAMES.join(', ')}`);
  }
  return settings;
}

/**
 * Give every setting option of `program` and its subcommands its value from the config file, then from
 * its environment variable; flags parsed afterwards override both. (Commander reads an option's env var
 * only when it is declared with it, so both sources are applied here, the same way.)
 */
export function applySettings(program: Command, config: Map<string, unknown>, configFile: string | null): void {
  const known = new Set<string>(SETTING_NAMES);
  for (const command of [program, ...program.commands]) {
    for (const option of command.options as Option[]) {
      const name = option.long?.replace(/^--/, '');
      if (!name || !known.has(name)) continue;
      const envVar = envVarOf(name);
      option.env(envVar); // shown in --help
      const key = option.attributeName();
      if (config.has(name)) {
        const value = settingValue(option, config.get(name), configFile!);
        option.default(value);
        command.setOptionValueWithSource(key, value, 'config');
      }
      const fromEnv = process.env[envVar];
      if (fromEnv !== undefined) command.setOptionValueWithSource(key, settingValue(option, isFlag(option) ? fromEnv !== '0' && fromEnv !== 'false' : fromEnv, envVar), 'env');
    }
  }
}

function isFlag(option: Option): boolean {
  return !option.required && !option.optional;
}

/** A config or environment value, checked and parsed like the flag's argument. `origin` names where it came from. */
function settingValue(option: Option, value: unknown, origin: string): unknown {
  const name = option.long!;
  if (isFlag(option)) {
    if (typeof value !== 'boolean') throw new UsageError(`${origin}: "${name.slice(2)}" must be true or false`);
    return value;
  }
  if (value === null || typeof value === 'object') throw new UsageError(`${origin}: "${name.slice(2)}" must be a single value`);
  const text = String(value);
  if (option.argChoices && !option.argChoices.includes(text)) throw new UsageError(`${origin}: "${name.slice(2)}" must be one of ${option.argChoices.join(', ')}`);
  try {
    return option.parseArg ? option.parseArg(text, undefined) : text;
  } catch (error) {
    throw new UsageError(`${origin}: "${name.slice(2)}": ${(error as Error).message}`);
  }
}
