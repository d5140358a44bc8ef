// gov-reports report --out FILE.html: a self-contained summary page of the warehouse (charts inlined, no network).
import type { Command } from 'commander';
import { globalOptions } from '../cliSupport.ts';

export function register(program: Command): void {
  program
    .command('report')
    .description('write a one-file HTML summary of the warehouse: reports per year, applications and outcomes, largest agencies, year-over-year change, denials, reviews and lawsuits, failed arithmetic, coverage')
    .requiredOption('--out <file>', 'the HTML file to write (opens offline in any browser)')
    .action(async (options: { out: string }, command: Command) => {
      const global = globalOptions(command);
      // Loaded when the command runs, so --help and usage errors do not pay for DuckDB.
      const [{ writeReportPage }, { withWarehouse }] = await Promise.all([import('../reportPage.ts'), import('../warehouse.ts')]);
      const summary = await withWarehouse(global.db, { ...global.warehouse, readOnly: true }, (warehouse) => writeReportPage(warehouse, options.out));
      console.log(`report: ${options.out} (${summary.reports} reports, ${summary.agencies} agencies)`);
    });
}
