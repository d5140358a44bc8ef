// gov-reports load FILE-OR-URL...: extract and load into the warehouse, one transaction per batch.
import type { Command } from 'commander';
import { printSummary } from '../cliOutput.ts';
import { describeRecord, globalOptions, parsePositiveInteger, startProgress } from '../cliSupport.ts';

export function register(program: Command): void {
  program
    .command('load')
    .description('extract report files or URLs and load them into the warehouse (idempotent: reloading replaces)')
    .argument('<inputs...>', 'report files (HTML, text, markdown, PDF, Word) or http(s) URLs')
    // No commander default: the loader's own (25) applies, and --help does not load the loader to show it.
    .option('--batch-size <n>', 'records per transaction; the warehouse is held only while a batch is written (default: 25)', parsePositiveInteger)
    .option('--json', 'print the summary as one JSON object (the default off a terminal)')
    .option('--no-ocr', 'do not read scanned pages by OCR (they are reported as scans)')
    .action(async (inputs: string[], options: { batchSize?: number; json?: boolean; ocr: boolean }, command: Command) => {
      const global = globalOptions(command);
      // Loaded when the command runs, so --help and usage errors do not pay for the extractors.
      const { ingest } = await import('../ingest.ts');
      const progress = await startProgress(inputs.length, 'extracting');
      const result = await ingest(inputs, {
        dbPath: global.db,
        warehouse: global.warehouse,
        batchSize: options.batchSize,
        ocr: { enabled: options.ocr, cacheDir: global.dataDir },
        onExtracted: ({ input }) => progress.tick(input),
      }).finally(() => progress.stop());
      // Failures and the summary on one stream (stdout), as text on a terminal and as one JSON object elsewhere.
      const { loaded } = result;
      printSummary(
        [
          ...result.failed.map(({ record }) => describeRecord(record)),
          `loaded ${loaded.reports} report(s) into ${global.db} (${loaded.replaced} replaced): ` +
            `${loaded.cells} cells, ${loaded.checks} checks, ${loaded.issues} issues, ${loaded.proseCounts} prose counts; ` +
            `${result.failed.length} of ${inputs.length} input(s) failed, ${result.notLoaded.length} unreadable`,
        ],
        {
          type: 'load_summary',
          db: global.db,
          inputs: inputs.length,
          loaded,
          failed: result.failed.map(({ input, record }) => ({ input, issue: record.issues.find((issue) => issue.severity === 'error') ?? null })),
          unreadable: result.notLoaded.length,
        },
        options.json,
      );
      if (result.failed.length > 0) process.exitCode = 1;
    });
}
