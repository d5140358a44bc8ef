// The completeness contract: every record says, for each of tables 2, 3 and 4, whether it was found
// (with the number of printed cells read), partial (where it stops) or absent (with the issue that says
// why). A table the document should print is never silently missing from the record.
import type { Issue } from '../extractors/document.ts';
import type { CellMap, TableReading } from './cells.ts';
import { T2_TEMPLATE, T3_TEMPLATE, T4_POSITIONS, type T2Row } from './labels.ts';
import type { Layout, ReportProse, TableRead } from './recordSchema.ts';

export type TableName = 't2' | 't3' | 't4';
export const TABLE_NAMES: readonly TableName[] = ['t2', 't3', 't4'];

const TITLES: Record<TableName, string> = {
  t2: 'table 2 (主动公开政府信息情况)',
  t3: 'table 3 (收到和处理政府信息公开申请情况)',
  t4: 'table 4 (行政复议、行政诉讼情况)',
};

/** Ids of the cells of each table read from a printed position (derived cells have none), or printed but not placeable. */
function printedCells(cells: CellMap): Record<TableName, string[]> {
  const printed: Record<TableName, string[]> = { t2: [], t3: [], t4: [] };
  for (const id in cells) {
    const cell = cells[id];
    const table = id.slice(0, 2);
    if (id[2] === '.' && (table === 't2' || table === 't3' || table === 't4') && (cell.at !== null || cell.status === 'unparsed')) printed[table].push(id);
  }
  return printed;
}

/** Template rows of the table that the reading never placed, in template order, and the last one it did. */
function rowCoverage(printed: string[], table: TableName, layout: Layout): { missing: string[]; last: string | null } {
  const edition = layout === 'v2019' ? 'v2019' : 'v2021';
  const template: readonly string[] =
    table === 't2' ? (Object.keys(T2_TEMPLATE[edition]) as T2Row[]) : table === 't3' ? T3_TEMPLATE[edition] : T4_POSITIONS.map((p) => `${p.group}.${p.outcome}`);
  // The row of t3.granted.total (t4: group.outcome), cut from the id without splitting it.
  const rowOf = (id: string) => {
    const dot = id.indexOf('.', 3);
    return table === 't4' || dot < 0 ? id.slice(3) : id.slice(3, dot);
  };
  const read = new Set(printed.map(rowOf));
  const last = [...template].reverse().find((r) => read.has(r)) ?? null;
  return { missing: template.filter((r) => !read.has(r)), last };
}

/** When the table is absent, the prose may say there was nothing to print. */
function absenceIsStated(table: TableName, prose: ReportProse): boolean {
  if (table === 't3') return prose.no_applications_statement !== null;
  if (table === 't4') return prose.no_review_litigation_statement !== null;
  return false;
}

/**
 * The contract entry of one table, adding the issue that explains an absent or partial table when the
 * reader did not already raise one. Tables 3 and 4 carry the headline figures: their absence is an error
 * unless the prose states there was nothing to report.
 */
export function tablesRead(
  cells: CellMap,
  readings: Record<TableName, TableReading>,
  layouts: Record<TableName, Layout>,
  prose: ReportProse,
  issues: Issue[],
): Record<TableName, TableRead> {
  const printed = printedCells(cells);
  const read = (t: TableName) => tableRead(t, cells, printed[t], readings[t], layouts[t], prose, issues);
  return { t2: read('t2'), t3: read('t3'), t4: read('t4') };
}

function tableRead(table: TableName, cells: CellMap, printedIds: string[], reading: TableReading, layout: Layout, prose: ReportProse, issues: Issue[]): TableRead {
  const printed = printedIds.length;
  const raise = (code: string, severity: Issue['severity'], message: string) => {
    if (!issues.some((i) => i.code === code)) issues.push({ code, severity, message });
    return code;
  };
  if (printed === 0) {
    const stated = absenceIsStated(table, prose);
    const severity = table === 't2' || stated ? 'warning' : 'error';
    const why = stated ? '; the prose states there was nothing to report' : '';
    const reason = raise(`${table}_not_found`, severity, `${TITLES[table]} was not found in the document (no heading, or no rows of values under it)${why}`);
    return { status: 'absent', printed_cells: 0, stops_after: null, reason };
  }
  const { missing, last } = rowCoverage(printedIds, table, layout);
  if (reading.truncated) {
    const reason = raise(`${table}_truncated`, 'warning', `${TITLES[table]} stops after ${last}`);
    return { status: 'partial', printed_cells: printed, stops_after: last, reason };
  }
  const unparsed = printedIds.filter((id) => cells[id].status === 'unparsed');
  if (unparsed.length > 0) {
    const why = issues.find((i) => i.code.startsWith(`${table}_`) && i.severity !== 'info')?.code;
    const reason = why ?? raise(`${table}_unparsed`, 'warning', `${TITLES[table]}: ${unparsed.length} printed cell(s) could not be read`);
    return { status: 'partial', printed_cells: printed, stops_after: last, reason };
  }
  if (missing.length > 0) {
    const reason = raise(`${table}_rows_missing`, 'warning', `${TITLES[table]}: template rows not read: ${missing.join(', ')}`);
    return { status: 'partial', printed_cells: printed, stops_after: last, reason };
  }
  return { status: 'found', printed_cells: printed, stops_after: null, reason: null };
}

/** Every table absent for one reason (the document is not a report, or has no tables at all). */
export function allAbsent(reason: string): Record<TableName, TableRead> {
  const absent: TableRead = { status: 'absent', printed_cells: 0, stops_after: null, reason };
  return { t2: absent, t3: absent, t4: absent };
}
