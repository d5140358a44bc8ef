// Table 3 (收到和处理政府信息公开申请情况): rows found by label key phrases, each carrying the run of
// 7 values at its end (自然人 … 总计). Rows whose label was lost (PDF-to-text damage) are placed by
// the template's row order between the labelled rows around them, and only when the count fits.
import type { Issue } from '../extractors/document.ts';
import { cellId, printedCell, setCell, type CellMap, type EditionReading } from './cells.ts';
import {
  T3_COLUMN_HEADER_ROW, T3_COLUMNS, T3_HEADER_NOTE, T3_ROWS, T3_TEMPLATE, T3_V2021_ONLY, T4_HEADER_ROW,
  matchLabel, type T3Row,
} from './labels.ts';
import type { Layout } from './recordSchema.ts';
import { printedValueCount, valueWindow, type StreamCell, type StreamItem, type StreamRow } from './rowStream.ts';
import { alignByArithmetic } from './alignment.ts';
import { parseValue } from './values.ts';

const WIDTH = T3_COLUMNS.length;

interface Candidate {
  row: StreamRow;
  id: T3Row | null;
  window: StreamCell[] | null;
}

function t3RowId(row: StreamRow): T3Row | null {
  if (!row.lastLabel) return null;
  return matchLabel(T3_ROWS, row.lastLabel) ?? matchLabel(T3_ROWS, row.allLabels);
}

/** The rows of table 3, from its heading or first row up to table 4 or the next section. */
function collectCandidates(items: StreamItem[]): { candidates: Candidate[]; started: boolean } {
  const candidates: Candidate[] = [];
  let started = false;
  for (const item of items) {
    if (item.kind === 'heading') {
      if (item.section === 't3') started = true;
      else if (started && (item.section === 't4' || item.section === 'end')) {
        if (candidates.length > 0) break;
        started = false; // a sub-heading of section 一 that only looked like the table-3 heading
      }
      continue;
    }
    const id = t3RowId(item);
    if (!started) {
      if (id === 'new_received' || T3_HEADER_NOTE.test(item.allLabels)) started = true;
      else continue;
    }
    if (valueWindow(item, 15) && printedValueCount(item) >= 10) break; // the table-4 data row
    const printed = printedValueCount(item);
    // 自然人 … 总计: a header, whatever its blank cells; unless a .doc row end was lost and the header runs
    // into the first row, which then ends in that row's label and its seven values.
    if (T3_COLUMN_HEADER_ROW.test(item.allLabels) && !(id && printed >= WIDTH)) continue;
    if (printed === 0 && T4_HEADER_ROW.test(item.allLabels)) break; // 行政复议 … 结果维持: table 4 begins
    if (printed === 0) {
      // A labelled row of blank cells is still a row.
      if (!(id && item.structured && item.values.length >= WIDTH)) continue;
    }
    if (item.fromText && !id) continue;
    if (!id && item.labels.length > 0 && printed < WIDTH - 1) continue; // a header or stray fragment
    candidates.push({ row: item, id, window: valueWindow(item, WIDTH) });
  }
  return { candidates, started };
}

function detectEdition(candidates: Candidate[]): Layout {
  if (candidates.some((c) => c.id && T3_V2021_ONLY.has(c.id))) return 'v2021';
  const otherTotal = candidates.findIndex((c) => c.id === 'other_total');
  if (otherTotal >= 0 && candidates[otherTotal + 1]?.id === 'results_total') return 'v2019';
  if (candidates.length === T3_TEMPLATE.v2021.length) return 'v2021';
  if (candidates.length === T3_TEMPLATE.v2019.length) return 'v2019';
  return 'unknown';
}

/** Place every candidate on a template row: labelled rows anchor, unlabelled ones fill the gaps between. */
function align(candidates: Candidate[], template: readonly T3Row[], issues: Issue[]): Map<T3Row, Candidate> {
  const placed = new Map<T3Row, Candidate>();
  let next = 0;
  let pending: Candidate[] = [];
  const flush = (until: number) => {
    if (pending.length === 0) return;
    if (pending.length === until - next) pending.forEach((c, k) => placed.set(template[next + k], c));
    else {
      issues.push({
        code: 't3_unplaced_rows',
        severity: 'warning',
        message: `table 3: ${pending.length} row(s) without a readable label between template rows ${template[next - 1] ?? 'start'} and ${template[until] ?? 'end'} (${until - next} expected); their values were not used`,
      });
    }
    pending = [];
  };
  for (const candidate of candidates) {
    if (!candidate.id) {
      pending.push(candidate);
      continue;
    }
    const at = template.indexOf(candidate.id, next);
    if (at < 0) {
      const earlier = placed.get(candidate.id);
      if (!earlier || !sameValues(earlier, candidate)) {
        issues.push({
          code: 't3_row_out_of_order',
          severity: 'warning',
          message: `table 3 row "${candidate.row.labels.join(' ')}" (${candidate.id}) appears out of template order; ignored`,
        });
      }
      continue;
    }
    flush(at);
    placed.set(candidate.id, candidate);
    next = at + 1;
  }
  // Unlabelled rows after the last label are accepted only when they complete the table exactly.
  if (pending.length) flush(pending.length === template.length - next ? template.length : -1);
  return placed;
}

