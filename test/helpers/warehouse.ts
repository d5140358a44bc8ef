// Shared by the warehouse, export and CLI tests: real records from data/samples, temporary directories
// and warehouse files, table snapshots, and a second process that opens a warehouse the way an analyst would.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { dataDictionary } from '../../pipelines/dataDictionary.ts';
import { extractInput, type ExtractedInput } from '../../pipelines/extractInputs.ts';
import { DocumentExtractor } from '../../pipelines/extractPool/extractor.ts';
import { SAMPLES_DIR } from '../../pipelines/samples.ts';
import type { Warehouse } from '../../pipelines/warehouse.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The text and HTML samples (fast to extract; PDFs are left to the extractor tests). */
export const SAMPLE_FILES = [
  'seeds/000_ee99eda0b851ed47.txt',
  'seeds/001_b4512be360909492.txt',
  'seeds/002_7051039651d1a08e.txt',
  'seeds/003_5f6bec8eadb51f9b.txt',
  'seeds/004_4d27c7cf704db1e1.txt',
  'corpus/pingtan-2023.html',
  'corpus/shanghai-stcsm-2024.md',
  'corpus/shuyang-fgj-2023.html',
].map((file) => join(SAMPLES_DIR, file));

export async function extractSamples(files: readonly string[] = SAMPLE_FILES): Promise<ExtractedInput[]> {
  const extractor = new DocumentExtractor();
  try {
    return await Promise.all(files.map((file) => extractInput(file, extractor, { sourceRoot: SAMPLES_DIR })));
  } finally {
    await extractor.close();
  }
}

export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `gov-reports-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A temporary directory removed when the current test ends, passed or failed. */
export function testTempDir(prefix: string): string {
  const { dir, cleanup } = makeTempDir(prefix);
  onTestFinished(cleanup);
  return dir;
}

export const REPORT_SIDE_TABLES = ['reports', 'cells', 'checks', 'issues', 'prose_counts', 'documents'] as const;

/** Every row of the report-side tables, in a stable order, as JSON-safe values. */
export async function snapshot(warehouse: Warehouse): Promise<Record<string, unknown[][]>> {
  const result: Record<string, unknown[][]> = {};
  for (const table of REPORT_SIDE_TABLES) {
    result[table] = (await warehouse.read(`SELECT * FROM ${table} ORDER BY ALL`)).getRowsJson();
  }
  return result;
}

export async function rowCounts(warehouse: Warehouse): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of REPORT_SIDE_TABLES) counts[table] = await warehouse.scalarNumber(`SELECT count(*) FROM ${table}`);
  return counts;
}

/** Keys held by more than one row, per table (an empty object when every key is unique). */
export async function duplicateKeys(warehouse: Warehouse): Promise<Record<string, number>> {
  const duplicates: Record<string, number> = {};
  // Every table's key as the data dictionary states it (most are kept unique by the writers, not by an index).
  const keyed = Object.entries(dataDictionary().relations).flatMap(([table, entry]) => (entry.key ? [[table, entry.key] as const] : []));
  for (const [table, key] of keyed) {
    const n = await warehouse.scalarNumber(`SELECT count(*) FROM (SELECT 1 FROM ${table} GROUP BY ${key.join(', ')} HAVING count(*) > 1)`);
    if (n > 0) duplicates[table] = n;
  }
  return duplicates;
}

/** Run a snippet in a separate node process with @duckdb/node-api, as a second DuckDB client would. */
export function spawnDuckDbScript(script: string): ChildProcess {
  return spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolve with everything the process printed once it exits. */
export function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolve when the process prints `marker` on stdout (e.g. "held" once it has the lock). */
export function printed(child: ChildProcess, marker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let errors = '';
    child.stdout?.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes(marker)) resolve();
    });
    child.stderr?.on('data', (chunk) => (errors += chunk));
    child.on('exit', (code) => reject(new Error(`process exited (${code}) before printing ${marker}: ${seen}${errors}`)));
  });
}

/** A second process that counts rows of a table read-only and prints the count. */
export async function countFromOtherProcess(dbPath: string, table: string): Promise<number> {
  const child = spawnDuckDbScript(`
    import { DuckDBInstance } from '@duckdb/node-api';
    const db = await DuckDBInstance.create(${JSON.stringify(dbPath)}, { access_mode: 'READ_ONLY' });
    const connection = await db.connect();
    const reader = await connection.runAndReadAll('SELECT count(*) FROM ${table}');
    console.log(String(reader.getRows()[0][0]));
    connection.closeSync();
    db.closeSync();`);
  const { code, stdout, stderr } = await finished(child);
  if (code !== 0) throw new Error(`second process failed (${code}): ${stderr}`);
  return Number(stdout.trim());
}

/** A second process that holds the warehouse file for writing for `holdMs`, printing "held" once it has it. */
export function holdWarehouse(dbPath: string, holdMs: number): ChildProcess {
  return spawnDuckDbScript(`
    import { DuckDBInstance } from '@duckdb/node-api';
    const db = await DuckDBInstance.create(${JSON.stringify(dbPath)});
    const connection = await db.connect();
    console.log('held');
    setTimeout(() => { connection.closeSync(); db.closeSync(); console.log('released'); }, ${holdMs});`);
}
