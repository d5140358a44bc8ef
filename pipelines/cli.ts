// The gov-reports command line. Each subcommand lives in pipelines/commands/<name>.ts and exports
// register(program); this file only lists them, sets the global options, reads settings from the config
// file and environment (pipelines/settings.ts), and maps errors to one line and an exit status.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { addGlobalOptions, type CommandModule } from './cliSupport.ts';
import { configureOutput, logMessage, outputOptionsFromArgv, outputSettings, type OutputOptions } from './cliOutput.ts';
import { PipelineError } from './errors.ts';
import { MODULE_EXTENSION, packagePath } from './packageRoot.ts';
import { applySettings, configFileFrom, readConfig } from './settings.ts';

/** The subcommands in --help order; adding one is a file in commands/ and its name here. */
export const COMMAND_NAMES = ['crawl', 'extract', 'load', 'run', 'reprocess', 'schedule', 'export', 'query', 'report', 'demo', 'quarantine'];

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Printed at the end of every --help. */
export const EXIT_CODES_HELP = `
Exit status:
  0  done: every input was read, the run finished (per-source problems are listed; see --strict)
  1  failed: an input could not be read as a report, the run could not finish, every source failed,
     --strict and something failed, a SQL error, or a file or folder that cannot be read or written
  2  usage error: a bad option or argument, a --db that is not a DuckDB file, a bad config file
Settings: flags > GOV_REPORTS_* environment variables > gov-reports.config.yaml (or --config FILE) > defaults.`;

const { version } = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string };

export async function buildProgram(): Promise<Command> {
  const program = new Command('gov-reports')
    .description('Turn 政府信息公开工作年度报告 (OGI annual reports) into a DuckDB warehouse: crawl → extract → load → export')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    // Settings before .command() are inherited by every subcommand.
    .exitOverride()
    .configureOutput({
      outputError: (message, write) => (outputSettings().logFormat === 'json' ? logMessage('error', message.replace(/^error: /, '').trim(), { exitCode: EXIT_USAGE }) : write(message)),
      writeErr: (text) => {
        // The "(run with --help …)" hint is for people; a JSON log gets only the error line above.
        if (outputSettings().logFormat === 'text') process.stderr.write(text);
      },
    });
  addGlobalOptions(program);
  for (const name of COMMAND_NAMES) {
    const command = (await import(/* @vite-ignore */ `./commands/${name}${MODULE_EXTENSION}`)) as CommandModule;
    command.register(program);
  }
  program.addHelpText('afterAll', EXIT_CODES_HELP);
  program.hook('preAction', (_program, action) => {
    configureOutput(action.optsWithGlobals<OutputOptions>());
  });
  return program;
}

/** Run the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  configureOutput(outputOptionsFromArgv(argv));
  try {
    const configFile = configFileFrom(argv);
    const program = await buildProgram();
    applySettings(program, configFile ? await readConfig(configFile) : new Map(), configFile);
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    return reportError(error);
  }
}

/** One line for the user, and the exit status. A trace only for what is a bug of ours. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  // A JSON log line carries the exit status; a person sees it from the shell.
  const status = (exitCode: number) => (outputSettings().logFormat === 'json' ? { exitCode } : {});
  if (error instanceof PipelineError) {
    logMessage('error', error.describe(), status(error.exitCode));
    return error.exitCode;
  }
  const system = describeSystemError(error);
  if (system) {
    logMessage('error', system, status(EXIT_FAILED));
    return EXIT_FAILED;
  }
  logMessage('error', 'unexpected error (a bug: please report it with this trace)', { exitCode: EXIT_FAILED, trace: error instanceof Error ? error.stack : String(error) });
  if (outputSettings().logFormat === 'text') console.error(error);
  return EXIT_FAILED;
}

const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EMFILE: 'too many open files (raise `ulimit -n`)',
  EEXIST: 'it already exists',
  EINVAL: 'not possible there (a special file system such as /proc or /sys?)',
  ENAMETOOLONG: 'the name is too long',
};

/** A file-system error as one line: what could not be done to which path, and why. */
function describeSystemError(error: unknown): string | null {
  const e = error as NodeJS.ErrnoException;
  if (!(error instanceof Error) || typeof e.code !== 'string' || !(e.code in SYSTEM_ERRORS)) return null;
  const what = e.syscall ?? 'use';
  const path = e.path ? ` ${e.path}` : '';
  return `cannot ${what}${path}: ${SYSTEM_ERRORS[e.code]} (${e.code}); choose another path or fix its permissions`;
}

/**
 * The process around main(): a closed stdout (`| head`) ends the command quietly with status 0, and the
 * process exits once main() is done even if a socket or timer is still open.
 */
export async function runCli(argv: readonly string[] = process.argv): Promise<never> {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(EXIT_OK);
      throw error;
    });
  }
  const code = await main(argv);
  // Let buffered output reach a pipe or file before exiting.
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
  process.exit(code);
}

// `tsx pipelines/cli.ts …` (npm run cli / npm run demo) runs it directly; bin/gov-reports.js imports it compiled.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCli();
}
