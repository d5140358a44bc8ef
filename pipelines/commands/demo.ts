// gov-reports demo: the whole pipeline, offline, on the bundled samples.
import { join } from 'node:path';
import type { Command } from 'commander';
import { globalOptions, startProgress } from '../cliSupport.ts';
import { formatTable } from '../query.ts';
import { listSamples, SAMPLES_DIR } from '../samples.ts';

export function register(program: Command): void {
  program
    .command('demo')
    .description('run the pipeline offline on the bundled samples: extract, load, export Parquet, print a summary')
    .option('--samples <dir>', 'sample folder with seeds/ and corpus/ subfolders', SAMPLES_DIR)
    .addHelpText('after', '\nWrites <data-dir>/warehouse.duckdb (or --db) and <data-dir>/export/. Safe to run again: loading is idempotent.')
    .action(async (options: { samples: string }, command: Command) => {
      const global = globalOptions(command);
      // Loaded when the command runs, so --help and usage errors do not pay for the extractors.
      const { runDemo } = await import('../demo.ts');
      const exportDir = join(global.dataDir, 'export');
      const progress = startProgress(listSamples(options.samples).length, 'extracting samples');
      const result = await runDemo({
        dbPath: global.db,
        exportDir,
        samplesDir: options.samples,
        warehouse: global.warehouse,
        onExtracted: ({ record }) => progress.tick(record.source),
      }).finally(() => progress.stop());
      const { ingested } = result;
      process.stdout.write(formatTable(result.headlines));
      console.log(
        `\n${ingested.inputs.length} sample documents: ${ingested.inputs.length - ingested.failed.length} extracted, ` +
          `${ingested.failed.length} with an error (see the errors column)`,
      );
      console.log(`warehouse: ${global.db} (${ingested.loaded.reports} reports, ${ingested.loaded.cells} cells)`);
      console.log(`export:    ${exportDir}/ (${result.exported.length} tables and views as Parquet)`);
      console.log(`try:       gov-reports query "SELECT * FROM report_headlines"${global.db === join('data/', 'warehouse.duckdb') ? '' : ` --db ${global.db}`}`);
    });
}
