// Export of every table and view to Parquet and CSV, read back with DuckDB, with hyparquet (a Parquet reader
// that is not DuckDB), and with pandas/pyarrow when the machine has them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { FatalRunError } from '../pipelines/errors.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportWarehouse, type ExportedRelation } from '../pipelines/export.ts';
import { loadRecords } from '../pipelines/load.ts';
import { Warehouse, withWarehouse } from '../pipelines/warehouse.ts';
import { extractSamples, makeTempDir } from './helpers/warehouse.ts';

const temp = makeTempDir('export');
const dbPath = join(temp.dir, 'warehouse.duckdb');
let counts: Map<string, number>;

beforeAll(async () => {
  const samples = await extractSamples();
  counts = await withWarehouse(dbPath, {}, async (warehouse) => {
    await loadRecords(
      warehouse,
      samples.map((s) => s.record),
      { documents: samples.map((s) => s.document!) },
    );
    const relations = (await warehouse.read(`SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal`))
      .getRows()
      .map(([name]) => String(name));
    const result = new Map<string, number>();
    for (const name of relations) result.set(name, await warehouse.scalarNumber(`SELECT count(*) FROM "${name}"`));
    return result;
  });
});
afterAll(() => temp.cleanup());

async function exportTo(format: 'parquet' | 'csv', outDir: string): Promise<ExportedRelation[]> {
  return withWarehouse(dbPath, { readOnly: true }, (warehouse) => exportWarehouse(warehouse, { format, outDir }));
}

/** Read exported files back in a separate in-memory DuckDB, as a consumer of the export would. */
async function readBack<T>(work: (reader: Warehouse) => Promise<T>): Promise<T> {
  return withWarehouse(':memory:', {}, work);
}

describe('parquet export', () => {
  const outDir = join(temp.dir, 'parquet');
  let exported: ExportedRelation[];
  beforeAll(async () => {
    exported = await exportTo('parquet', outDir);
  });

  it('writes every table and view', () => {
    expect(exported.map((r) => r.name).sort()).toEqual([...counts.keys()].sort());
    expect(counts.get('reports')).toBeGreaterThan(0);
  });

  it('reads back with the same row counts', async () => {
    await readBack(async (reader) => {
      for (const relation of exported) {
        const files = relation.partitionedBy ? join(relation.path, '**', '*.parquet') : relation.path;
        const n = await reader.scalarNumber(`SELECT count(*) FROM read_parquet('${files}')`);
        expect({ relation: relation.name, rows: n }).toEqual({ relation: relation.name, rows: counts.get(relation.name) });
        expect(relation.rows).toBe(counts.get(relation.name));
      }
    });
  });

  it('partitions report data by report_year, directly or through reports', async () => {
    const partitioned = exported.filter((r) => r.partitionedBy).map((r) => r.name);
    expect(partitioned).toEqual(expect.arrayContaining(['reports', 'cells', 'checks', 'issues', 'report_headlines']));
    expect(exported.find((r) => r.name === 'sources')?.partitionedBy).toBeNull();
    const years = await withWarehouse(dbPath, { readOnly: true }, async (warehouse) =>
      (await warehouse.read('SELECT DISTINCT report_year FROM reports WHERE report_year IS NOT NULL ORDER BY 1')).getRows().map(([y]) => Number(y)),
    );
    expect(years.length).toBeGreaterThan(1);
    const cellDirs = readdirSync(join(outDir, 'cells')).sort();
    for (const year of years) expect(cellDirs).toContain(`report_year=${year}`);
    // The year is in the folder name only: a column stored in both places is refused by pandas and pyarrow.
    await readBack(async (reader) => {
      const file = join(outDir, 'cells', `report_year=${years[0]}`, 'data_0.parquet');
      const columns = (await reader.read(`DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`)).getRows().map(([name]) => String(name));
      expect(columns).not.toContain('report_year');
      const rows = (await reader.read(`SELECT DISTINCT report_year FROM read_parquet('${join(outDir, 'cells', '**', '*.parquet')}', hive_partitioning = true) ORDER BY 1`)).getRows();
      expect(rows.map(([y]) => (y === null ? null : Number(y)))).toEqual(expect.arrayContaining(years));
    });
  });

  it('replaces an earlier export instead of adding to it', async () => {
    const again = await exportTo('parquet', outDir);
    await readBack(async (reader) => {
      const cells = again.find((r) => r.name === 'cells')!;
      expect(await reader.scalarNumber(`SELECT count(*) FROM read_parquet('${join(cells.path, '**', '*.parquet')}')`)).toBe(counts.get('cells'));
    });
  });

  it('keeps an empty relation readable, with its columns', async () => {
    const sources = exported.find((r) => r.name === 'sources')!;
    expect(sources.rows).toBe(0);
    await readBack(async (reader) => {
      const columns = (await reader.read(`DESCRIBE SELECT * FROM read_parquet('${sources.path}')`)).getRows().map(([name]) => String(name));
      expect(columns).toContain('agency');
    });
  });
});

