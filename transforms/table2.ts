// Table 2 (主动公开政府信息情况): sub-blocks 第二十条第（X）项, each with a header row naming its
// columns and data rows naming their content. Columns come from the header when it can be read,
// else from the template of the detected edition; a row whose cells do not match its columns is refused
// (t2_columns_ambiguous), never filled left to right; rows no template knows go to t2.ext.*.
import type { Issue } from '../extractors/document.ts';
import { cellId, setCell, printedCell, type CellMap, type EditionReading } from './cells.ts';
import {
  T2_BLOCK, T2_COLUMNS, T2_EDITION_EVIDENCE, T2_ROWS, T2_TEMPLATE, T2_TRUNCATED_HEADER,
  matchLabel, t2ValueKind, type Edition, type T2Column, type T2Row,
} from './labels.ts';
import type { Layout } from './recordSchema.ts';
import { normalizeLabel } from './normalize.ts';
import { printedValueCount, valueWindow, type StreamItem, type StreamRow } from './rowStream.ts';

const allowedColumns = (row: T2Row): Set<T2Column> =>
  new Set([...(T2_TEMPLATE.v2019[row] ?? []), ...(T2_TEMPLATE.v2021[row] ?? [])]);

function editionOf(evidence: Set<Edition>): Layout {
  if (evidence.size === 2) return 'hybrid';
  if (evidence.has('v2019')) return 'v2019';
  if (evidence.has('v2021')) return 'v2021';
  return 'unknown';
}

function noteEvidence(evidence: Set<Edition>, text: string): void {
  for (const edition of ['v2019', 'v2021'] as const) if (T2_EDITION_EVIDENCE[edition].test(text)) evidence.add(edition);
}

/** Column id per value position (null where the header names nothing we know). */
type HeaderColumns = (T2Column | null | 'truncated')[];

const afterContentLabel = (cells: string[]) => cells.slice(cells.findIndex((c) => /信息内容|內容/.test(c)) + 1);

/**
 * The columns a header names, in order. One header cell per column when every cell names one; otherwise
 * (a header wrapped over several rows: 本年新 / 制作数量 / 本年新 / 公开数量, as .doc text gives it) the
 * columns named anywhere in the header text, in the order they are printed.
 */
function readHeader(rows: StreamRow[]): HeaderColumns {
  const perCell: HeaderColumns = afterContentLabel(rows[rows.length - 1].labels.map(normalizeLabel)).map((text) =>
    T2_TRUNCATED_HEADER.test(text) ? 'truncated' : matchLabel(T2_COLUMNS, text),
  );
  if (perCell.length > 0 && perCell.every((c) => c !== null)) return perCell;
  const text = afterContentLabel(rows.flatMap((r) => r.labels.map(normalizeLabel))).join('');
  const found: { at: number; end: number; id: T2Column }[] = [];
  for (const rule of T2_COLUMNS) {
    for (const m of text.matchAll(new RegExp(rule.keys.source, 'g'))) {
      const at = m.index;
      if (!found.some((f) => at < f.end && f.at < at + m[0].length)) found.push({ at, end: at + m[0].length, id: rule.id });
    }
  }
  const joined = found.sort((a, b) => a.at - b.at).map((f) => f.id);
  return joined.length > perCell.filter((c) => c !== null).length ? joined : perCell;
}

const isHeaderRow = (row: StreamRow) =>
  printedValueCount(row) === 0 && row.labels.some((l) => /信息内容|內容/.test(normalizeLabel(l)) || matchLabel(T2_COLUMNS, normalizeLabel(l)));

/**
 * Reads table 2 from the rows between the table-2 heading (or the first 第二十条 block) and the
 * start of table 3.
 */
