// Flattens a ParsedDocument into one stream of section headings and table rows, in reading order.
// Each row is split into its label cells and the run of value cells after the last label, so the
// table readers never see formats, merged cells or padding: only "labels + values".
import type { Grid, ParsedDocument } from '../extractors/document.ts';
import { SECTION_HEADINGS, T2_BLOCK, matchLabel } from './labels.ts';
import { normalizeLabel } from './normalize.ts';
import { isBlankText, isValueText } from './values.ts';

export interface StreamCell {
  text: string;
  table: number;
  row: number;
  col: number;
}

export interface StreamRow {
  kind: 'row';
  /** Non-value cells before the values, in order (rowspan group labels included). */
  labels: string[];
  /** Normalised text of the last label: the most specific one. */
  lastLabel: string;
  /** Normalised text of all labels joined. */
  allLabels: string;
  /** Cells after the last label (blank placeholders included), as printed. */
  values: StreamCell[];
  /** True when blank cells are real printed cells (HTML/PDF/DOCX), false for text padding. */
  structured: boolean;
  /** True for a "label  12  0" line of running text rather than a table row. */
  fromText: boolean;
  table: number;
  row: number;
}

export interface StreamHeading {
  kind: 'heading';
  section: 't2' | 't3' | 't4' | 'end';
  text: string;
}

export type StreamItem = StreamRow | StreamHeading;

const HEADING_MAX_LENGTH = 40;

/** A leading section enumerator: 一、 (一) 第一部分 表三： */
const ENUMERATOR = /^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十]+部分|表[一二三四五六][:、.]?)/;

