// The data dictionary (sql/dictionary.yaml) into the three places it is read: COMMENT ON every table, view
// and column of the warehouse (so duckdb_columns() and an analyst's DESCRIBE show it), DATA_DICTIONARY.md and
// data_dictionary.csv beside every export, and docs/data-dictionary.md in the repository. One source feeds
// all three; the relations and column types come from the warehouse itself, never from a second list.
//
// Regenerate the docs page after changing the schema or the YAML: `npm run dictionary`.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parse } from 'yaml';
import { z } from 'zod';
import { packagePath } from './packageRoot.ts';

const DICTIONARY_FILE = packagePath('sql', 'dictionary.yaml');
export const DICTIONARY_DOC = packagePath('docs', 'data-dictionary.md');

const entrySchema = z.union([
  z.string().transform((meaning) => ({ meaning, unit: undefined, values: undefined })),
  z.object({ meaning: z.string(), unit: z.string().optional(), values: z.string().optional() }),
]);
export type ColumnEntry = z.infer<typeof entrySchema>;

const dictionarySchema = z.object({
  common: z.record(z.string(), entrySchema),
  relations: z.record(
    z.string(),
    z.object({ row: z.string(), key: z.array(z.string()).optional(), columns: z.record(z.string(), entrySchema).default({}) }),
  ),
  cell_ids: z.object({
    form: z.string(),
    tables: z.record(z.string(), z.object({ title: z.string(), rows: z.record(z.string(), z.string()), columns: z.record(z.string(), z.string()) })),
  }),
});
export type Dictionary = z.infer<typeof dictionarySchema>;

let cached: Dictionary | null = null;

export function dataDictionary(): Dictionary {
  cached ??= dictionarySchema.parse(parse(readFileSync(DICTIONARY_FILE, 'utf8'), { merge: true }));
  return cached;
}

/** A column of the warehouse, as DuckDB reports it. */
export interface WarehouseColumn {
  relation: string;
  kind: 'table' | 'view';
  column: string;
  type: string;
}

export function columnEntry(dictionary: Dictionary, relation: string, column: string): ColumnEntry | null {
  return dictionary.relations[relation]?.columns[column] ?? dictionary.common[column] ?? null;
}

/** What one row of a relation is, then its key: the relation's comment and its line in the dictionary. */
export function describeRelation(dictionary: Dictionary, relation: string): string | null {
  const entry = dictionary.relations[relation];
  if (!entry) return null;
  return entry.key ? `${entry.row} Key: ${entry.key.length > 1 ? `(${entry.key.join(', ')})` : entry.key[0]}.` : entry.row;
}

/** Comment text: meaning, then unit and allowed values. */
export function describeEntry(entry: ColumnEntry): string {
  return [entry.meaning, entry.unit ? `Unit: ${entry.unit}.` : '', entry.values ? `Values: ${entry.values}.` : ''].filter(Boolean).join(' ');
}

/** Every user table and view column of the warehouse, tables first, in schema order. */
export async function warehouseColumns(connection: DuckDBConnection): Promise<WarehouseColumn[]> {
  const reader = await connection.runAndReadAll(`
    SELECT c.table_name, CASE WHEN v.view_name IS NULL THEN 'table' ELSE 'view' END, c.column_name, c.data_type
      FROM duckdb_columns() c
      LEFT JOIN duckdb_views() v ON v.view_name = c.table_name AND v.schema_name = c.schema_name AND NOT v.internal
     WHERE c.schema_name = 'main' AND NOT c.internal
       AND (v.view_name IS NOT NULL OR c.table_name IN (SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary))
     ORDER BY 2, 1, c.column_index`);
  return reader.getRows().map(([relation, kind, column, type]) => ({
    relation: String(relation),
    kind: kind === 'view' ? 'view' : 'table',
    column: String(column),
    type: String(type),
  }));
}

