// A query result as an aligned table, CSV or JSON. Apart from query.ts so that the command line can name
// the formats without loading DuckDB.
import type { Json } from '@duckdb/node-api';

export const QUERY_FORMATS = ['table', 'csv', 'json'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

export interface QueryResult {
  columns: string[];
  /** DuckDB type names, e.g. BIGINT, VARCHAR[], DECIMAL(18,4). */
  types: string[];
  /** JSON-safe values: exact numbers as numbers, big or fixed-point numbers that would lose digits as strings. */
  rows: Json[][];
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
  // A loop, not Math.max(...rows): a spread of 200,000 values overflows the call stack.
  const widths = columns.map((column, i) => cells.reduce((widest, row) => Math.max(widest, displayWidth(row[i])), displayWidth(column)));
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
