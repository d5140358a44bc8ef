// gov-reports query "SQL": run SQL against the warehouse and print the result.
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import { globalOptions } from '../cliSupport.ts';
import { UsageError } from '../errors.ts';
import { QUERY_FORMATS, formatResult, type QueryFormat } from '../queryFormat.ts';

export function register(program: Command): void {
  program
    .command('query')
    .description('run SQL against the warehouse (read-only unless --write) and print the result')
    .argument('<sql>', 'the SQL to run, e.g. "SELECT * FROM report_headlines"; with several statements the last one is printed')
    .addOption(new Option('--format <format>', 'output format').choices(QUERY_FORMATS).default('table'))
    .option('--write', 'open the warehouse for writing (takes the file lock; for UPDATE/DELETE/CREATE and COPY … TO a file)')
    .addHelpText(
      'after',
      '\nTables: reports, cells, checks, issues, prose_counts, documents, sources, fetches, runs, run_documents.\n' +
        'Views: report_headlines, check_failures, cell_values_wide_t3, cell_values_wide_t4, cross_year_checks.\n' +
        'Without --write the query can neither change the warehouse nor read or write any other file.',
    )
    .action(async (sql: string, options: { format: QueryFormat; write?: boolean }, command: Command) => {
      if (/^[\s;]*$/.test(sql)) throw new UsageError('the query is empty: give SQL, e.g. gov-reports query "SELECT * FROM report_headlines"');
      const global = globalOptions(command);
      // DuckDB would truncate its own open file: COPY/EXPORT naming the warehouse is refused even with --write.
      if (options.write && /\b(COPY|EXPORT)\b/i.test(sql) && sql.includes(basename(global.db))) {
        throw new UsageError(`refusing to write over the warehouse file ${global.db} itself; COPY to another file`);
      }
      // Loaded when the command runs, so --help and usage errors do not pay for DuckDB.
      const [{ runQuery }, { withWarehouse }] = await Promise.all([import('../query.ts'), import('../warehouse.ts')]);
      const result = await withWarehouse(global.db, { ...global.warehouse, readOnly: !options.write, noFileAccess: !options.write }, (warehouse) =>
        runQuery(warehouse, sql),
      );
      process.stdout.write(formatResult(result, options.format));
    });
}