/** Every .parquet file under a relation's path (a file, or a hive-partitioned folder). */
function parquetFiles(path: string): string[] {
  if (path.endsWith('.parquet')) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet')).map((f) => join(path, f));
}

describe('parquet export read by hyparquet (not DuckDB)', () => {
  const outDir = join(temp.dir, 'parquet-hyparquet');
  let exported: ExportedRelation[];
  beforeAll(async () => {
    exported = await exportTo('parquet', outDir);
  });

  it('reads every exported folder with the same row counts, report_year only in the folder names', async () => {
    for (const relation of exported) {
      let rows = 0;
      for (const file of parquetFiles(relation.path)) {
        const buffer = await asyncBufferFromFile(file);
        const metadata = await parquetMetadataAsync(buffer);
        const columns = parquetSchema(metadata).children.map((child) => child.element.name);
        if (relation.partitionedBy) expect({ file: relative(outDir, file), columns }).not.toEqual({ file: relative(outDir, file), columns: expect.arrayContaining(['report_year']) });
        rows += (await parquetReadObjects({ file: buffer })).length;
      }
      expect({ relation: relation.name, rows }).toEqual({ relation: relation.name, rows: counts.get(relation.name) });
    }
  });

  it('stores counts as integers (INT64), amounts as doubles', async () => {
    const panel = exported.find((r) => r.name === 'report_panel')!;
    const rows = (await Promise.all(parquetFiles(panel.path).map(async (file) => parquetReadObjects({ file: await asyncBufferFromFile(file) })))).flat();
    const received = rows.map((row) => row.applications_received).filter((v) => v !== null && v !== undefined);
    expect(received.length).toBeGreaterThan(0);
    for (const value of received) expect(typeof value).toBe('bigint');
    const reports = exported.find((r) => r.name === 'reports')!;
    const reportRows = (await Promise.all(parquetFiles(reports.path).map(async (file) => parquetReadObjects({ file: await asyncBufferFromFile(file) })))).flat();
    // reports.applications_received is a DOUBLE in the warehouse (the zod record's number) and a count in the export.
    for (const row of reportRows) if (row.applications_received !== null) expect(typeof row.applications_received).toBe('bigint');
  });

  it('writes the data dictionary and the marker beside the files', () => {
    expect(readFileSync(join(outDir, 'DATA_DICTIONARY.md'), 'utf8')).toContain('### report_panel');
    const csv = readFileSync(join(outDir, 'data_dictionary.csv'), 'utf8');
    expect(csv).toContain('report_panel,view,');
    expect(existsSync(join(outDir, '.gov-reports-export'))).toBe(true);
  });

  it('reads with pandas and pyarrow when they are installed', (context) => {
    const probe = spawnSync('python3', ['-c', 'import pandas, pyarrow'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log('pandas/pyarrow not installed: the pandas/pyarrow read of the export is skipped (hyparquet read it above)');
      context.skip();
    }
    const script = [
      'import sys, os, pandas as pd, pyarrow.parquet as pq',
      'out = sys.argv[1]',
      'for name in sorted(os.listdir(out)):',
      '    if name.startswith(".") or not (name.endswith(".parquet") or os.path.isdir(os.path.join(out, name))): continue',
      '    path = os.path.join(out, name)',
      '    print(name, len(pd.read_parquet(path)), pq.read_table(path).num_rows)',
    ].join('\n');
    const result = spawnSync('python3', ['-c', script, outDir], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    for (const line of result.stdout.trim().split('\n')) {
      const [name, viaPandas, viaArrow] = line.split(' ');
      const relation = name.replace(/\.parquet$/, '');
      expect({ relation, pandas: Number(viaPandas), arrow: Number(viaArrow) }).toEqual({ relation, pandas: counts.get(relation), arrow: counts.get(relation) });
    }
  });
});

describe('export folder safety', () => {
  it('refuses a folder that holds anything but a previous export, and leaves it untouched', async () => {
    const outDir = join(temp.dir, 'my-files');
    mkdirSync(join(outDir, 'reports'), { recursive: true });
    writeFileSync(join(outDir, 'reports', 'a.pdf'), '%PDF-1.4 mine');
    writeFileSync(join(outDir, 'notes.md'), '# my notes');
    await expect(exportTo('parquet', outDir)).rejects.toThrow(FatalRunError);
    await expect(exportTo('csv', outDir)).rejects.toThrow(/not a gov-reports export.*choose a new or empty folder/);
    expect(readdirSync(outDir).sort()).toEqual(['notes.md', 'reports']);
    expect(readdirSync(join(outDir, 'reports'))).toEqual(['a.pdf']);
    expect(readFileSync(join(outDir, 'reports', 'a.pdf'), 'utf8')).toBe('%PDF-1.4 mine');
    expect(readdirSync(temp.dir).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('replaces a previous export whole, format included', async () => {
    const outDir = join(temp.dir, 'switch');
    await exportTo('parquet', outDir);
    await exportTo('csv', outDir);
    const names = readdirSync(outDir);
    expect(names.filter((n) => n.endsWith('.parquet') || !n.includes('.'))).toEqual([]);
    expect(names).toContain('report_panel.csv');
  });
});

describe('csv export', () => {
  const outDir = join(temp.dir, 'csv');
  let exported: ExportedRelation[];
  beforeAll(async () => {
    exported = await exportTo('csv', outDir);
  });

  it('writes one UTF-8 file with a byte-order mark per table and view', () => {
    expect(exported.map((r) => r.name).sort()).toEqual([...counts.keys()].sort());
    for (const relation of exported) {
      const bytes = readFileSync(relation.path);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(existsSync(`${relation.path}.partial`)).toBe(false);
    }
  });

  it('reads back with the same row counts and the same Chinese text', async () => {
    const agencies = await withWarehouse(dbPath, { readOnly: true }, async (warehouse) =>
      (await warehouse.read('SELECT agency_name FROM reports WHERE agency_name IS NOT NULL ORDER BY 1')).getRows().flat(),
    );
    expect(agencies.some((name) => /[\u4e00-\u9fff]/.test(String(name)))).toBe(true);
    await readBack(async (reader) => {
      for (const relation of exported) {
        const n = await reader.scalarNumber(`SELECT count(*) FROM read_csv('${relation.path}', header = true)`);
        expect({ relation: relation.name, rows: n }).toEqual({ relation: relation.name, rows: counts.get(relation.name) });
      }
      const reports = exported.find((r) => r.name === 'reports')!.path;
      const fromCsv = (await reader.read(`SELECT agency_name FROM read_csv('${reports}', header = true) WHERE agency_name IS NOT NULL ORDER BY 1`))
        .getRows()
        .flat();
      expect(fromCsv).toEqual(agencies);
    });
  });

  it('prints counts as integers, never 3119.0', () => {
    for (const name of ['report_panel', 'reports', 'cells', 'cell_values_wide_t3']) {
      const text = readFileSync(exported.find((r) => r.name === name)!.path, 'utf8');
      expect({ name, decimalZero: /,-?\d+\.0(,|\n)/.test(text) }).toEqual({ name, decimalZero: false });
    }
  });
});
