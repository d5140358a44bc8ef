// gov-reports load FILE-OR-URL... [--from-list FILE]: extract and load into the warehouse, one transaction per batch.
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { describeRecord, globalOptions, parsePositiveInteger, startProgress } from '../cliSupport.ts';
import { DEFAULT_BATCH_SIZE } from '../load.ts';

export function register(program: Command): void {
  program
    .command('load')
    .description('extract report files, folders or URLs and load them into the warehouse (idempotent: reloading replaces)')
    .argument('[inputs...]', 'report files (HTML, text, markdown, PDF, Word), folders (read recursively), quoted globs (\'reports/**/*.pdf\') or http(s) URLs')
    .option('--from-list <file>', 'also read the inputs listed in FILE, one a line (for more files than a command line holds)', collect, [])
    .option('--batch-size <n>', 'records per transaction; the warehouse is held only while a batch is written', parsePositiveInteger, DEFAULT_BATCH_SIZE)
    .option('--workers <n>', 'extraction worker processes (default: one per core)', parsePositiveInteger, availableParallelism())
    .addHelpText('after', '\nExit status: 0 when every input was read as a report, 1 when any failed, 2 on a usage error.')
    .action(async (inputs: string[], options: { batchSize: number; fromList: string[]; workers: number }, command: Command) => {
      if (inputs.length === 0 && options.fromList.length === 0) command.error('error: give report files, folders or URLs, or --from-list FILE');
      const global = globalOptions(command);
      // Loaded when the command runs, so --help and usage errors do not pay for the extractors.
      const { ingest } = await import('../ingest.ts');
      const { streamInputs } = await import('../inputStream.ts');
      // A bar only when the inputs are known up front (plain files on the command line).
      const progress = startProgress(options.fromList.length === 0 ? inputs.length : 0, 'extracting');
      const result = await ingest(streamInputs({ args: inputs, lists: options.fromList }), {
        dbPath: global.db,
        dataDir: global.dataDir,
        warehouse: global.warehouse,
        batchSize: options.batchSize,
        workers: options.workers,
        onExtracted: ({ input, record }) => {
          progress.tick(input);
          if (record.issues.some((issue) => issue.severity === 'error')) console.error(describeRecord(record));
        },
      }).finally(() => progress.stop());
      const { loaded } = result;
      console.log(
        `loaded ${loaded.reports} report(s) into ${global.db} (${loaded.replaced} replaced): ` +
          `${loaded.cells} cells, ${loaded.checks} checks, ${loaded.issues} issues, ${loaded.proseCounts} prose counts; ` +
          `${result.failed} of ${result.inputs} input(s) failed, ${result.notLoaded} unreadable`,
      );
      if (result.failed > 0) process.exitCode = 1;
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
