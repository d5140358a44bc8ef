// gov-reports demo: the whole pipeline, offline, against a bundled imitation of government sites.
import { join } from 'node:path';
import type { Command } from 'commander';
import { globalOptions } from '../cliSupport.ts';
import { SAMPLES_DIR } from '../samples.ts';

export function register(program: Command): void {
  program
    .command('demo')
    .description('run the whole pipeline offline: crawl a bundled imitation of government sites serving the sample reports, extract, load, export Parquet, print a summary')
    .option('--samples <dir>', 'sample folder with seeds/ and corpus/ subfolders', SAMPLES_DIR)
    .addHelpText(
      'after',
      '\nStarts local sites on 127.0.0.x (TRS and Hanweb style, with decoys, robots.txt, a 412 challenge, a dead host),\n' +
        'runs crawl → extract → load into <data-dir>/warehouse.duckdb (or --db), exports Parquet to <data-dir>/export/,\n' +
        'writes the summary page <data-dir>/report.html.\n' +
        'Safe to run again: the second run is a nightly rerun (conditional requests, nothing re-extracted).',
    )
    .action(async (options: { samples: string }, command: Command) => {
      const global = globalOptions(command);
      // Loaded when the command runs, so --help and usage errors do not pay for the extractors.
      const { runDemo } = await import('../demo.ts');
      const { describeSummary } = await import('../crawl/cliOptions.ts');
      const exportDir = join(global.dataDir, 'export');
      const reportFile = join(global.dataDir, 'report.html');
      const result = await runDemo({ dbPath: global.db, dataDir: global.dataDir, exportDir, reportFile, samplesDir: options.samples, warehouse: global.warehouse });
      const { formatTable } = await import('../queryFormat.ts');
      process.stdout.write(formatTable(result.headlines));
      console.log('');
      for (const line of describeSummary(result.crawl.summary)) console.log(line);
      console.log(`\nregistry:  ${result.crawl.sourcesFile}`);
      console.log(`warehouse: ${global.db} (${result.headlines.rows.length} reports)`);
      console.log(`export:    ${exportDir}/ (${result.exported.length} tables and views as Parquet, with DATA_DICTIONARY.md)`);
      console.log(`report:    ${reportFile} (open it in a browser; works offline)`);
      console.log(`try:       gov-reports query "SELECT * FROM report_headlines"${global.db === join('data/', 'warehouse.duckdb') ? '' : ` --db ${global.db}`}`);
    });
}