const sameValues = (a: Candidate, b: Candidate) =>
  a.window !== null && b.window !== null && a.window.every((c, i) => c.text.trim() === b.window![i].text.trim());

const h2Holds = (values: number[]) => values.slice(0, WIDTH - 1).reduce((a, b) => a + b, 0) === values[WIDTH - 1];

export function readTable3(items: StreamItem[]): EditionReading {
  const cells: CellMap = {};
  const issues: Issue[] = [];
  const { candidates, started } = collectCandidates(items);
  if (!started || candidates.length === 0) return { cells, layout: 'unknown', issues, truncated: false };

  const layout = detectEdition(candidates);
  const template = T3_TEMPLATE[layout === 'v2019' ? 'v2019' : 'v2021'];
  const placed = align(candidates, template, issues);

  for (const [rowId, candidate] of placed) {
    if (candidate.window) {
      candidate.window.forEach((cell, k) => setCell(cells, cellId('t3', rowId, T3_COLUMNS[k]), printedCell(cell, 'count')));
      continue;
    }
    const printed = candidate.row.values.filter((v) => v.text.trim() !== '');
    if (printed.length === 1 && parseValue(printed[0].text, 'count').value === 0) {
      // A row collapsed to a single 0 (§9): every cell of it is 0.
      T3_COLUMNS.forEach((column) =>
        setCell(cells, cellId('t3', rowId, column), { value: 0, status: 'imputed_zero', raw: printed[0].text, at: null }),
      );
      continue;
    }
    // A text row that lost blank cells: placed only when rule H2 (Σ applicants = 总计) allows one reading.
    const alignment = candidate.row.structured ? { readings: 0 } : alignByArithmetic(candidate.row.values, WIDTH, h2Holds);
    if ('placed' in alignment) {
      alignment.placed.forEach((cell, k) => setCell(cells, cellId('t3', rowId, T3_COLUMNS[k]), cell));
      issues.push({ code: 't3_aligned_by_rule', severity: 'info', message: `table 3 row ${rowId}: ${printed.length} printed values placed by rule H2, the only values it allows` });
      continue;
    }
    const raw = candidate.row.values.map((v) => v.text).join('|');
    T3_COLUMNS.forEach((column) => setCell(cells, cellId('t3', rowId, column), { value: null, status: 'unparsed', raw, at: null }));
    issues.push({
      code: 't3_row_unparsed',
      severity: 'warning',
      message: `table 3 row ${rowId}: ${printed.length} values where ${WIDTH} were expected ("${raw}")${alignment.readings > 1 ? `; rule H2 allows ${alignment.readings} readings` : ''}`,
    });
  }
  joinSplitDigits(cells, placed, issues);

  const present = template.filter((r) => placed.has(r));
  const truncated = present.length > 0 && !placed.has('carried_forward');
  if (truncated) {
    const last = present[present.length - 1];
    issues.push({ code: 't3_truncated', severity: 'warning', message: `table 3 ends after row ${last}` });
  }
  const lastIndex = template.indexOf(present[present.length - 1]);
  const missing = template.slice(0, lastIndex).filter((r) => !placed.has(r));
  if (missing.length) {
    issues.push({ code: 't3_rows_missing', severity: 'warning', message: `table 3 rows not found: ${missing.join(', ')}` });
  }
  return { cells, layout, issues, truncated };
}

/** "1 6" in a cell is 16 only when rule H2 (总计 = Σ applicants) holds with the join (§6.4). */
function joinSplitDigits(cells: CellMap, placed: Map<T3Row, Candidate>, issues: Issue[]): void {
  for (const [rowId, candidate] of placed) {
    if (!candidate.window) continue;
    candidate.window.forEach((cell, k) => {
      const parsed = parseValue(cell.text, 'count');
      if (parsed.splitDigitsCandidate === undefined) return;
      // Blank applicant cells count as 0 here, as they do when completing a printed total (derive.ts).
      const others = T3_COLUMNS.map((c) => cells[cellId('t3', rowId, c)]);
      if (others.some((cell, i) => i !== k && cell?.status !== 'reported' && cell?.status !== 'blank')) return;
      const values = others.map((cell, i) => (i === k ? parsed.splitDigitsCandidate! : cell.value ?? 0));
      const applicants = values.slice(0, WIDTH - 1).reduce((a, b) => a + b, 0);
      if (applicants === values[WIDTH - 1]) {
        const id = cellId('t3', rowId, T3_COLUMNS[k]);
        cells[id] = { ...cells[id], value: parsed.splitDigitsCandidate!, status: 'reported' };
        issues.push({ code: 'digits_joined', severity: 'info', message: `${id}: "${cell.text}" read as ${parsed.splitDigitsCandidate} because rule H2 holds with it` });
      }
    });
  }
}
