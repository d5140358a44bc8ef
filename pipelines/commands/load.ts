// gov-reports load FILE-OR-URL...: extract and load into the warehouse, one transaction per batch.
import type { Command } from 'commander';
import { describeRecord, globalOptions, parsePositiveInteger, startProgress } from '../cliSupport.ts';
import { DEFAULT_BATCH_SIZE } from '../load.ts';

export function register(program: Command): void {
  program
    .command('load')
    .description('extract report files or URLs and load them into the warehouse (idempotent: reloading replaces)')
    .argument('<inputs...>', 'report files (HTML, text, markdown, PDF, Word) or http(s) URLs')
    .option('--batch-size <n>', 'records per transaction; the warehouse is held only while a batch is written', parsePositiveInteger, DEFAULT_BATCH_SIZE)
    .option('--no-ocr', 'do not read scanned pages by OCR (they are reported as scans)')
    .addHelpText('after', '\nExit status: 0 when every input was read as a report, 1 when any failed, 2 on a usage error.')
    .action(async (inputs: string[], options: { batchSize: number; ocr: boolean }, command: Command) => {
      const global = globalOptions(command);
      // Loaded when the command runs, so --help and usage errors do not pay for the extractors.
      const { ingest } = await import('../ingest.ts');
      const progress = startProgress(inputs.length, 'extracting');
      const result = await ingest(inputs, {
        dbPath: global.db,
        warehouse: global.warehouse,
        batchSize: options.batchSize,
        ocr: { enabled: options.ocr, cacheDir: global.dataDir },
        onExtracted: ({ input }) => progress.tick(input),
      }).finally(() => progress.stop());
      for (const { record } of result.failed) console.error(describeRecord(record));
      const { loaded } = result;
      console.log(
        `loaded ${loaded.reports} report(s) into ${global.db} (${loaded.replaced} replaced): ` +
          `${loaded.cells} cells, ${loaded.checks} checks, ${loaded.issues} issues, ${loaded.proseCounts} prose counts; ` +
          `${result.failed.length} of ${inputs.length} input(s) failed, ${result.notLoaded.length} unreadable`,
      );
      if (result.failed.length > 0) process.exitCode = 1;
    });
}
