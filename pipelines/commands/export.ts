// gov-reports export --format parquet|csv --out DIR: every table and view of the warehouse.
import type { Command } from 'commander';
import { globalOptions } from '../cliSupport.ts';
import { checkFolderCreatable } from '../directories.ts';
import { UsageError } from '../errors.ts';
import type { ExportFormat } from '../export.ts';

export function register(program: Command): void {
  program
    .command('export')
    .description('export every table and view (Parquet partitioned by report_year, or CSV with a UTF-8 BOM for Excel)')
    // The formats are checked against export.ts's list when the command runs: naming them here without loading
    // export.ts (and its data dictionary) keeps --help fast.
    .option('--format <format>', 'output format: parquet or csv', 'parquet')
    .requiredOption('--out <dir>', 'output folder: new, empty, or a previous export (replaced whole); any other folder is refused')
    .action(async (options: { format: ExportFormat; out: string }, command: Command) => {
      const { EXPORT_FORMATS, exportWarehouse } = await import('../export.ts');
      if (!EXPORT_FORMATS.includes(options.format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')} (got "${options.format}")`);
      const global = globalOptions(command);
      checkFolderCreatable(options.out); // /proc/x, /dev/null/x: one clear error before anything is opened
      // Loaded when the command runs, so --help and usage errors do not pay for DuckDB.
      const { withWarehouse } = await import('../warehouse.ts');
      const exported = await withWarehouse(global.db, { ...global.warehouse, readOnly: true }, (warehouse) =>
        exportWarehouse(warehouse, { format: options.format, outDir: options.out }),
      );
      for (const relation of exported) {
        const layout = relation.partitionedBy ? ` (partitioned by ${relation.partitionedBy})` : '';
        console.log(`${relation.kind} ${relation.name}: ${relation.rows} rows → ${relation.path}${layout}`);
      }
    });
}
