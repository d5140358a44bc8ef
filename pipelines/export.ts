// Export every table and view of the warehouse with DuckDB's COPY, into a folder every analyst tool opens.
//
// The folder: `--out DIR` must be new, empty, or hold a previous export of ours (the marker file
// .gov-reports-export); anything else is refused, untouched. The export is written beside it (DIR.partial-…)
// and renamed into place, the previous export moved aside and deleted only after: a failed or killed export
// leaves the previous one whole.
//
// Parquet layout (DIR/<relation>/…):
//   * a relation with a report_year column (reports, report_panel, …) is written hive-partitioned:
//     DIR/reports/report_year=2023/data_0.parquet, reports without a year under
//     report_year=__HIVE_DEFAULT_PARTITION__ (read as NULL);
//   * a table that hangs off reports (a NOT NULL report_id column: cells, checks, issues, prose_counts)
//     is partitioned the same way through a join with reports, so a year's files sit side by side;
//   * every other relation (sources, documents, fetches, runs, …) is one file, DIR/<relation>.parquet.
//   report_year lives in the folder name only, never also inside the files: pandas, pyarrow, polars and R arrow
//   refuse a column stored both ways ("incompatible types: int32 vs dictionary").
// CSV layout: DIR/<relation>.csv, UTF-8 with a byte-order mark (Excel on Chinese Windows otherwise reads it
//   as GBK) and a header row.
// Both: counts are integers (a DOUBLE column the dictionary gives the unit "count" is written as BIGINT, and
// CSV never prints 3119.0); DATA_DICTIONARY.md and data_dictionary.csv describe every file's columns.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { columnEntry, dataDictionary, dictionaryCsv, dictionaryMarkdown, warehouseColumns, type WarehouseColumn } from './dataDictionary.ts';
import { ensureDirectory } from './directories.ts';
import { FatalRunError } from './errors.ts';
import type { Warehouse } from './warehouse.ts';

