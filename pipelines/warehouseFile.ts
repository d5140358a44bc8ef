// The warehouse file before DuckDB opens it: its default name, how long to wait for its lock, and the check
// that a path given as --db is a DuckDB file or nothing yet. Kept apart from warehouse.ts so that the command
// line can name the defaults without loading DuckDB.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './errors.ts';

export const DEFAULT_DB_FILE = 'warehouse.duckdb';
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

/** DuckDB's storage header: 8 bytes of checksum, then the magic bytes "DUCK". */
const DUCKDB_MAGIC = Buffer.from('DUCK');

/**
 * --db must name a DuckDB file or a path that does not exist yet: DuckDB would otherwise take a CSV,
 * Parquet or JSON file for an in-memory database (and lose what is loaded) or write over it.
 */
export function checkDatabaseFile(path: string): void {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new UsageError(`--db ${path} is a folder: give the warehouse file itself, e.g. ${join(path, DEFAULT_DB_FILE)}`);
    if (!stat.isFile()) throw new UsageError(`--db ${path} is not a regular file: give a DuckDB file, or a path that does not exist yet`);
    size = stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') throw new UsageError(`--db ${path}: a part of the path is a file, not a folder; give a path in a folder`);
    throw error;
  }
  if (size === 0) return; // an empty file holds nothing to lose; DuckDB makes it a database
  const head = Buffer.alloc(12);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.subarray(8, 12).equals(DUCKDB_MAGIC)) {
    throw new UsageError(`--db ${path} is not a DuckDB database (${kindOfFile(head)}); give a .duckdb file, or a path that does not exist yet, and it is left untouched`);
  }
}

function kindOfFile(head: Buffer): string {
  if (head.subarray(0, 4).toString('latin1') === 'PAR1') return 'it is a Parquet file';
  if (head.subarray(0, 6).toString('latin1') === 'SQLite') return 'it is a SQLite file';
  const text = head.toString('utf8').trimStart();
  if (text.startsWith('{') || text.startsWith('[')) return 'it looks like JSON';
  if (/^[\x20-\x7e\u00a0-\uffff\t\r\n,;]+$/.test(head.toString('utf8'))) return 'it looks like text or CSV';
  return 'no DuckDB header';
}

