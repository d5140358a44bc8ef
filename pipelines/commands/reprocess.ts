// gov-reports reprocess: extract every archived report again with the current extractor and load
// the records; reads data/raw/ and the crawl journal only, never the network.
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { globalOptions, parsePositiveInteger } from '../cliSupport.ts';
import { cliReporter, printRunSummary } from '../crawl/cliOptions.ts';

export function register(program: Command): void {
  program
    .command('reprocess')
    .description('re-extract every archived report (data/raw/) with the current extractor and reload it; no network')
    .option('--batch-size <n>', 'documents per warehouse batch; the warehouse is held only while a batch is written (default: 500)', parsePositiveInteger)
    .option('--workers <n>', 'extraction worker processes (default: one per core)', parsePositiveInteger, availableParallelism())
    .option('--json', 'print the summary as one JSON object (the default off a terminal)')
    .option('--no-ocr', 'do not read scanned pages by OCR (they are reported as scans)')
    .action(async (options: { batchSize?: number; workers: number; json?: boolean; ocr: boolean }, command: Command) => {
      const global = globalOptions(command);
      // Loaded when the command runs, so --help and usage errors do not pay for the extractors.
      const { runPipeline } = await import('../run.ts');
      const summary = await runPipeline({
        command: 'reprocess',
        dataDir: global.dataDir,
        dbPath: global.db,
        warehouse: global.warehouse,
        batchSize: options.batchSize,
        workers: options.workers,
        ocr: { enabled: options.ocr },
        reporter: await cliReporter(),
      });
      printRunSummary(summary, options.json);
    });
}