export function readTable2(items: StreamItem[]): EditionReading {
  const cells: CellMap = {};
  const issues: Issue[] = [];
  const evidence = new Set<Edition>();
  let inTable = false;
  let header: HeaderColumns | null = null;
  let headerRows: StreamRow[] = [];
  let extraRows = 0;
  const pending: { row: StreamRow; id: T2Row; header: HeaderColumns | null }[] = [];

  for (const item of items) {
    if (item.kind === 'heading') {
      // Section 一 often has sub-headings named like sections (（二）依申请公开…): a heading ends
      // table 2 only once its rows have been read.
      if (item.section === 't2') inTable = true;
      else if (pending.length > 0 || extraRows > 0) break;
      else inTable = false;
      continue;
    }
    const blockMatch = item.labels.map(normalizeLabel).join('').match(T2_BLOCK);
    if (blockMatch) {
      inTable = true;
      header = null;
      headerRows = [];
      noteEvidence(evidence, blockMatch[0]);
      continue;
    }
    if (!inTable) continue;
    if (/本年新收|勾稽关系|申请人情况/.test(item.allLabels)) break; // table 3 begins
    if (isHeaderRow(item) || (headerRows.length > 0 && printedValueCount(item) === 0 && !matchLabel(T2_ROWS, item.allLabels))) {
      headerRows.push(item);
      header = readHeader(headerRows);
      item.labels.forEach((l) => noteEvidence(evidence, normalizeLabel(l)));
      continue;
    }
    headerRows = [];
    if (printedValueCount(item) === 0) continue;
    const id = matchLabel(T2_ROWS, item.lastLabel) ?? matchLabel(T2_ROWS, item.allLabels);
    noteEvidence(evidence, item.allLabels);
    if (!id) {
      if (item.fromText) continue; // prose lines ending in numbers are not table rows
      extraRows++;
      item.values.forEach((cell, i) => {
        if (cell.text.trim() === '') return;
        setCell(cells, `t2.ext.row${extraRows}.col${i + 1}`, printedCell(cell, 'count'));
      });
      issues.push({
        code: 't2_extra_row',
        severity: 'info',
        message: `table 2 row "${item.labels.join(' ')}" is not in the template: kept as t2.ext.row${extraRows}.*`,
      });
      continue;
    }
    pending.push({ row: item, id, header });
  }

  const layout = editionOf(evidence);
  // Rows are mapped once the edition is known, because a missing or truncated header is resolved
  // by the template of that edition.
  for (const { row, id, header: rowHeader } of pending) {
    const template = T2_TEMPLATE[layout === 'v2019' ? 'v2019' : 'v2021'][id] ?? T2_TEMPLATE.v2019[id] ?? [];
    const allowed = allowedColumns(id);
    const headerFits = rowHeader?.some((c) => c !== null && c !== 'truncated' && allowed.has(c as T2Column)) ?? false;
    const columns = headerFits
      ? rowHeader!.map((c, i) => (c === 'truncated' ? template[i] ?? null : c !== null && allowed.has(c) ? c : null))
      : template;
    // A value belongs to the column its cell sits under. A row printing fewer (or more) cells than the
    // columns it is placed by, or a value under a column the header does not name, cannot be placed:
    // its cells are unparsed, never filled left to right.
    const window = valueWindow(row, columns.length);
    const unplaceable = !window || window.some((cell, i) => !columns[i] && cell.text.trim() !== '');
    if (unplaceable) {
      const raw = row.values.map((v) => v.text).join('|');
      const named = columns.filter((c): c is T2Column => c !== null);
      for (const column of named) cells[cellId('t2', id, column)] ??= { value: null, status: 'unparsed', raw, at: null };
      issues.push({
        code: 't2_columns_ambiguous',
        severity: 'warning',
        message: `table 2 row ${id}: ${printedValueCount(row)} value(s) "${raw}" for ${columns.length} column(s) (${columns.map((c) => c ?? '?').join(', ')}): which value is which cannot be told; cells left unparsed`,
      });
      continue;
    }
    window.forEach((cell, i) => {
      const column = columns[i];
      if (!column) return;
      const cid = cellId('t2', id, column);
      if (cells[cid]) {
        issues.push({ code: 't2_duplicate_cell', severity: 'warning', message: `table 2 cell ${cid} printed twice; the first is kept` });
        return;
      }
      setCell(cells, cid, printedCell(cell, t2ValueKind(column)));
    });
  }
  return { cells, layout, issues, truncated: false };
}