export const EXPORT_FORMATS = ['parquet', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The file that marks a folder as written by `gov-reports export` (and so safe to replace). */
export const EXPORT_MARKER = '.gov-reports-export';

export interface ExportedRelation {
  name: string;
  kind: 'table' | 'view';
  rows: number;
  /** The file, or for a partitioned relation the directory, that holds it (inside the final folder). */
  path: string;
  partitionedBy: 'report_year' | null;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export async function exportWarehouse(
  warehouse: Warehouse,
  options: { format: ExportFormat; outDir: string },
): Promise<ExportedRelation[]> {
  const outDir = resolve(options.outDir);
  checkExportTarget(outDir);
  const staging = join(dirname(outDir), `.${basename(outDir)}.partial-${randomBytes(4).toString('hex')}`);
  try {
    ensureDirectory(staging);
  } catch (error) {
    throw new FatalRunError(`cannot create the export folder next to ${outDir}: ${(error as Error).message}; choose a folder you can write to`, {
      stage: 'export',
      cause: error,
    });
  }
  try {
    const columns = await warehouseColumns(warehouse.connection);
    const exported: ExportedRelation[] = [];
    for (const relation of relationsOf(columns)) {
      exported.push(
        options.format === 'parquet' ? await exportParquet(warehouse, relation, staging) : await exportCsv(warehouse, relation, staging),
      );
    }
    writeFileSync(join(staging, 'DATA_DICTIONARY.md'), dictionaryMarkdown(columns));
    writeFileSync(join(staging, 'data_dictionary.csv'), Buffer.concat([UTF8_BOM, Buffer.from(dictionaryCsv(columns))]));
    writeFileSync(join(staging, EXPORT_MARKER), `${JSON.stringify({ format: options.format, exportedAt: new Date().toISOString(), relations: exported.length })}\n`);
    replaceWith(staging, outDir);
    return exported.map((relation) => ({ ...relation, path: join(outDir, relation.path.slice(staging.length + 1)) }));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** New, empty, or a previous export of ours: anything else is refused before anything is written. */
export function checkExportTarget(outDir: string): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) {
    throw new FatalRunError(`--out ${outDir} is a file, not a folder; choose a new folder for the export`, { stage: 'export' });
  }
  const entries = readdirSync(outDir);
  if (entries.length > 0 && !entries.includes(EXPORT_MARKER)) {
    throw new FatalRunError(
      `--out ${outDir} already holds files that are not a gov-reports export (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); nothing was changed: choose a new or empty folder`,
      { stage: 'export' },
    );
  }
}

/** Swap the finished staging folder in; the previous export is deleted only once the new one is in place. */
function replaceWith(staging: string, outDir: string): void {
  const previous = existsSync(outDir) ? `${staging}.previous` : null;
  if (previous) renameSync(outDir, previous);
  try {
    renameSync(staging, outDir);
  } catch (error) {
    if (previous) renameSync(previous, outDir);
    throw new FatalRunError(`could not move the export into ${outDir}: ${(error as Error).message}`, { stage: 'export', cause: error });
  }
  if (previous) rmSync(previous, { recursive: true, force: true });
}

interface Relation {
  name: string;
  kind: 'table' | 'view';
  columns: WarehouseColumn[];
  hasReportYear: boolean;
  /** A table whose every row belongs to a report: partitioned through reports. */
  belongsToReport: boolean;
}

const REPORT_CHILD_TABLES = new Set(['cells', 'checks', 'issues', 'prose_counts', 'report_agencies']);

function relationsOf(columns: readonly WarehouseColumn[]): Relation[] {
  const names = [...new Set(columns.map((c) => c.relation))];
  return names.map((name) => {
    const own = columns.filter((c) => c.relation === name);
    return {
      name,
      kind: own[0].kind,
      columns: own,
      hasReportYear: own.some((c) => c.column === 'report_year'),
      belongsToReport: REPORT_CHILD_TABLES.has(name),
    };
  });
}

/** The select list: counts stored as DOUBLE become BIGINT (checked whole first), other columns as they are. */
async function selectList(warehouse: Warehouse, relation: Relation, format: ExportFormat): Promise<string> {
  const dictionary = dataDictionary();
  const items: string[] = [];
  for (const c of relation.columns) {
    const name = quoteIdentifier(c.column);
    const isDouble = c.type === 'DOUBLE';
    if (isDouble && columnEntry(dictionary, relation.name, c.column)?.unit === 'count') {
      const fractional = await warehouse.scalarNumber(`SELECT count(*) FROM ${quoteIdentifier(relation.name)} WHERE ${name} <> trunc(${name})`);
      if (fractional === 0) {
        items.push(`CAST(x.${name} AS BIGINT) AS ${name}`);
        continue;
      }
    }
    if (isDouble && format === 'csv') {
      // A whole number is printed without ".0"; amounts keep their decimals.
      items.push(`CASE WHEN x.${name} = trunc(x.${name}) AND abs(x.${name}) < 1e15 THEN CAST(CAST(x.${name} AS BIGINT) AS VARCHAR) ELSE CAST(x.${name} AS VARCHAR) END AS ${name}`);
      continue;
    }
    items.push(`x.${name}`);
  }
  return items.join(', ');
}

async function exportParquet(warehouse: Warehouse, relation: Relation, outDir: string): Promise<ExportedRelation> {
  const name = quoteIdentifier(relation.name);
  const columns = await selectList(warehouse, relation, 'parquet');
  const partitioned = relation.hasReportYear || relation.belongsToReport;
  if (!partitioned) {
    const path = join(outDir, `${relation.name}.parquet`);
    const rows = await copy(warehouse, `SELECT ${columns} FROM ${name} x`, path, 'FORMAT parquet');
    return { name: relation.name, kind: relation.kind, rows, path, partitionedBy: null };
  }
  const select = relation.hasReportYear
    ? `SELECT ${columns} FROM ${name} x`
    : `SELECT ${columns}, r.report_year FROM ${name} x LEFT JOIN reports r ON r.report_id = x.report_id`;
  const dir = join(outDir, relation.name);
  ensureDirectory(dir);
  let rows = await copy(warehouse, select, dir, 'FORMAT parquet, PARTITION_BY (report_year), OVERWRITE');
  if (rows === 0) {
    // Keep the schema readable: one empty file in the NULL-year partition, without the partition column.
    const emptyDir = join(dir, 'report_year=__HIVE_DEFAULT_PARTITION__');
    ensureDirectory(emptyDir);
    rows = await copy(warehouse, `SELECT * EXCLUDE (report_year) FROM (${select})`, join(emptyDir, 'data_0.parquet'), 'FORMAT parquet');
  }
  return { name: relation.name, kind: relation.kind, rows, path: dir, partitionedBy: 'report_year' };
}

async function exportCsv(warehouse: Warehouse, relation: Relation, outDir: string): Promise<ExportedRelation> {
  const path = join(outDir, `${relation.name}.csv`);
  const staging = `${path}.partial`;
  try {
    const columns = await selectList(warehouse, relation, 'csv');
    const rows = await copy(warehouse, `SELECT ${columns} FROM ${quoteIdentifier(relation.name)} x`, staging, 'FORMAT csv, HEADER');
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
