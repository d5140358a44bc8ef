// gov-reports load FILE-OR-URL... [--from-list FILE]: extract and load into the warehouse, one transaction per batch.
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { printSummary, printSummaryLine } from '../cliOutput.ts';
import { describeRecord, globalOptions, parsePositiveInteger, startProgress } from '../cliSupport.ts';

/** Failures named one by one in the JSON summary; past this only counted (a batch may hold 100,000 inputs). */
const MAX_FAILURES_LISTED = 1000;

export function register(program: Command): void {
  program
    .command('load')
    .description('extract report files, folders or URLs and load them into the warehouse (idempotent: reloading replaces)')
    .argument('[inputs...]', 'report files (HTML, text, markdown, PDF, Word), folders (read recursively), quoted globs (\'reports/**/*.pdf\') or http(s) URLs')
    .option('--from-list <file>', 'also read the inputs listed in FILE, one a line (for more files than a command line holds)', collect, [])
    // No commander default: the loader's own (25) applies, and --help does not load the loader to show it.
    .option('--batch-size <n>', 'records per transaction; the warehouse is held only while a batch is written (default: 500)', parsePositiveInteger)
    .option('--workers <n>', 'extraction worker processes (default: one per core)', parsePositiveInteger, availableParallelism())
    .option('--json', 'print the summary as one JSON object (the default off a terminal)')
    .option('--no-ocr', 'do not read scanned pages by OCR (they are reported as scans)')
    .action(async (inputs: string[], options: { batchSize?: number; fromList: string[]; workers: number; json?: boolean; ocr: boolean }, command: Command) => {
      if (inputs.length === 0 && options.fromList.length === 0) command.error('error: give report files, folders or URLs, or --from-list FILE');
      const global = globalOptions(command);
      // Loaded when the command runs, so --help and usage errors do not pay for the extractors.
      const { ingest } = await import('../ingest.ts');
      const { streamInputs } = await import('../inputStream.ts');
      // A bar only when the inputs are known up front (plain files on the command line).
      const progress = await startProgress(options.fromList.length === 0 ? inputs.length : 0, 'extracting');
      const failures: { input: string; issue: unknown }[] = [];
      const result = await ingest(streamInputs({ args: inputs, lists: options.fromList }), {
        dbPath: global.db,
        dataDir: global.dataDir,
        warehouse: global.warehouse,
        batchSize: options.batchSize,
        workers: options.workers,
        ocr: { enabled: options.ocr, cacheDir: global.dataDir },
        onExtracted: ({ input, record }) => {
          progress.tick(input);
          const issue = record.issues.find((i) => i.severity === 'error');
          if (!issue) return;
          // Failures and the summary on one stream (stdout), each failure as it happens.
          printSummaryLine([describeRecord(record)], options.json);
          if (failures.length < MAX_FAILURES_LISTED) failures.push({ input, issue });
        },
      }).finally(() => progress.stop());
      const { loaded } = result;
      printSummary(
        [
          `loaded ${loaded.reports} report(s) into ${global.db} (${loaded.replaced} replaced): ` +
            `${loaded.cells} cells, ${loaded.checks} checks, ${loaded.issues} issues, ${loaded.proseCounts} prose counts; ` +
            `${result.failed} of ${result.inputs} input(s) failed, ${result.notLoaded} unreadable`,
        ],
        {
          type: 'load_summary',
          db: global.db,
          inputs: result.inputs,
          loaded,
          failed: result.failed,
          // The first MAX_FAILURES_LISTED failures, each with its error issue.
          failures,
          unreadable: result.notLoaded,
        },
        options.json,
      );
      if (result.failed > 0) process.exitCode = 1;
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
