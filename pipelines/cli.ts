// The gov-reports command line. Each subcommand lives in pipelines/commands/<name>.ts and exports
// register(program); this file only lists them, sets the global options and maps errors to exit codes:
// 0 every input was read, 1 an input or the run failed, 2 usage error.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { addGlobalOptions, type CommandModule } from './cliSupport.ts';
import { PipelineError } from './errors.ts';

/** The subcommands in --help order; adding one is a file in commands/ and its name here. */
export const COMMAND_NAMES = ['crawl', 'extract', 'load', 'run', 'reprocess', 'schedule', 'export', 'query', 'demo', 'quarantine'];

export const EXIT_USAGE = 2;

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export async function buildProgram(): Promise<Command> {
  const program = new Command('gov-reports')
    .description('Turn 政府信息公开工作年度报告 (OGI annual reports) into a DuckDB warehouse: crawl → extract → load → export')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    // Settings before .command() are inherited by every subcommand.
    .exitOverride();
  addGlobalOptions(program);
  for (const name of COMMAND_NAMES) {
    const command = (await import(`./commands/${name}.ts`)) as CommandModule;
    command.register(program);
  }
  return program;
}

/** Run the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof PipelineError) {
      console.error(`gov-reports: ${error.describe()}`);
      return 1;
    }
    console.error('gov-reports: unexpected error (a bug: please report it with this trace)');
    console.error(error);
    return 1;
  }
}

// `tsx pipelines/cli.ts …` (npm run cli / npm run demo) runs it directly; bin/gov-reports.js imports main.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
