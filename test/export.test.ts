// Export of every table and view to Parquet and CSV, read back with DuckDB.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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
    // The year is inside the files too, with its type, so one partition file stands alone.
    await readBack(async (reader) => {
      const file = join(outDir, 'cells', `report_year=${years[0]}`, 'data_0.parquet');
      const rows = (await reader.read(`SELECT DISTINCT report_year, typeof(report_year) FROM read_parquet('${file}', hive_partitioning = false)`)).getRows();
      expect(rows).toEqual([[years[0], 'INTEGER']]);
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
});
