// The data dictionary (sql/dictionary.yaml) documents every table, view and column of the warehouse, is stored
// in it as COMMENT ON, and docs/data-dictionary.md is its current rendering. Adding a column or a view without
// documenting it fails here.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DICTIONARY_DOC, dataDictionary, renderDocsPage, undocumented, warehouseColumns, type WarehouseColumn } from '../pipelines/dataDictionary.ts';
import { Warehouse } from '../pipelines/warehouse.ts';

let warehouse: Warehouse;
let columns: WarehouseColumn[];

beforeAll(async () => {
  warehouse = await Warehouse.open(':memory:');
  columns = await warehouseColumns(warehouse.connection);
});
afterAll(() => warehouse.close());

describe('data dictionary', () => {
  it('documents every table, view and column of the warehouse', () => {
    expect(columns.length).toBeGreaterThan(200);
    expect(undocumented(dataDictionary(), columns)).toEqual([]);
  });

  it('has no entry for a relation or column that does not exist', () => {
    const dictionary = dataDictionary();
    const relations = new Set(columns.map((c) => c.relation));
    const stale = Object.entries(dictionary.relations).flatMap(([relation, spec]) =>
      !relations.has(relation)
        ? [relation]
        : Object.keys(spec.columns).filter((column) => !columns.some((c) => c.relation === relation && c.column === column)).map((column) => `${relation}.${column}`),
    );
    expect(stale).toEqual([]);
    const common = Object.keys(dictionary.common).filter((column) => !columns.some((c) => c.column === column));
    expect(common).toEqual([]);
  });

  it('states the key of every table, made of its columns, and no key for a view', () => {
    const dictionary = dataDictionary();
    const tables = [...new Set(columns.filter((c) => c.kind === 'table').map((c) => c.relation))];
    expect(tables.filter((table) => !dictionary.relations[table].key)).toEqual([]);
    const wrong = Object.entries(dictionary.relations).flatMap(([relation, spec]) =>
      (spec.key ?? []).filter((column) => !columns.some((c) => c.relation === relation && c.kind === 'table' && c.column === column)).map((column) => `${relation}.${column}`),
    );
    expect(wrong).toEqual([]);
  });

  it('is stored in the warehouse as comments on every relation and column', async () => {
    const reader = await warehouse.read(`
      SELECT c.table_name || '.' || c.column_name FROM duckdb_columns() c
       WHERE c.schema_name = 'main' AND NOT c.internal AND (c.comment IS NULL OR c.comment = '')
         AND c.table_name IN (SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views() WHERE NOT internal)`);
    expect(reader.getRows().flat()).toEqual([]);
    const panel = await warehouse.read(`SELECT comment FROM duckdb_columns() WHERE table_name = 'report_panel' AND column_name = 'applications_received'`);
    expect(String(panel.getRows()[0][0])).toMatch(/newly received.*Unit: count/);
    const views = await warehouse.read(`SELECT view_name FROM duckdb_views() WHERE NOT internal AND (comment IS NULL OR comment = '')`);
    expect(views.getRows().flat()).toEqual([]);
  });

  it('explains every canonical cell id the label table can produce', async () => {
    const { T3_ROWS, T3_COLUMNS, T2_ROWS, T2_COLUMNS } = await import('../transforms/labels.ts');
    const tables = dataDictionary().cell_ids.tables;
    for (const rule of T2_ROWS) expect(Object.keys(tables.t2.rows)).toContain(rule.id);
    for (const rule of T2_COLUMNS) expect(Object.keys(tables.t2.columns)).toContain(rule.id);
    for (const rule of T3_ROWS) expect(Object.keys(tables.t3.rows)).toContain(rule.id);
    for (const column of T3_COLUMNS) expect(Object.keys(tables.t3.columns)).toContain(column);
  });

  it('docs/data-dictionary.md is up to date (npm run dictionary regenerates it)', async () => {
    expect(readFileSync(DICTIONARY_DOC, 'utf8')).toBe(await renderDocsPage());
  });
});
