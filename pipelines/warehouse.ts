// The DuckDB warehouse file: open it (waiting politely while another process holds it), create the
// schema and views, run short write transactions, close it.
//
// DuckDB lets one process hold a database file for writing and then locks out every other process,
// read-only ones included. So commands open the file only for as long as they need it (a load batch,
// an export, a query) and always close it; a writer that finds the file held waits with backoff
// rather than failing at once, and gives up with a WarehouseLockedError after `lockTimeoutMs`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DuckDBConnection, DuckDBInstance, type DuckDBResultReader, type DuckDBValue } from '@duckdb/node-api';
import { ensureDirectory } from './directories.ts';
import { applyComments } from './dataDictionary.ts';
import { FatalRunError, WarehouseLockedError } from './errors.ts';
import { packagePath } from './packageRoot.ts';
import { checkDatabaseFile, DEFAULT_LOCK_TIMEOUT_MS } from './warehouseFile.ts';

export { DEFAULT_DB_FILE, DEFAULT_LOCK_TIMEOUT_MS } from './warehouseFile.ts';

const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 2_000;

const SQL_DIR = packagePath('sql');

/** One wait for the lock, reported before sleeping (for progress output). */
export interface LockWait {
  attempt: number;
  waitedMs: number;
  delayMs: number;
  holder: string | null;
}

export interface OpenWarehouseOptions {
  /** Open without taking the write lock; fails if the file does not exist. Schema is not touched. */
  readOnly?: boolean;
  /** How long to wait for another process to release the file (default 30 s). 0: fail at once. */
  lockTimeoutMs?: number;
  onLockWait?: (wait: LockWait) => void;
  /**
   * Forbid the SQL run on this connection from touching any file but the warehouse (DuckDB's
   * enable_external_access=false: no COPY … TO, EXPORT, ATTACH, read_csv): `query` without --write.
   */
  noFileAccess?: boolean;
  /**
   * DuckDB's worker threads (default: one per core). A writer beside an extraction pool takes the
   * cores the pool leaves (threadsBesidePool): on a core a pool worker is using, DuckDB's threads
   * cost more CPU than their parallelism saves.
   */
  threads?: number;
}

/**
 * DuckDB threads for the warehouse writer of a run with `workers` extraction processes: the cores they
 * leave, at least one. Measured with 2 workers on 2 cores (5,000 archived reports): 22.4–22.8 s and
 * 36–37 s of CPU with one thread, 24.3–28.8 s and 43–51 s with DuckDB's default two.
 */
export function threadsBesidePool(workers: number): number {
  return Math.max(1, availableParallelism() - workers);
}

export class Warehouse {
  private closed = false;

  private constructor(
    /** The database file, or ':memory:'. */
    readonly path: string,
    readonly readOnly: boolean,
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /** Open (and for writers, create or upgrade the schema of) a warehouse file. Close it with close(). */
  static async open(path: string, options: OpenWarehouseOptions = {}): Promise<Warehouse> {
    const readOnly = options.readOnly ?? false;
    const inMemory = path === ':memory:';
    if (!inMemory) {
      checkDatabaseFile(path);
      if (readOnly && !existsSync(path)) {
        throw new FatalRunError(`no warehouse at ${path}: run \`gov-reports load\` or \`gov-reports demo\` first`, {
          stage: 'warehouse',
        });
      }
      ensureDirectory(dirname(path));
    }
    const instance = await openInstance(path, readOnly, options);
    let connection: DuckDBConnection | undefined;
    try {
      connection = await instance.connect();
      const warehouse = new Warehouse(path, readOnly, instance, connection);
      if (!readOnly && !schemaStillApplied(path)) await warehouse.transaction(() => createSchema(warehouse.connection));
      return warehouse;
    } catch (error) {
      connection?.closeSync();
      instance.closeSync();
      throw error instanceof FatalRunError
        ? error
        : new FatalRunError(`cannot prepare warehouse ${path}: ${messageOf(error)}`, { stage: 'warehouse', cause: error });
    }
  }

  /** Run one or more statements, discarding results. */
  async run(sql: string, params?: DuckDBValue[]): Promise<void> {
    await this.connection.run(sql, params);
  }

  /** Run a query and read every row. */
  async read(sql: string, params?: DuckDBValue[]): Promise<DuckDBResultReader> {
    return this.connection.runAndReadAll(sql, params);
  }

  /** A single number (counts come back as bigint: converted here, they are row counts). */
  async scalarNumber(sql: string, params?: DuckDBValue[]): Promise<number> {
    const value = (await this.read(sql, params)).getRows()[0]?.[0];
    return value === null || value === undefined ? 0 : Number(value);
  }

  /**
   * Run `work` inside BEGIN … COMMIT. Any error rolls the transaction back and is rethrown as is:
   * DuckDB answers COMMIT after a failed statement by silently rolling back, so COMMIT is only
   * ever sent after `work` succeeded.
   */
  async transaction<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    await this.connection.run('BEGIN TRANSACTION');
    let result: T;
    try {
      result = await work(this.connection);
    } catch (error) {
      await this.connection.run('ROLLBACK').catch(() => {
        // The failed statement may already have ended the transaction; nothing is left to undo.
      });
      throw error;
    }
    await this.connection.run('COMMIT');
    return result;
  }

