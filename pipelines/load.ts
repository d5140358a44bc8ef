// ReportRecord[] → the report-side tables (reports, cells, checks, issues, prose_counts) and documents.
//
// One call is one batch and one transaction. Loading is idempotent: the rows of every report_id in the
// batch are deleted and appended again inside the same transaction, so loading a record twice leaves
// the same rows (extracted_at included, as long as the document hash and extractor version are the
// same). A batch that fails is rolled back whole and raises LoadBatchError.
//
// Column names come from the zod schemas (transforms/recordSchema.ts) through one naming rule,
// columnNameFor(); test/schema.test.ts checks the DDL against the same rule.
import { z } from 'zod';
import {
  DuckDBTypeId,
  dateValue,
  listValue,
  timestampValue,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBListType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { issueSchema } from '../extractors/document.ts';
import {
  cellValueSchema,
  checkSchema,
  proseCountSchema,
  reportRecordSchema,
  type ReportRecord,
} from '../transforms/recordSchema.ts';
import { resolveReportAgencies } from './agencies.ts';
import { LoadBatchError } from './errors.ts';
import type { Warehouse } from './warehouse.ts';

/** What the loader knows about a document body that the record does not carry (documents table). */
export interface DocumentFacts {
  sha256: string;
  byteSize: number;
  contentType?: string | null;
  /** Where it was fetched from; null for local files. */
  url?: string | null;
  /** Where it was read from on disk, for local files. */
  localPath?: string | null;
  /** Relative to the data directory, when the body is archived under data/raw/. */
  archivePath?: string | null;
}

export interface LoadOptions {
  /** Facts for the documents table (those of the batch's records are used); a document already recorded there is left as it is. */
  documents?: readonly DocumentFacts[];
  /** The load time (tests pin it). */
  now?: Date;
  /**
   * The records come straight from buildRecord, which parses each with the record schema (the
   * extraction workers' records): not checked a second time (about 1 ms a report).
   */
  schemaChecked?: boolean;
}

export interface LoadSummary {
  reports: number;
  /** Reports whose rows existed before this batch and were replaced. */
  replaced: number;
  /** Records dropped because a later record of the same batch had the same report_id. */
  duplicatesDropped: number;
  cells: number;
  checks: number;
  issues: number;
  proseCounts: number;
  /** Documents newly recorded in the documents table. */
  documents: number;
}

export function emptyLoadSummary(): LoadSummary {
  return { reports: 0, replaced: 0, duplicatesDropped: 0, cells: 0, checks: 0, issues: 0, proseCounts: 0, documents: 0 };
}

/** Records per load transaction: small enough to hold the warehouse file only a second or two, large enough to spread each batch's fixed cost. */
export const DEFAULT_BATCH_SIZE = 500;

/** Error issues that mean the document is not an annual report at all (reports.is_report = false). */
export const NOT_A_REPORT_ISSUE_CODES: ReadonlySet<string> = new Set(['not_annual_report', 'unreadable', 'headline_tables_not_found']);

// ---------------------------------------------------------------------------------------------------
// Record paths → column names

/**
 * Record paths whose column name is not simply the path joined with '_'. The longest matching prefix
 * is replaced: meta.contact.email → contact_email, prose.info_processing_fee.status → info_fee_status,
 * meta.report_year → report_year, at.row → grid_row.
 */
const COLUMN_NAME_PREFIXES: Readonly<Record<string, string>> = {
  sha256: 'document_sha256',
  meta: '',
  'meta.contact': 'contact',
  'meta.tables': '',
  prose: '',
  'prose.info_processing_fee': 'info_fee',
  raw: 'raw_text',
  at: 'grid',
};

export function columnNameFor(path: readonly string[]): string {
  for (let cut = path.length; cut > 0; cut--) {
    const replacement = COLUMN_NAME_PREFIXES[path.slice(0, cut).join('.')];
    if (replacement !== undefined) return [replacement, ...path.slice(cut)].filter(Boolean).join('_');
  }
  return path.join('_');
}

/** A scalar (or list-of-scalar) leaf of a zod object schema, and the column it loads into. */
export interface LeafColumn {
  column: string;
  path: string[];
  /** The leaf schema with nullable/optional removed. */
  leaf: z.ZodType;
  /** True when the leaf, or an object above it, may be null. */
  nullable: boolean;
}

/**
 * The columns a zod object flattens into. Nested objects are flattened; `childPaths` (arrays of
 * objects, records) belong to child tables and are skipped. Any other non-scalar is a schema change
 * the loader does not know how to store, and throws.
 */
export function leafColumns(schema: z.ZodObject, childPaths: readonly string[] = []): LeafColumn[] {
  const columns: LeafColumn[] = [];
  const walk = (shape: Record<string, z.ZodType>, prefix: string[], nullableAbove: boolean) => {
    for (const [key, field] of Object.entries(shape)) {
      const path = [...prefix, key];
      if (childPaths.includes(path.join('.'))) continue;
      const { inner, nullable } = unwrapNullable(field);
      if (inner instanceof z.ZodObject) {
        walk(inner.shape, path, nullableAbove || nullable);
      } else if (inner instanceof z.ZodRecord || (inner instanceof z.ZodArray && !isScalar(inner.element as z.ZodType))) {
        throw new Error(`record path ${path.join('.')} holds rows of a child table: list it in childPaths`);
      } else {
        columns.push({ column: columnNameFor(path), path, leaf: inner, nullable: nullableAbove || nullable });
      }
    }
  };
  walk(schema.shape as Record<string, z.ZodType>, [], false);
  return columns;
}

export function unwrapNullable(schema: z.ZodType): { inner: z.ZodType; nullable: boolean } {
  let inner = schema;
  let nullable = false;
  while (inner instanceof z.ZodNullable || inner instanceof z.ZodOptional) {
    nullable = true;
    inner = inner.unwrap() as z.ZodType;
  }
  return { inner, nullable };
}

function isScalar(schema: z.ZodType): boolean {
  const { inner } = unwrapNullable(schema);
  return inner instanceof z.ZodString || inner instanceof z.ZodNumber || inner instanceof z.ZodBoolean || inner instanceof z.ZodEnum;
}

/**
 * The report-side tables: the zod schema each row comes from, and the columns the loader fills
 * itself (keys, positions, load facts). Every other column is a leaf of the schema.
 */
export const REPORT_TABLES = {
  reports: {
    schema: reportRecordSchema,
    childPaths: ['cells', 'checks', 'issues', 'prose.proactive_items_by_channel'],
    loaderColumns: ['extracted_at', 'is_report'],
  },
  cells: {
    schema: cellValueSchema,
    childPaths: [],
    loaderColumns: ['report_id', 'cell_id', 'table_name', 'row_id', 'column_id'],
  },
  checks: { schema: checkSchema, childPaths: [], loaderColumns: ['report_id', 'seq'] },
  issues: { schema: issueSchema, childPaths: [], loaderColumns: ['report_id', 'seq'] },
  prose_counts: { schema: proseCountSchema, childPaths: [], loaderColumns: ['report_id', 'seq'] },
} as const satisfies Record<string, { schema: z.ZodObject; childPaths: readonly string[]; loaderColumns: readonly string[] }>;

export type ReportTable = keyof typeof REPORT_TABLES;

const LEAF_COLUMNS = Object.fromEntries(
  Object.entries(REPORT_TABLES).map(([table, spec]) => [table, leafColumns(spec.schema, spec.childPaths)]),
) as Record<ReportTable, LeafColumn[]>;

type Row = Record<string, unknown>;

/** Adds the leaf values of `value` to `row` (built key by key in one order, so every row of a table has one shape). */
function addLeafValues(row: Row, table: ReportTable, value: unknown): Row {
  for (const { column, path } of LEAF_COLUMNS[table]) {
    let v: unknown = value;
    for (const key of path) v = v === null || v === undefined ? null : (v as Record<string, unknown>)[key];
    row[column] = v ?? null;
  }
  return row;
}

// ---------------------------------------------------------------------------------------------------
// Records → rows

export function isAnnualReport(record: ReportRecord): boolean {
  return (
    Object.keys(record.cells).length > 0 &&
    !record.issues.some((issue) => issue.severity === 'error' && NOT_A_REPORT_ISSUE_CODES.has(issue.code))
  );
}

interface CellIdParts {
  table_name: string;
  row_id: string;
  column_id: string;
}

/** Cell ids come from one template (a few hundred, plus a report's extra rows): split each once. */
const splitCellIds = new Map<string, CellIdParts>();
const MAX_SPLIT_CELL_IDS = 20_000;

/** Split a canonical cell id: t3.new_received.total → t3 / new_received / total; t2.ext.slug.col keeps ext.slug. */
export function splitCellId(cellId: string): CellIdParts {
  const known = splitCellIds.get(cellId);
  if (known) return known;
  const parts = cellId.split('.');
  if (parts.length < 3 || parts.some((part) => part === '')) {
    throw new Error(`cell id ${JSON.stringify(cellId)} is not <table>.<row>.<column>`);
  }
  const split = { table_name: parts[0], row_id: parts.slice(1, -1).join('.'), column_id: parts[parts.length - 1] };
  if (splitCellIds.size < MAX_SPLIT_CELL_IDS) splitCellIds.set(cellId, split);
  return split;
}

export interface TableRows {
  reports: Row[];
  cells: Row[];
  checks: Row[];
  issues: Row[];
  prose_counts: Row[];
}

/** The rows a record loads into each report-side table (exported for the loader benchmark). */
export function rowsOf(record: ReportRecord, extractedAt: unknown): TableRows {
  const report_id = record.report_id;
  const indexed = (table: ReportTable, items: readonly unknown[]) => items.map((item, seq) => addLeafValues({ report_id, seq }, table, item));
  const cells: Row[] = [];
  for (const cell_id in record.cells) {
    const { table_name, row_id, column_id } = splitCellId(cell_id);
    cells.push(addLeafValues({ report_id, cell_id, table_name, row_id, column_id }, 'cells', record.cells[cell_id]));
  }
  const report = addLeafValues({}, 'reports', record);
  report.extracted_at = extractedAt;
  report.is_report = isAnnualReport(record);
  return {
    reports: [report],
    cells,
    checks: indexed('checks', record.checks),
    issues: indexed('issues', record.issues),
    prose_counts: indexed('prose_counts', record.prose.proactive_items_by_channel),
  };
}

// ---------------------------------------------------------------------------------------------------
// Loading

/** Load one batch of records in one transaction. See the file header for the guarantees. */
export async function loadRecords(
  warehouse: Warehouse,
  records: readonly ReportRecord[],
  options: LoadOptions = {},
): Promise<LoadSummary> {
  const now = options.now ?? new Date();
  // The same report twice in a batch would be a duplicate key for the appender: keep the last one.
  const byId = new Map<string, ReportRecord>();
  for (const record of records) {
    byId.delete(record.report_id);
    byId.set(record.report_id, record);
  }
  const batch = [...byId.values()];
  const reportIds = batch.map((record) => record.report_id);
  if (batch.length === 0) return emptyLoadSummary();

  if (!options.schemaChecked) {
    for (const [index, record] of batch.entries()) {
      if (index % YIELD_EVERY_RECORDS === YIELD_EVERY_RECORDS - 1) await yieldToEventLoop();
      const parsed = reportRecordSchema.safeParse(record);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        throw new LoadBatchError(
          `record ${record.report_id} (${record.source}) does not match the record schema at ${first.path.join('.')}: ${first.message}`,
          reportIds,
          parsed.error,
        );
      }
    }
  }

  try {
    return await warehouse.transaction(async (connection) => {
      const previous = await previousLoads(connection, reportIds);
      // Set-based deletes, and only of reports already loaded (a report's rows always include its reports
      // row): a batch of new reports, the whole of a first load or a reprocess into a fresh warehouse, scans nothing.
      if (previous.size > 0) {
        const replacedIds = listValue([...previous.keys()]);
        for (const table of ['cells', 'checks', 'issues', 'prose_counts', 'reports'] as const) {
          await connection.run(`DELETE FROM ${table} WHERE report_id IN (SELECT unnest($1::VARCHAR[]))`, [replacedIds]);
        }
      }
      const rows: TableRows = { reports: [], cells: [], checks: [], issues: [], prose_counts: [] };
      for (const [index, record] of batch.entries()) {
        if (index % YIELD_EVERY_RECORDS === YIELD_EVERY_RECORDS - 1) await yieldToEventLoop();
        const before = previous.get(record.report_id);
        const unchanged = before?.sha256 === record.sha256 && before.extractorVersion === record.extractor_version;
        const tableRows = rowsOf(keepCrawlProvenance(record, before), unchanged ? before.extractedAt : now);
        for (const table of Object.keys(rows) as ReportTable[]) rows[table].push(...tableRows[table]);
      }
      for (const table of Object.keys(rows) as ReportTable[]) await appendRows(connection, table, rows[table]);
      const batchShas = new Set(batch.map((record) => record.sha256));
      const batchDocuments = (options.documents ?? []).filter((document) => batchShas.has(document.sha256));
      const documents = await recordDocuments(connection, batchDocuments, now);
      await resolveReportAgencies(connection, reportIds);
      return {
        reports: batch.length,
        replaced: previous.size,
        duplicatesDropped: records.length - batch.length,
        cells: rows.cells.length,
        checks: rows.checks.length,
        issues: rows.issues.length,
        proseCounts: rows.prose_counts.length,
        documents,
      };
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new LoadBatchError(`load of ${batch.length} report(s) rolled back: ${message}`, reportIds, error);
  }
}

interface PreviousLoad {
  sha256: string;
  extractorVersion: string;
  extractedAt: DuckDBValue;
  /** The crawl's provenance of the loaded row (null for a report first loaded from a file). */
  sourceUrl: string | null;
  publishDate: string | null;
  publishDateSource: string | null;
}

/**
 * The same body read again from a local file knows neither the URL it was published at nor the date the
 * page gave: the crawl's stay (every location of the body is in document_locations).
 */
function keepCrawlProvenance(record: ReportRecord, before: PreviousLoad | undefined): ReportRecord {
  if (!before?.sourceUrl || record.source_url !== null || before.sha256 !== record.sha256) return record;
  const meta = record.meta.publish_date === null && before.publishDate !== null
    ? { ...record.meta, publish_date: before.publishDate, publish_date_source: before.publishDateSource }
    : record.meta;
  return { ...record, source_url: before.sourceUrl, meta };
}

async function previousLoads(connection: DuckDBConnection, reportIds: string[]): Promise<Map<string, PreviousLoad>> {
  const reader = await connection.runAndReadAll(
    `SELECT report_id, document_sha256, extractor_version, extracted_at, source_url, publish_date::VARCHAR, publish_date_source
       FROM reports WHERE report_id IN (SELECT unnest($1::VARCHAR[]))`,
    [listValue(reportIds)],
  );
  const text = (value: DuckDBValue) => (value === null ? null : String(value));
  return new Map(
    reader.getRows().map(([id, sha256, extractorVersion, extractedAt, sourceUrl, publishDate, publishDateSource]) => [
      String(id),
      { sha256: String(sha256), extractorVersion: String(extractorVersion), extractedAt, sourceUrl: text(sourceUrl), publishDate: text(publishDate), publishDateSource: text(publishDateSource) },
    ]),
  );
}

/** Insert documents not yet recorded; one already there (from the crawler or an earlier load) is kept. */
async function recordDocuments(connection: DuckDBConnection, documents: readonly DocumentFacts[], now: Date): Promise<number> {
  const bySha = new Map(documents.map((document) => [document.sha256, document]));
  if (bySha.size === 0) return 0;
  await recordLocations(
    connection,
    documents.flatMap((d) => [
      ...(d.url ? [{ sha256: d.sha256, location: d.url, kind: 'url' as const }] : []),
      ...(d.localPath ? [{ sha256: d.sha256, location: d.localPath, kind: 'file' as const }] : []),
    ]),
    now,
  );
  const known = await connection.runAndReadAll(
    'SELECT document_sha256 FROM documents WHERE document_sha256 IN (SELECT unnest($1::VARCHAR[]))',
    [listValue([...bySha.keys()])],
  );
  for (const [sha256] of known.getRows()) bySha.delete(String(sha256));
  const rows = [...bySha.values()].map((document) => ({
    document_sha256: document.sha256,
    first_url: document.url ?? null,
    local_path: document.localPath ?? null,
    content_type: document.contentType ?? null,
    byte_size: document.byteSize,
    archive_path: document.archivePath ?? null,
    first_seen_at: now,
  }));
  await appendRows(connection, 'documents', rows);
  return rows.length;
}

/** Every place a body was read from (URLs it was fetched at, local files it was loaded from), each once. */
export async function recordLocations(
  connection: DuckDBConnection,
  locations: readonly { sha256: string; location: string; kind: 'url' | 'file' }[],
  seenAt: Date,
): Promise<void> {
  if (locations.length === 0) return;
  // The key (document_sha256, location) is kept unique here, not by an index (sql/schema.sql says why).
  await connection.run(
    `INSERT INTO document_locations
       SELECT DISTINCT ON (l.sha, l.location) l.sha, l.location, l.kind, $4::TIMESTAMP
         FROM (SELECT unnest($1::VARCHAR[]) AS sha, unnest($2::VARCHAR[]) AS location, unnest($3::VARCHAR[]) AS kind) l
        WHERE NOT EXISTS (SELECT 1 FROM document_locations d WHERE d.document_sha256 = l.sha AND d.location = l.location)`,
    [listValue(locations.map((l) => l.sha256)), listValue(locations.map((l) => l.location)), listValue(locations.map((l) => l.kind)), seenAt.toISOString()],
  );
}

/**
 * Append rows (objects keyed by column name) with the DuckDB Appender, in the table's column order.
 * A column the rows do not provide, or a value with no column, is an error, not a silent NULL or loss.
 * Each column's type is looked up once and turned into one append function, so a value costs one
 * call into DuckDB (looking the type up per value made the loader run at a fifth of the Appender's speed).
 */
export async function appendRows(connection: DuckDBConnection, table: string, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = (
    await connection.runAndReadAll(
      `SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = $1 ORDER BY column_index`,
      [table],
    )
  ).getRows().map(([name]) => String(name));
  const unknown = Object.keys(rows[0]).filter((key) => !columns.includes(key));
  if (unknown.length > 0) {
    // A warehouse file created by an older sql/schema.sql: refuse rather than drop the values.
    throw new Error(`table ${table} has no column ${unknown.join(', ')}; the warehouse schema is older than this loader`);
  }
  const missing = columns.find((column) => !(column in rows[0]));
  if (missing) throw new Error(`${table}.${missing} is not provided by the loader`);
  const appender = await connection.createAppender(table);
  let failure: unknown;
  try {
    const appenders = columns.map((_, index) => valueAppender(appender, index));
    for (let rowIndex = 0; rowIndex < rows.length; rowIndex++) {
      const row = rows[rowIndex];
      // Appending is synchronous: let the event loop in now and then, so the extraction workers get
      // their next document while a large batch is written.
      if (rowIndex % YIELD_EVERY_ROWS === YIELD_EVERY_ROWS - 1) await yieldToEventLoop();
      for (let index = 0; index < columns.length; index++) {
        const column = columns[index];
        try {
          appenders[index](row[column]);
        } catch (error) {
          if (!(column in row)) throw new Error(`${table}.${column} is not provided by the loader`);
          const message = error instanceof Error ? error.message : String(error);
          throw new Error(`${table}.${column} of report ${String(row.report_id ?? row.document_sha256)}: ${message}`);
        }
      }
      appender.endRow();
    }
    appender.flushSync();
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    try {
      appender.closeSync();
    } catch (closeError) {
      // After a failed append DuckDB also refuses the close ("transaction is aborted"): keep the first error.
      if (failure === undefined) throw closeError;
    }
  }
}

/**
 * A worker that finishes a document while a batch is written waits for one of these yields to get its
 * next one: ~2 ms of appending between them (was 2048 rows and 16 records, ~8 ms). Reprocess of 5,000
 * reports, 2 workers, interleaved runs: 21.4–21.6 s (one outlier 27.7) against 23.4–24.7 s; 1 worker unchanged.
 */
const YIELD_EVERY_ROWS = 512;
const YIELD_EVERY_RECORDS = 4;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The append function of one column: its DuckDB type decides how a JavaScript value is checked and written. */
function valueAppender(appender: DuckDBAppender, columnIndex: number): (value: unknown) => void {
  const type = appender.columnType(columnIndex);
  const orNull = (append: (value: unknown) => void) => (value: unknown) => (value === null || value === undefined ? appender.appendNull() : append(value));
  switch (type.typeId) {
    case DuckDBTypeId.VARCHAR:
      return orNull((value) => appender.appendVarchar(String(value)));
    case DuckDBTypeId.BOOLEAN:
      return orNull((value) => appender.appendBoolean(expect(value, 'boolean')));
    case DuckDBTypeId.INTEGER:
      return orNull((value) => appender.appendInteger(expectInteger(value)));
    case DuckDBTypeId.BIGINT:
      return orNull((value) => appender.appendBigInt(BigInt(expectInteger(value))));
    case DuckDBTypeId.DOUBLE:
      return orNull((value) => appender.appendDouble(expect(value, 'number')));
    case DuckDBTypeId.DATE:
      return orNull((value) => appender.appendValue(isoDate(expect(value, 'string'))));
    case DuckDBTypeId.TIMESTAMP:
      return orNull((value) =>
        value instanceof Date
          ? appender.appendValue(timestampValue(BigInt(value.getTime()) * 1000n))
          : appender.appendValue(value as DuckDBValue), // a timestamp read back from the table
      );
    case DuckDBTypeId.LIST:
      return orNull((value) => appender.appendValue(listValue(value as DuckDBValue[]), type as DuckDBListType));
    default:
      return orNull(() => {
        throw new Error(`the loader does not append ${type.toString()} columns`);
      });
  }
}

function expect<T extends 'boolean' | 'number' | 'string'>(
  value: unknown,
  kind: T,
): T extends 'boolean' ? boolean : T extends 'number' ? number : string {
  if (typeof value !== kind) throw new Error(`expected a ${kind}, got ${JSON.stringify(value)}`);
  return value as never;
}

function expectInteger(value: unknown): number {
  const n = expect(value, 'number');
  if (!Number.isInteger(n)) throw new Error(`expected an integer, got ${n}`);
  return n;
}

/** A strict yyyy-mm-dd date; anything else (2024-02-30, 2024/1/5) is an error, never a guess. */
function isoDate(text: string) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new Error(`${JSON.stringify(text)} is not a yyyy-mm-dd date`);
  const [year, month, day] = match.slice(1).map(Number);
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new Error(`${text} is not a calendar date`);
  }
  return dateValue({ year, month, day });
}
