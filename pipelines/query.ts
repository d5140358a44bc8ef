// Run SQL against the warehouse and print the result as an aligned table, CSV or JSON.
// DuckDB returns counts and sums as BIGINT (and DECIMAL, HUGEINT): JSON.stringify refuses bigint, so values
// are read through DuckDB's JSON conversion (exact strings) and turned back into numbers only where that is
// exact; a BIGINT beyond 2^53 stays a string rather than being rounded.
import { DuckDBTypeId, type DuckDBType, type DuckDBValue, type Json } from '@duckdb/node-api';
import { FatalRunError, UsageError } from './errors.ts';
import type { Warehouse } from './warehouse.ts';

export const QUERY_FORMATS = ['table', 'csv', 'json'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

export interface QueryResult {
  columns: string[];
  /** DuckDB type names, e.g. BIGINT, VARCHAR[], DECIMAL(18,4). */
  types: string[];
  /** JSON-safe values: exact numbers as numbers, big or fixed-point numbers that would lose digits as strings. */
  rows: Json[][];
}

/** Run SQL (one statement or several: the result of the last is returned, as the help says). */
export async function runQuery(warehouse: Warehouse, sql: string, params?: DuckDBValue[]): Promise<QueryResult> {
  const reader = await warehouse.connection.streamAndReadAll(sql, params).catch((error: unknown) => {
    throw new FatalRunError(explainQueryError(error instanceof Error ? error.message : String(error), warehouse.readOnly), { stage: 'query', cause: error });
  });
  const types = reader.columnTypes();
  return {
    columns: reader.columnNames(),
    types: types.map((type) => type.toString()),
    rows: reader.getRowsJson().map((row) => row.map((value, i) => exactNumber(value, types[i]))),
  };
}

/** A usage error for SQL that is no query at all ("", ";"). */
export function checkQueryText(sql: string): void {
  if (/^[\s;]*$/.test(sql)) throw new UsageError('the query is empty: give SQL, e.g. gov-reports query "SELECT * FROM report_headlines"');
}

/** DuckDB's message, with the fix when the cause is ours to name (read-only mode, files off without --write). */
function explainQueryError(message: string, readOnly: boolean): string {
  const first = message.split('\n')[0];
  if (readOnly && /read-only mode|attached in read-only/i.test(message)) return `this statement changes the warehouse: run it with --write (${first})`;
  if (readOnly && /file system operations are disabled|Permission Error/i.test(message)) {
    return `reading or writing files is off for queries without --write, so the warehouse and your files stay as they are (${first})`;
  }
  return first;
}

const INTEGER_TYPES = new Set<DuckDBTypeId>([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT]);

/** A BIGINT/HUGEINT/DECIMAL string as a number when the number says exactly the same. */
function exactNumber(value: Json, type: DuckDBType): Json {
  if (typeof value !== 'string') return value;
  if (INTEGER_TYPES.has(type.typeId)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  if (type.typeId === DuckDBTypeId.DECIMAL) {
    const digits = value.replace(/[-.]/g, '').replace(/^0+/, '');
    return digits.length <= 15 ? Number(value) : value;
  }
  return value;
}

export function formatResult(result: QueryResult, format: QueryFormat): string {
  switch (format) {
    case 'json':
      return formatJson(result);
    case 'csv':
      return formatCsv(result);
    case 'table':
      return formatTable(result);
  }
}

function formatJson({ columns, rows }: QueryResult): string {
  if (rows.length === 0) return '[]\n';
  const objects = rows.map((row) => JSON.stringify(Object.fromEntries(columns.map((column, i) => [column, row[i]]))));
  return `[\n${objects.join(',\n')}\n]\n`;
}

/** RFC 4180 CSV with a header row (no BOM: this goes to stdout; files from `export` carry one). */
function formatCsv({ columns, rows }: QueryResult): string {
  const field = (value: Json) => {
    const text = value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [columns.map(field), ...rows.map((row) => row.map(field))].map((line) => `${line.join(',')}\r\n`).join('');
}

/** Widest a table cell may be, in terminal columns; longer values are cut with '…' (csv/json show them whole). */
export const TABLE_CELL_MAX_WIDTH = 60;

/** An aligned text table (numbers right-aligned, CJK characters counted as two columns) with a row count. */
export function formatTable({ columns, types, rows }: QueryResult): string {
  let cut = false;
  const show = (value: Json) => {
    const text = value === null ? 'NULL' : typeof value === 'object' ? JSON.stringify(value) : String(value).replace(/\r?\n/g, '↵');
    if (displayWidth(text) <= TABLE_CELL_MAX_WIDTH) return text;
    cut = true;
    return truncateToWidth(text, TABLE_CELL_MAX_WIDTH - 1) + '…';
  };
  const cells = rows.map((row) => row.map(show));
  const widths = columns.map((column, i) => Math.max(displayWidth(column), ...cells.map((row) => displayWidth(row[i]))));
  const numeric = types.map((type) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|FLOAT|DOUBLE|DECIMAL)/.test(type));
  const pad = (text: string, i: number) => {
    const fill = ' '.repeat(widths[i] - displayWidth(text));
    return numeric[i] ? fill + text : text + fill;
  };
  const line = (row: string[]) => row.map(pad).join(' │ ').trimEnd();
  const lines = [line(columns), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...cells.map(line)];
  lines.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})${cut ? ` — values wider than ${TABLE_CELL_MAX_WIDTH} columns cut; use --format csv or json` : ''}`);
  return lines.join('\n') + '\n';
}

// Wide (two-column) characters in a terminal: CJK, Hangul, full-width forms, most emoji.
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const ZERO_WIDTH = /[\u0300-\u036f\u200b-\u200f\ufe00-\ufe0f]/u;

export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += ZERO_WIDTH.test(char) ? 0 : WIDE.test(char) ? 2 : 1;
  return width;
}

function truncateToWidth(text: string, maxWidth: number): string {
  let width = 0;
  let out = '';
  for (const char of text) {
    const w = displayWidth(char);
    if (width + w > maxWidth) break;
    width += w;
    out += char;
  }
  return out;
}
