// Run SQL against the warehouse (printing the result: queryFormat.ts).
// DuckDB returns counts and sums as BIGINT (and DECIMAL, HUGEINT): JSON.stringify refuses bigint, so values
// are read through DuckDB's JSON conversion (exact strings) and turned back into numbers only where that is
// exact; a BIGINT beyond 2^53 stays a string rather than being rounded.
import { DuckDBTypeId, type DuckDBType, type DuckDBValue, type Json } from '@duckdb/node-api';
import { FatalRunError } from './errors.ts';
import type { QueryResult } from './queryFormat.ts';

export type { QueryResult } from './queryFormat.ts';
import type { Warehouse } from './warehouse.ts';


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
