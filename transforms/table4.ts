// Table 4 (行政复议、行政诉讼): 15 cells, three blocks (复议 / 未经复议直接起诉 / 复议后起诉) of five outcomes
// (维持 / 纠正 / 其他 / 尚未审结 / 总计), mapped by position (§5). Header text is too often broken or
// truncated to name the columns, so a value belongs to the position of its cell in the grid: one row of
// 15, blocks printed as separate tables or rows of 5 (placed by their block label), or one row per outcome
// (3 values). A line of text that lost its blank cells is placed only when rule H4 allows exactly one
// reading; otherwise its cells are unparsed, with an issue.
import type { Issue } from '../extractors/document.ts';
import { cellId, printedCell, setCell, type CellMap, type TableReading } from './cells.ts';
import { T4_GROUP_LABELS, T4_GROUPS, T4_OUTCOME_LABELS, T4_OUTCOMES, T4_POSITIONS, matchLabel, type T4Group } from './labels.ts';
import { normalizeLabel } from './normalize.ts';
import { alignByArithmetic } from './alignment.ts';
import { isBlankText } from './values.ts';
import { printedValueCount, valueWindow, type StreamCell, type StreamItem, type StreamRow } from './rowStream.ts';

const WIDTH = T4_POSITIONS.length;
const BLOCK = T4_OUTCOMES.length;

/** The one block a row's labels name, or null when they name none or several (a 15-column header). */
function blockOf(row: StreamRow): T4Group | null {
  const named = new Set(row.labels.map((l) => matchLabel(T4_GROUP_LABELS, normalizeLabel(l))).filter((g) => g !== null));
  return named.size === 1 ? [...named][0] : null;
}

/** Rows of the table-4 section: after its heading up to the next section; without a heading, after table 3. */
function sectionRows(items: StreamItem[]): StreamRow[] {
  const start = items.findIndex((i) => i.kind === 'heading' && i.section === 't4');
  if (start < 0) return afterTable3(items);
  const rows: StreamRow[] = [];
  for (const item of items.slice(start + 1)) {
    if (item.kind === 'heading') {
      // Section 五 ends it; a repeated heading (a preamble line) only once rows were read.
      if (item.section === 'end' || rows.some((r) => printedValueCount(r) > 0)) break;
      continue;
    }
    rows.push(item);
  }
  return rows;
}

/** No table-4 heading (seed 004): the first row of 15 after table 3 began. */
function afterTable3(items: StreamItem[]): StreamRow[] {
  let seenTable3 = false;
  for (const item of items) {
    if (item.kind === 'heading') {
      if (item.section === 't3') seenTable3 = true;
      continue;
    }
    if (/本年新收/.test(item.allLabels)) seenTable3 = true;
    if (seenTable3 && valueWindow(item, WIDTH) && printedValueCount(item) >= WIDTH - 5) return [item];
  }
  return [];
}

export function readTable4(items: StreamItem[]): TableReading {
  const cells: CellMap = {};
  const issues: Issue[] = [];
  const rows = sectionRows(items);
  const set = (group: T4Group, outcome: (typeof T4_OUTCOMES)[number], cell: StreamCell) => {
    const id = cellId('t4', group, outcome);
    if (!cells[id]) setCell(cells, id, printedCell(cell, 'count'));
  };
  let block: T4Group | null = null;
  const unaligned: StreamRow[] = [];

  for (const row of rows) {
    const named = blockOf(row);
    const printed = printedValueCount(row);
    // A row of blank cells is data only in a grid, without labels, under a block label (a block of 0s printed blank).
    if (printed === 0 && !(row.structured && row.labels.length === 0 && row.values.length >= BLOCK && block !== null)) {
      if (named) block = named;
      continue;
    }
    const full = valueWindow(row, WIDTH);
    if (full && (row.structured || !row.fromText || printed === WIDTH)) {
      full.forEach((cell, k) => set(T4_POSITIONS[k].group, T4_POSITIONS[k].outcome, cell));
      break;
    }
    const five = valueWindow(row, BLOCK);
    const group = named ?? block ?? T4_GROUPS.find((g) => !cells[cellId('t4', g, 'total')]) ?? null;
    if (five && group && (row.structured || printed === BLOCK)) {
      five.forEach((cell, k) => set(group, T4_OUTCOMES[k], cell));
      block = null;
      continue;
    }
    const outcome = matchLabel(T4_OUTCOME_LABELS, row.lastLabel);
    const three = valueWindow(row, T4_GROUPS.length);
    if (three && outcome && (row.structured || printed === T4_GROUPS.length)) {
      three.forEach((cell, k) => set(T4_GROUPS[k], outcome, cell));
      continue;
    }
    if (!row.structured && printed > 0 && printed < WIDTH && Object.keys(cells).length === 0) unaligned.push(row);
  }
  if (Object.keys(cells).length === 0 && unaligned.length === 1) alignByRule(unaligned[0], cells, issues);

  // An absent table 4 is said by the completeness contract (t4_not_found), which knows what the prose states.
  const read = T4_POSITIONS.filter(({ group, outcome }) => cells[cellId('t4', group, outcome)]).length;
  return { cells, issues, truncated: read > 0 && read < WIDTH };
}

/** A text line of table 4 that kept only its printed numbers: placed when rule H4 allows one reading. */
function alignByRule(row: StreamRow, cells: CellMap, issues: Issue[]): void {
  const h4 = (values: number[]) =>
    T4_GROUPS.every((_, g) => values.slice(g * BLOCK, g * BLOCK + 4).reduce((a, b) => a + b, 0) === values[g * BLOCK + 4]);
  const alignment = alignByArithmetic(row.values, WIDTH, h4);
  const printed = row.values.filter((v) => !isBlankText(v.text));
  if ('placed' in alignment) {
    alignment.placed.forEach((cell, p) => setCell(cells, cellId('t4', T4_POSITIONS[p].group, T4_POSITIONS[p].outcome), cell));
    issues.push({ code: 't4_aligned_by_rule', severity: 'info', message: `table 4: ${printed.length} printed values placed by rule H4, the only values it allows` });
    return;
  }
  const raw = printed.map((v) => v.text).join('|');
  T4_POSITIONS.forEach(({ group, outcome }) => setCell(cells, cellId('t4', group, outcome), { value: null, status: 'unparsed', raw, at: null }));
  issues.push({
    code: 't4_alignment_ambiguous',
    severity: 'warning',
    message: `table 4: ${printed.length} printed values ("${raw}") for 15 cells and ${alignment.readings || 'no'} readings that rule H4 allows: cells left unparsed`,
  });
}
