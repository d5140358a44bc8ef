// The zod record schema (transforms/recordSchema.ts) and the DDL (sql/schema.sql) must agree: every leaf of the
// record has its column, with a compatible type and nullability, and every report-side column comes from the
// record or is one the loader fills itself. The DDL is read back from DuckDB itself, not parsed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { reportRecordSchema } from '../transforms/recordSchema.ts';
import { REPORT_TABLES, leafColumns, type ReportTable } from '../pipelines/load.ts';
import { Warehouse, createSchema } from '../pipelines/warehouse.ts';

interface DbColumn {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
}

async function readColumns(warehouse: Warehouse): Promise<DbColumn[]> {
  const reader = await warehouse.read(
    `SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns()
      WHERE schema_name = 'main' ORDER BY table_name, column_index`,
  );
  return reader.getRows().map(([table, column, type, nullable]) => ({
    table: String(table),
    column: String(column),
    type: String(type),
    nullable: nullable === true,
  }));
}

/** The DuckDB types a zod leaf may be stored in. */
function compatibleTypes(leaf: z.ZodType): RegExp {
  if (leaf instanceof z.ZodString) return /^(VARCHAR|DATE)$/;
  if (leaf instanceof z.ZodEnum) return /^VARCHAR$/;
  if (leaf instanceof z.ZodBoolean) return /^BOOLEAN$/;
  if (leaf instanceof z.ZodNumber) return leaf.isInt ? /^(INTEGER|BIGINT)$/ : /^(DOUBLE|DECIMAL\(\d+,\d+\))$/;
  if (leaf instanceof z.ZodArray && leaf.element instanceof z.ZodString) return /^VARCHAR\[\]$/;
  throw new Error(`no DuckDB type known for zod ${leaf.def.type}`);
}

/** Every disagreement between the record schema and the DDL, as readable sentences. */
function schemaDifferences(columns: DbColumn[]): string[] {
  const problems: string[] = [];
  for (const [table, spec] of Object.entries(REPORT_TABLES) as [ReportTable, (typeof REPORT_TABLES)[ReportTable]][]) {
    const dbColumns = new Map(columns.filter((c) => c.table === table).map((c) => [c.column, c]));
    if (dbColumns.size === 0) {
      problems.push(`table ${table} is missing`);
      continue;
    }
    const leaves = leafColumns(spec.schema, spec.childPaths);
    for (const leaf of leaves) {
      const db = dbColumns.get(leaf.column);
      const field = leaf.path.join('.');
      if (!db) {
        problems.push(`${table}.${leaf.column} is missing (record field ${field})`);
        continue;
      }
      if (!compatibleTypes(leaf.leaf).test(db.type)) {
        problems.push(`${table}.${leaf.column} is ${db.type}, not compatible with zod ${leaf.leaf.def.type} (${field})`);
      }
      if (leaf.nullable && !db.nullable) problems.push(`${table}.${leaf.column} is NOT NULL but ${field} may be null`);
      if (!leaf.nullable && db.nullable) problems.push(`${table}.${leaf.column} allows NULL but ${field} never is`);
    }
    const fromRecord = new Set(leaves.map((leaf) => leaf.column));
    const fromLoader = new Set<string>(spec.loaderColumns);
    for (const column of dbColumns.keys()) {
      if (!fromRecord.has(column) && !fromLoader.has(column)) problems.push(`${table}.${column} has no record field and the loader does not fill it`);
    }
    for (const column of fromLoader) if (!dbColumns.has(column)) problems.push(`${table}.${column} (filled by the loader) is missing`);
  }
  return problems;
}

describe('record schema ↔ warehouse DDL', () => {
  let warehouse: Warehouse;
  let columns: DbColumn[];

  beforeAll(async () => {
    warehouse = await Warehouse.open(':memory:');
    columns = await readColumns(warehouse);
  });
  afterAll(() => warehouse.close());

  it('agree on every column, type and nullability', () => {
    expect(schemaDifferences(columns)).toEqual([]);
  });

  it('notices drift in either direction', async () => {
    const drifted = await Warehouse.open(':memory:');
    try {
      await drifted.run(`
        ALTER TABLE reports DROP COLUMN contact_fax;
        ALTER TABLE cells ADD COLUMN unit VARCHAR;
        ALTER TABLE checks ALTER COLUMN passed TYPE VARCHAR;`);
      expect(schemaDifferences(await readColumns(drifted))).toEqual([
        'reports.contact_fax is missing (record field meta.contact.fax)',
        'cells.unit has no record field and the loader does not fill it',
        'checks.passed is VARCHAR, not compatible with zod boolean (passed)',
      ]);
    } finally {
      drifted.close();
    }
  });

  it('maps each child table to the record field that holds its rows', () => {
    const shape = reportRecordSchema.shape;
    expect(shape.cells.valueType).toBe(REPORT_TABLES.cells.schema);
    expect(shape.checks.element).toBe(REPORT_TABLES.checks.schema);
    expect(shape.issues.element).toBe(REPORT_TABLES.issues.schema);
    expect(shape.prose.shape.proactive_items_by_channel.element).toBe(REPORT_TABLES.prose_counts.schema);
    expect([...REPORT_TABLES.reports.childPaths].sort()).toEqual(
      ['cells', 'checks', 'issues', 'prose.proactive_items_by_channel'].sort(),
    );
  });

  it('keeps the crawl tables the crawler relies on', () => {
    const tables = new Set(columns.map((c) => c.table));
    for (const table of ['sources', 'documents', 'fetches', 'runs', 'run_documents']) expect(tables).toContain(table);
  });

  it('creates every view, each with the columns analysts rely on', async () => {
    const views = (await warehouse.read(`SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1`))
      .getRows()
      .map(([name]) => String(name));
    expect(views).toEqual([
      'agencies', 'cell_values_wide_t3', 'cell_values_wide_t4', 'check_failures', 'coverage', 'cross_year_checks', 'duplicate_reports',
      'report_figures', 'report_headlines', 'report_panel', 'report_sources', 't3_applications', 't3_outcome_shares', 't4_reviews_lawsuits',
    ]);
    const headline = columns.filter((c) => c.table === 'report_headlines').map((c) => c.column);
    expect(headline).toEqual(
      expect.arrayContaining([
        'agency_name',
        'report_year',
        'template_version',
        'applications_received',
        'applications_granted',
        'applications_denied',
        'admin_reviews',
        'lawsuits',
      ]),
    );
  });

  it('creates the schema idempotently', async () => {
    const before = await readColumns(warehouse);
    await createSchema(warehouse.connection);
    expect(await readColumns(warehouse)).toEqual(before);
  });
});
