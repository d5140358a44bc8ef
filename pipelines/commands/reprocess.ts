// gov-reports reprocess: extract every archived report again with the current extractor and load
// the records; reads data/raw/ and the crawl journal only, never the network.
import type { Command } from 'commander';
import { globalOptions, parsePositiveInteger } from '../cliSupport.ts';
import { describeSummary } from '../crawl/cliOptions.ts';
import { DEFAULT_BATCH_SIZE, runPipeline } from '../run.ts';

export function register(program: Command): void {
  program
    .command('reprocess')
    .description('re-extract every archived report (data/raw/) with the current extractor and reload it; no network')
    .option('--batch-size <n>', 'documents per warehouse batch', parsePositiveInteger, DEFAULT_BATCH_SIZE)
    .option('--no-ocr', 'do not read scanned pages by OCR (they are reported as scans)')
    .action(async (options: { batchSize: number; ocr: boolean }, command: Command) => {
      const global = globalOptions(command);
      const summary = await runPipeline({ command: 'reprocess', dataDir: global.dataDir, dbPath: global.db, warehouse: global.warehouse, batchSize: options.batchSize, ocr: { enabled: options.ocr } });
      for (const line of describeSummary(summary)) console.log(line);
    });
}
