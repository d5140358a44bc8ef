// Export every table and view of the warehouse with DuckDB's COPY.
//
// Parquet layout (DIR/<relation>/…):
//   * a relation with a report_year column (reports, report_headlines, check_failures, …) is written
//     hive-partitioned: DIR/reports/report_year=2023/data_0.parquet, reports without a year under
//     report_year=__HIVE_DEFAULT_PARTITION__;
//   * a table that hangs off reports (a NOT NULL report_id column: cells, checks, issues, prose_counts)
//     is partitioned the same way through a join with reports, so a year's files sit side by side;
//   * every other relation (sources, documents, fetches, runs, run_documents, …) is one file,
//     DIR/<relation>.parquet.
//   report_year is also kept inside the files (WRITE_PARTITION_COLUMNS), so each file stands alone:
//   read_parquet('DIR/cells/**/*.parquet') works with or without hive partitioning. An empty
//   partitioned relation is one empty file DIR/<relation>/data_0.parquet, so its schema is still there.
// CSV layout: DIR/<relation>.csv, UTF-8 with a byte-order mark (Excel on Chinese Windows otherwise
//   reads it as GBK) and a header row.
import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FatalRunError } from './errors.ts';
import type { Warehouse } from './warehouse.ts';

export const EXPORT_FORMATS = ['parquet', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportedRelation {
  name: string;
  kind: 'table' | 'view';
  rows: number;
  /** The file, or for a partitioned relation the directory, that holds it. */
  path: string;
  partitionedBy: 'report_year' | null;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export async function exportWarehouse(
  warehouse: Warehouse,
  options: { format: ExportFormat; outDir: string },
): Promise<ExportedRelation[]> {
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const exported: ExportedRelation[] = [];
  for (const relation of await listRelations(warehouse)) {
    exported.push(
      options.format === 'parquet' ? await exportParquet(warehouse, relation, outDir) : await exportCsv(warehouse, relation, outDir),
    );
  }
  return exported;
}

interface Relation {
  name: string;
  kind: 'table' | 'view';
  hasReportYear: boolean;
  /** A table whose every row belongs to a report (report_id NOT NULL). */
  belongsToReport: boolean;
}

/** User tables and views of the main schema, tables first, each in name order. */
export async function listRelations(warehouse: Warehouse): Promise<Relation[]> {
  const reader = await warehouse.read(`
    SELECT r.name, r.kind,
           bool_or(c.column_name = 'report_year') AS has_report_year,
           r.kind = 'table' AND bool_or(c.column_name = 'report_id' AND NOT c.is_nullable) AS belongs_to_report
    FROM (
      SELECT table_name AS name, 'table' AS kind FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary
      UNION ALL
      SELECT view_name, 'view' FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal AND NOT temporary
    ) r
    JOIN duckdb_columns() c ON c.schema_name = 'main' AND c.table_name = r.name
    GROUP BY r.name, r.kind
    ORDER BY r.kind, r.name`);
  return reader.getRows().map(([name, kind, hasReportYear, belongsToReport]) => ({
    name: String(name),
    kind: kind === 'view' ? 'view' : 'table',
    hasReportYear: hasReportYear === true,
    belongsToReport: belongsToReport === true && name !== 'reports',
  }));
}

async function exportParquet(warehouse: Warehouse, relation: Relation, outDir: string): Promise<ExportedRelation> {
  const name = quoteIdentifier(relation.name);
  const partitioned = relation.hasReportYear || relation.belongsToReport;
  const select =
    relation.belongsToReport && !relation.hasReportYear
      ? `SELECT x.*, r.report_year FROM ${name} x LEFT JOIN reports r ON r.report_id = x.report_id`
      : `SELECT * FROM ${name}`;
  if (!partitioned) {
    const path = join(outDir, `${relation.name}.parquet`);
    const rows = await copy(warehouse, select, path, 'FORMAT parquet');
    return { name: relation.name, kind: relation.kind, rows, path, partitionedBy: null };
  }
  const dir = join(outDir, relation.name);
  rmSync(dir, { recursive: true, force: true }); // stale partitions of an earlier export
  mkdirSync(dir, { recursive: true });
  let rows = await copy(warehouse, select, dir, 'FORMAT parquet, PARTITION_BY (report_year), WRITE_PARTITION_COLUMNS true, OVERWRITE');
  if (rows === 0) rows = await copy(warehouse, select, join(dir, 'data_0.parquet'), 'FORMAT parquet');
  return { name: relation.name, kind: relation.kind, rows, path: dir, partitionedBy: 'report_year' };
}

async function exportCsv(warehouse: Warehouse, relation: Relation, outDir: string): Promise<ExportedRelation> {
  const path = join(outDir, `${relation.name}.csv`);
  const staging = `${path}.partial`;
  try {
    const rows = await copy(warehouse, `SELECT * FROM ${quoteIdentifier(relation.name)}`, staging, 'FORMAT csv, HEADER');
    // DuckDB writes no BOM; streaming keeps memory flat for large tables.
    const out = createWriteStream(path);
    out.write(UTF8_BOM);
    await pipeline(createReadStream(staging), out);
    return { name: relation.name, kind: relation.kind, rows, path, partitionedBy: null };
  } finally {
    rmSync(staging, { force: true });
  }
}

/** COPY (query) TO path (options); returns the number of rows written. */
async function copy(warehouse: Warehouse, select: string, path: string, options: string): Promise<number> {
  try {
    const result = await warehouse.connection.run(`COPY (${select}) TO ${quoteLiteral(path)} (${options})`);
    return Number(result.rowsChanged);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new FatalRunError(`could not write ${path}: ${message}`, { stage: 'export', cause: error });
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