function headingOf(text: string): StreamHeading | null {
  const label = normalizeLabel(text).replace(/^#+/, '');
  const rest = label.replace(ENUMERATOR, '');
  // Wrapped preamble sentences name the sections too: a heading has no sentence punctuation.
  // ("行政复议、行政诉讼" is the table-4 heading's own 、.)
  if (rest.length === 0 || label.length > HEADING_MAX_LENGTH || /[,，。;；、]/.test(rest.replace(/行政复议、行政诉讼/, ''))) return null;
  const section = matchLabel(SECTION_HEADINGS, label);
  return section ? { kind: 'heading', section, text } : null;
}

function rowFromCells(cells: StreamCell[], structured: boolean, fromText: boolean, table: number, row: number): StreamRow | null {
  let lastLabel = -1;
  cells.forEach((cell, i) => {
    if (cell.text.trim() !== '' && !isValueText(cell.text)) lastLabel = i;
  });
  const labels = cells.slice(0, lastLabel + 1).map((c) => c.text).filter((t) => t.trim() !== '' && !isBlankText(t));
  const values = cells.slice(lastLabel + 1);
  if (labels.length === 0 && values.every((v) => isBlankText(v.text))) return null;
  return {
    kind: 'row',
    labels,
    lastLabel: labels.length ? normalizeLabel(labels[labels.length - 1]) : '',
    allLabels: normalizeLabel(labels.join('')),
    values,
    structured,
    fromText,
    table,
    row,
  };
}

/** "行政许可 97", "规章 0 0 0": a table row that survived only as a line of text (PDF-to-text output). */
const TEXT_ROW = /^(\S*[\u4e00-\u9fff][^\d]*?)((?:\s+[-+]?\d[\d.,]*(?:万元|元)?)+)\s*$/;

const NUMBERS_ONLY = /^\d+(?:\s+\d+)+$/;

function rowFromTextLine(text: string, index: number): StreamRow | null {
  const line = text.normalize('NFKC').trim();
  // A 第二十条第（X）项 block header that lost its table row still opens its block.
  if (line.length <= 20 && T2_BLOCK.test(normalizeLabel(line))) {
    return rowFromCells([{ text: line, table: -1, row: index, col: 0 }], false, true, -1, index);
  }
  // Cheap guards before the regex: a table row in running text is short and ends in a number.
  if (line.length > 120 || !/\d(?:万元|元)?$/.test(line)) return null;
  // A line of numbers only is a table-4 row without its label (text renderings, PDF text).
  if (NUMBERS_ONLY.test(line)) return rowFromCells(line.split(/\s+/).map((t, col) => ({ text: t, table: -1, row: index, col })), false, true, -1, index);
  const m = TEXT_ROW.exec(line);
  if (!m || m[1].length > 40) return null;
  const numbers = m[2].trim().split(/\s+/);
  const cells: StreamCell[] = [m[1], ...numbers].map((t, col) => ({ text: t, table: -1, row: index, col }));
  return rowFromCells(cells, false, true, -1, index);
}

/**
 * The printed rows of a grid as [first, end) spans of grid rows. A grid row whose every number sits in a
 * cell merged down from an earlier row of the span holds only more label lines of that printed row (a
 * PDF grid cut at each text line of a tall row); in HTML and Word grids every row has its own values.
 */
function printedRowSpans(grid: Grid): [number, number][] {
  const spans: [number, number][] = [];
  let first = 0;
  for (let r = 1; r <= grid.rows.length; r++) {
    const numbers = r < grid.rows.length ? grid.rows[r].filter((cell) => cell.text.trim() !== '' && isValueText(cell.text) && !isBlankText(cell.text)) : [];
    const continues = numbers.length > 0 && numbers.every((cell) => cell.originRow >= first && cell.originRow < r);
    if (!continues) {
      spans.push([first, r]);
      first = r;
    }
  }
  return spans;
}

export function rowStream(doc: ParsedDocument): StreamItem[] {
  const items: StreamItem[] = [];
  doc.blocks.forEach((block, blockIndex) => {
    if (block.kind === 'text') {
      for (const line of block.text.split('\n')) {
        const heading = headingOf(line);
        if (heading) items.push(heading);
        else {
          const row = rowFromTextLine(line, blockIndex);
          if (row) items.push(row);
        }
      }
      return;
    }
    const { grid } = block;
    for (const [first, end] of printedRowSpans(grid)) {
      // One printed cell, one entry: positions that continue a merged cell are skipped, and the label
      // lines of a row that the grid cut into several (a PDF row whose values span them) are joined.
      const cells: StreamCell[] = [];
      for (let c = 0; c < (grid.rows[first]?.length ?? 0); c++) {
        if (end === first + 1) {
          // A printed row of one grid row (every HTML and Word row): its cells that start in this column.
          const cell = grid.rows[first][c];
          if (cell && cell.originCol === c) cells.push({ text: cell.text, table: grid.index, row: first, col: c });
          continue;
        }
        const origins = new Map<string, string>();
        for (let r = first; r < end; r++) {
          const cell = grid.rows[r][c];
          if (cell && cell.originCol === c && (cell.originRow === r || r === first)) origins.set(`${cell.originRow},${c}`, cell.text);
        }
        if (origins.size === 0) continue;
        const texts = [...origins.values()];
        cells.push({ text: texts.length === 1 ? texts[0] : texts.filter((t) => t.trim() !== '').join(''), table: grid.index, row: first, col: c });
      }
      const nonEmpty = cells.filter((c) => c.text.trim() !== '');
      if (nonEmpty.length === 1) {
        const heading = headingOf(nonEmpty[0].text);
        if (heading) {
          items.push(heading);
          continue;
        }
      }
      const row = rowFromCells(cells, grid.structured, false, grid.index, first);
      if (row) items.push(row);
    }
  });
  return items;
}

/**
 * The value cells of a row trimmed to the expected width: padding cells (empty) are dropped from
 * the left first, because the first applicant column is rarely blank while merged-label
 * placeholders sit on the left; then from the right. Returns null when the width cannot be met.
 */
export function valueWindow(row: StreamRow, width: number): StreamCell[] | null {
  const cells = [...row.values];
  while (cells.length > width && cells[0].text.trim() === '') cells.shift();
  while (cells.length > width && cells[cells.length - 1].text.trim() === '') cells.pop();
  return cells.length === width ? cells : null;
}

/** Number of non-blank value cells of a row. */
export function printedValueCount(row: StreamRow): number {
  return row.values.filter((v) => !isBlankText(v.text)).length;
}