  /** Release the file (and its lock). Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
    if (!this.readOnly) rememberSchemaApplied(this.path);
  }
}

/**
 * Files this process wrote with the current schema, and how each looked once closed. A run opens the
 * warehouse once per batch; creating tables, views and the dictionary's comments again every time cost
 * ~250 ms a batch. The file is trusted to hold the schema still only if nobody wrote it since (same
 * inode, size and modification time, no write-ahead log left).
 */
const schemaApplied = new Map<string, string>();

function fileState(path: string): string | null {
  if (path === ':memory:' || existsSync(`${path}.wal`)) return null;
  try {
    const stat = statSync(path);
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return null;
  }
}

function rememberSchemaApplied(path: string): void {
  const state = fileState(path);
  if (state) schemaApplied.set(resolve(path), state);
  else schemaApplied.delete(resolve(path));
}

function schemaStillApplied(path: string): boolean {
  const state = fileState(path);
  return state !== null && schemaApplied.get(resolve(path)) === state;
}

/** Open, run `work`, and close whatever happens: the way commands use the warehouse. */
export async function withWarehouse<T>(
  path: string,
  options: OpenWarehouseOptions,
  work: (warehouse: Warehouse) => Promise<T>,
): Promise<T> {
  const warehouse = await Warehouse.open(path, options);
  try {
    const result = await work(warehouse);
    // Write the batch into the file now, on DuckDB's threads: left to close(), the same checkpoint
    // blocks the event loop (and with it the extraction workers' next jobs) for up to a few hundred ms.
    // Refused (a transaction the caller left open), close() still checkpoints.
    if (!warehouse.readOnly) await warehouse.run('CHECKPOINT').catch(() => {});
    return result;
  } finally {
    warehouse.close();
  }
}

/** Create tables (sql/schema.sql), replace views (sql/views/*.sql, in file-name order), comment them (sql/dictionary.yaml). Idempotent. */
export async function createSchema(connection: DuckDBConnection): Promise<void> {
  for (const file of schemaFiles()) await connection.run(readFileSync(file, 'utf8'));
  await applyComments(connection);
}

/** The DDL files, in the order they must run. */
export function schemaFiles(): string[] {
  const viewDir = join(SQL_DIR, 'views');
  const views = readdirSync(viewDir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => join(viewDir, name));
  return [join(SQL_DIR, 'schema.sql'), ...views];
}

async function openInstance(path: string, readOnly: boolean, options: OpenWarehouseOptions): Promise<DuckDBInstance> {
  const timeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const started = Date.now();
  let delayMs = FIRST_RETRY_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      const config: Record<string, string> = {};
      if (readOnly) config.access_mode = 'READ_ONLY';
      if (options.noFileAccess) config.enable_external_access = 'false';
      if (options.threads !== undefined) config.threads = String(options.threads);
      return await DuckDBInstance.create(path, config);
    } catch (error) {
      const holder = lockHolder(error);
      if (holder === undefined) {
        throw new FatalRunError(`cannot open warehouse ${path}: ${messageOf(error)}`, { stage: 'warehouse', cause: error });
      }
      const waitedMs = Date.now() - started;
      const remainingMs = timeoutMs - waitedMs;
      if (remainingMs <= 0) throw new WarehouseLockedError(path, waitedMs, holder, error);
      // Jitter keeps several waiting writers from retrying in lockstep.
      const sleepMs = Math.min(remainingMs, Math.round(delayMs * (0.75 + Math.random() * 0.5)));
      options.onLockWait?.({ attempt, waitedMs, delayMs: sleepMs, holder });
      await sleep(sleepMs);
      delayMs = Math.min(delayMs * 2, MAX_RETRY_DELAY_MS);
    }
  }
}

/**
 * undefined when the error is not a lock conflict; otherwise who holds the lock, as DuckDB words it
 * ("Conflicting lock is held in /usr/bin/node (PID 42)"), or null when it does not say.
 */
function lockHolder(error: unknown): string | null | undefined {
  const message = messageOf(error);
  if (!/Could not set lock on file/i.test(message)) return undefined;
  return /lock is held in (.+?)(?:\. See also|$)/.exec(message)?.[1] ?? null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
