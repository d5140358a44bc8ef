// gov-reports query "SQL": run SQL against the warehouse and print the result.
import { Option, type Command } from 'commander';
import { globalOptions } from '../cliSupport.ts';
import { QUERY_FORMATS, formatResult, runQuery, type QueryFormat } from '../query.ts';
import { withWarehouse } from '../warehouse.ts';

export function register(program: Command): void {
  program
    .command('query')
    .description('run SQL against the warehouse (read-only unless --write) and print the result')
    .argument('<sql>', 'the SQL to run, e.g. "SELECT * FROM report_headlines"; with several statements the last one is printed')
    .addOption(new Option('--format <format>', 'output format').choices(QUERY_FORMATS).default('table'))
    .option('--write', 'open the warehouse for writing (takes the file lock; for UPDATE/DELETE/CREATE)')
    .addHelpText(
      'after',
      '\nTables: reports, cells, checks, issues, prose_counts, documents, sources, fetches, runs, run_documents.\n' +
        'Views: report_headlines, check_failures, cell_values_wide_t3, cell_values_wide_t4, cross_year_checks.',
    )
    .action(async (sql: string, options: { format: QueryFormat; write?: boolean }, command: Command) => {
      const global = globalOptions(command);
      const result = await withWarehouse(global.db, { ...global.warehouse, readOnly: !options.write }, (warehouse) =>
        runQuery(warehouse, sql),
      );
      process.stdout.write(formatResult(result, options.format));
    });
}
