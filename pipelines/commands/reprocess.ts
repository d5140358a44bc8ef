// gov-reports reprocess: extract every archived report again with the current extractor and load
// the records; reads data/raw/ and the crawl journal only, never the network.
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { globalOptions, parsePositiveInteger } from '../cliSupport.ts';
import { describeSummary } from '../crawl/cliOptions.ts';
import { DEFAULT_BATCH_SIZE, runPipeline } from '../run.ts';

export function register(program: Command): void {
  program
    .command('reprocess')
    .description('re-extract every archived report (data/raw/) with the current extractor and reload it; no network')
    .option('--batch-size <n>', 'documents per warehouse batch', parsePositiveInteger, DEFAULT_BATCH_SIZE)
    .option('--workers <n>', 'extraction worker processes (default: one per core)', parsePositiveInteger, availableParallelism())
    .action(async (options: { batchSize: number; workers: number }, command: Command) => {
      const global = globalOptions(command);
      const summary = await runPipeline({ command: 'reprocess', dataDir: global.dataDir, dbPath: global.db, warehouse: global.warehouse, batchSize: options.batchSize, workers: options.workers });
      for (const line of describeSummary(summary)) console.log(line);
    });
}
