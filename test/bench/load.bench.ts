// The loader beside DuckDB's own speed, on the same rows in the same run: loadRecords (zod check,
// records → rows, set-based replace, Appender) against a plain Appender fed the finished rows, and
// against INSERT … SELECT FROM read_json over the same rows written as JSON Lines beforehand.
// Records are the bundled samples made unique (new report ids); batches of 500 reports per transaction.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBTypeId, dateValue, listValue, timestampValue, type DuckDBAppender, type DuckDBConnection, type DuckDBListType, type DuckDBValue } from '@duckdb/node-api';
import { bench, describe } from 'vitest';
import { extractDocument } from '../../extractors/extract.ts';
import { loadRecords, REPORT_TABLES, rowsOf, type ReportTable } from '../../pipelines/load.ts';
import { SAMPLES_DIR } from '../../pipelines/samples.ts';
import { withWarehouse } from '../../pipelines/warehouse.ts';
import { buildRecord } from '../../transforms/record.ts';
import type { ReportRecord } from '../../transforms/recordSchema.ts';

const REPORTS = Number(process.env.LOAD_BENCH_REPORTS ?? 2000);
const BATCH = 500;
const TABLES = Object.keys(REPORT_TABLES) as ReportTable[];

const base: ReportRecord[] = [];
for (const file of ['seeds/000_ee99eda0b851ed47.txt', 'seeds/002_7051039651d1a08e.txt', 'corpus/pingtan-2023.html', 'corpus/shuyang-fgj-2023.html']) {
  const bytes = readFileSync(join(SAMPLES_DIR, file));
  base.push(buildRecord(await extractDocument({ bytes, fileName: file }), { source: file, sha256: createHash('sha256').update(bytes).digest('hex') }));
}
const records = Array.from({ length: REPORTS }, (_, i) => {
  const sha256 = createHash('sha256').update(`bench-${i}`).digest('hex');
  return { ...structuredClone(base[i % base.length]), report_id: sha256.slice(0, 16), sha256 };
});
const now = new Date();
const rows = Object.fromEntries(TABLES.map((table) => [table, records.flatMap((record) => rowsOf(record, now)[table])])) as Record<ReportTable, Record<string, unknown>[]>;
const cells = rows.cells.length;
const totalRows = TABLES.reduce((n, table) => n + rows[table].length, 0);

const dir = mkdtempSync(join(tmpdir(), 'gov-reports-load-bench-'));
let fresh = 0;
const freshDb = () => join(dir, `w${fresh++}.duckdb`);

async function timed(label: string, work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  const seconds = (performance.now() - start) / 1000;
  console.log(`${label}: ${REPORTS} reports, ${cells} cells (${totalRows} rows in all) in ${seconds.toFixed(2)} s = ${(cells / seconds).toFixed(0)} cells/s, ${(REPORTS / seconds).toFixed(0)} reports/s`);
  return seconds;
}

async function columnsOf(connection: DuckDBConnection, table: string): Promise<string[]> {
  const reader = await connection.runAndReadAll(`SELECT column_name FROM duckdb_columns() WHERE table_name = $1 ORDER BY column_index`, [table]);
  return reader.getRows().map(([name]) => String(name));
}

/** The plain Appender: one typed append per value, types resolved once, nothing checked. */
function plainAppend(appender: DuckDBAppender, columns: string[], tableRows: Record<string, unknown>[]): void {
  const types = columns.map((_, i) => appender.columnType(i));
  const kinds = types.map((type) => type.typeId);
  for (const row of tableRows) {
    for (let i = 0; i < columns.length; i++) {
      const value = row[columns[i]];
      if (value === null || value === undefined) appender.appendNull();
      else if (kinds[i] === DuckDBTypeId.VARCHAR) appender.appendVarchar(value as string);
      else if (kinds[i] === DuckDBTypeId.DOUBLE) appender.appendDouble(value as number);
      else if (kinds[i] === DuckDBTypeId.INTEGER) appender.appendInteger(value as number);
      else if (kinds[i] === DuckDBTypeId.BOOLEAN) appender.appendBoolean(value as boolean);
      else if (kinds[i] === DuckDBTypeId.TIMESTAMP) appender.appendValue(timestampValue(BigInt((value as Date).getTime()) * 1000n));
      else if (kinds[i] === DuckDBTypeId.DATE) {
        const [year, month, day] = String(value).split('-').map(Number);
        appender.appendValue(dateValue({ year, month, day }));
      } else appender.appendValue(listValue(value as DuckDBValue[]), types[i] as DuckDBListType);
    }
    appender.endRow();
  }
  appender.flushSync();
  appender.closeSync();
}

const loader = await timed('loadRecords', async () => {
  const db = freshDb();
  for (let i = 0; i < REPORTS; i += BATCH) await withWarehouse(db, {}, (warehouse) => loadRecords(warehouse, records.slice(i, i + BATCH), { now }));
});
const appender = await timed('plain DuckDB Appender, same rows', async () => {
  const db = freshDb();
  for (let i = 0; i < REPORTS; i += BATCH) {
    const ids = new Set(records.slice(i, i + BATCH).map((r) => r.report_id));
    await withWarehouse(db, {}, (warehouse) =>
      warehouse.transaction(async (connection) => {
        for (const table of TABLES) {
          plainAppend(await connection.createAppender(table), await columnsOf(connection, table), rows[table].filter((row) => ids.has(String(row.report_id))));
        }
      }),
    );
  }
});
// The JSON files are written before the clock starts: the yardstick is DuckDB reading and inserting.
const jsonFiles = Object.fromEntries(TABLES.map((table) => {
  const file = join(dir, `${table}.jsonl`);
  writeFileSync(file, rows[table].map((row) => JSON.stringify(row, (_k, v) => (v instanceof Date ? v.toISOString() : v))).join('\n'));
  return [table, file];
}));
const readJson = await timed('INSERT … SELECT FROM read_json, same rows', async () => {
  await withWarehouse(freshDb(), {}, (warehouse) =>
    warehouse.transaction(async (connection) => {
      for (const table of TABLES.filter((t) => rows[t].length > 0)) {
        await connection.run(`INSERT INTO ${table} BY NAME SELECT * FROM read_json('${jsonFiles[table]}', format = 'newline_delimited')`);
      }
    }),
  );
});
console.log(`ratio: the loader runs at ${(appender / loader).toFixed(2)} of the plain Appender's speed and ${(readJson / loader).toFixed(2)} of read_json's (same rows, same run)`);
rmSync(dir, { recursive: true, force: true });

describe('loader', () => {
  bench(`loadRecords, ${BATCH} reports into a fresh warehouse`, async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'gov-reports-load-bench-')), 'w.duckdb');
    await withWarehouse(db, {}, (warehouse) => loadRecords(warehouse, records.slice(0, BATCH), { now }));
    rmSync(join(db, '..'), { recursive: true, force: true });
  }, { iterations: 3 });
});