/** Columns and relations the dictionary does not describe (the test requires none). */
export function undocumented(dictionary: Dictionary, columns: readonly WarehouseColumn[]): string[] {
  const missing = new Set<string>();
  for (const c of columns) {
    if (!dictionary.relations[c.relation]) missing.add(`${c.kind} ${c.relation}`);
    else if (!columnEntry(dictionary, c.relation, c.column)) missing.add(`${c.relation}.${c.column}`);
  }
  return [...missing];
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** COMMENT ON every relation and column the dictionary describes (views lose them when replaced: run after the DDL). */
export async function applyComments(connection: DuckDBConnection): Promise<void> {
  const dictionary = dataDictionary();
  const columns = await warehouseColumns(connection);
  const statements: string[] = [];
  for (const relation of new Set(columns.map((c) => `${c.kind} ${c.relation}`))) {
    const [kind, name] = relation.split(' ');
    const row = describeRelation(dictionary, name);
    if (row) statements.push(`COMMENT ON ${kind === 'view' ? 'VIEW' : 'TABLE'} ${ident(name)} IS ${quote(row)};`);
  }
  for (const c of columns) {
    const entry = columnEntry(dictionary, c.relation, c.column);
    if (entry) statements.push(`COMMENT ON COLUMN ${ident(c.relation)}.${ident(c.column)} IS ${quote(describeEntry(entry))};`);
  }
  if (statements.length > 0) await connection.run(statements.join('\n'));
}

/** One line per column: relation, kind, what a row is, column, type, meaning, unit, values. */
export function dictionaryRows(columns: readonly WarehouseColumn[]): string[][] {
  const dictionary = dataDictionary();
  return columns.map((c) => {
    const entry = columnEntry(dictionary, c.relation, c.column);
    return [c.relation, c.kind, describeRelation(dictionary, c.relation) ?? '', c.column, c.type, entry?.meaning ?? '', entry?.unit ?? '', entry?.values ?? ''];
  });
}

const csvField = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

export function dictionaryCsv(columns: readonly WarehouseColumn[]): string {
  const header = ['relation', 'kind', 'row', 'column', 'type', 'meaning', 'unit', 'values'];
  return [header, ...dictionaryRows(columns)].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function dictionaryMarkdown(columns: readonly WarehouseColumn[]): string {
  const dictionary = dataDictionary();
  const out: string[] = [
    '# gov-reports data dictionary',
    '',
    'Every table and view of the warehouse, what one row is, and every column with its meaning, unit and allowed',
    'values. Generated from `sql/dictionary.yaml` (the same text is stored in the warehouse as `COMMENT ON`, see',
    '`SELECT table_name, column_name, comment FROM duckdb_columns()`, and written beside every export).',
    'Units: "count" is a whole number of applications, cases, documents or items.',
    '',
  ];
  for (const kind of ['view', 'table'] as const) {
    out.push(kind === 'view' ? '## Views (start here)' : '## Tables', '');
    for (const relation of [...new Set(columns.filter((c) => c.kind === kind).map((c) => c.relation))]) {
      out.push(`### ${relation}`, '', describeRelation(dictionary, relation) ?? '(undocumented)', '');
      out.push('| column | type | meaning | unit | values |', '|---|---|---|---|---|');
      for (const c of columns.filter((x) => x.relation === relation)) {
        const entry = columnEntry(dictionary, relation, c.column);
        out.push(`| \`${c.column}\` | ${c.type} | ${cell(entry?.meaning ?? '(undocumented)')} | ${cell(entry?.unit ?? '')} | ${cell(entry?.values ?? '')} |`);
      }
      out.push('');
    }
  }
  out.push('## Canonical cell ids', '', dictionary.cell_ids.form, '');
  for (const [table, spec] of Object.entries(dictionary.cell_ids.tables)) {
    out.push(`### ${table}: ${spec.title}`, '', '| row id | printed as |', '|---|---|');
    for (const [id, label] of Object.entries(spec.rows)) out.push(`| \`${id}\` | ${cell(label)} |`);
    out.push('', '| column id | printed as |', '|---|---|');
    for (const [id, label] of Object.entries(spec.columns)) out.push(`| \`${id}\` | ${cell(label)} |`);
    out.push('', `Example: \`${table}.${Object.keys(spec.rows)[0]}.${Object.keys(spec.columns).at(-1)}\`.`, '');
  }
  return out.join('\n');
}

/** The docs page, generated from an empty warehouse of the current schema. */
export async function renderDocsPage(): Promise<string> {
  const { withWarehouse } = await import('./warehouse.ts');
  return withWarehouse(':memory:', {}, async (warehouse) => dictionaryMarkdown(await warehouseColumns(warehouse.connection)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Not a top-level await: warehouse.ts imports this module, which must finish evaluating first.
  void renderDocsPage().then((page) => {
    writeFileSync(DICTIONARY_DOC, page);
    console.log(`wrote ${DICTIONARY_DOC}`);
  });
}
