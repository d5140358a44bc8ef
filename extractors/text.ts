// Plain-text renderings of a report (copied from Word/PDF/HTML): tab tables, pipe and markdown
// tables, and the "one cell per line" rendering where every cell sits on its own tab-prefixed line
// and rows are separated by blank lines (seed 001). Everything else becomes text blocks, one per line.
import { emptyPageMetadata, gridFromRows, type Block, type ParsedDocument } from './document.ts';

type LineKind = 'blank' | 'tab' | 'cellLine' | 'pipe' | 'text';

/** A line that holds exactly one cell behind a leading tab (seed 001): "\t0", " \t三、". */
const CELL_LINE = /^[ \u3000]*\t[^\t]*$/;
const SEPARATOR_CELL = /^:?-{3,}:?$/;
/** A value cell: a number (with the unit some cells print: 75394432.52元), a change (增加5), a dash or slash for blank. */
const NUMERIC = /^[-+]?\d+(?:\.\d+)?(?:万元|亿元|元)?$|^(?:增加|新增|增|减少|减)\d+(?:\.\d+)?(?:项|个|件)?$|^[-—－/／]{1,3}$/;
/** A row prints its labels before its numbers: a label right after a number belongs to the next row. */
const startsNextRow = (cell: string, previousFilled: string) => cell !== '' && !NUMERIC.test(cell) && NUMERIC.test(previousFilled);

function classify(line: string): LineKind {
  if (line.trim() === '') {
    const tabs = (line.match(/\t/g) ?? []).length;
    return tabs === 0 ? 'blank' : tabs === 1 ? 'cellLine' : 'tab';
  }
  if (CELL_LINE.test(line)) return 'cellLine';
  if (line.includes('\t')) return 'tab';
  if ((line.match(/\|/g) ?? []).length >= 2) return 'pipe';
  return 'text';
}

function splitPipe(line: string): string[] {
  let body = line.trim();
  // Markdown rows open and close with a pipe; seed-002 style rows do not open with one.
  if (body.startsWith('|')) {
    body = body.slice(1);
    if (body.endsWith('|')) body = body.slice(0, -1);
  }
  return body.split('|').map((c) => c.trim());
}

const isSeparatorRow = (cells: string[]) =>
  cells.some((c) => c !== '') && cells.every((c) => c === '' || SEPARATOR_CELL.test(c));

/** Heading text without markdown markers. */
const stripMarkdown = (line: string) => line.replace(/^\s{0,3}#{1,6}\s+/, '').replace(/^\*\*(.*)\*\*$/, '$1').trim();

/**
 * Word's binary .doc (through word-extractor) ends a table row with the same tab as a cell, so several
 * rows can arrive on one line; they are split where a label follows a number. (Rows of a real tab
 * rendering never have a label after their numbers.)
 */
function splitRunTogetherRows(cells: string[]): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let lastFilled = '';
  for (const cell of cells) {
    if (startsNextRow(cell, lastFilled)) {
      rows.push(row);
      row = [];
    }
    row.push(cell);
    if (cell !== '') lastFilled = cell;
  }
  rows.push(row);
  return rows;
}

export function extractText(text: string): ParsedDocument {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const kinds = lines.map(classify);
  const blocks: Block[] = [];
  let tableCount = 0;
  let i = 0;

  const pushGrid = (rows: string[][], first: number, last: number) => {
    const kept = rows.filter((r) => !isSeparatorRow(r));
    if (kept.length === 0) return;
    blocks.push({ kind: 'table', grid: gridFromRows(tableCount++, kept, false, `lines ${first + 1}-${last + 1}`) });
  };

  while (i < lines.length) {
    const kind = kinds[i];
    if (kind === 'blank') {
      i++;
      continue;
    }
    if (kind === 'text') {
      const t = stripMarkdown(lines[i]);
      if (t) blocks.push({ kind: 'text', text: t, source: `line ${i + 1}` });
      i++;
      continue;
    }
    if (kind === 'cellLine') {
      i = readCellPerLineTable(i);
      continue;
    }
    // Tab or pipe table: a run of such lines; blank lines inside do not end it (seed 004 has a
    // header continuation row and its truncated table 4 after blank lines).
    const first = i;
    const rows: string[][] = [];
    let last = i;
    let after: string | null = null;
    while (i < lines.length) {
      const k = kinds[i];
      if (k === 'tab') {
        const split = splitRunTogetherRows(lines[i].split('\t').map((c) => c.trim()));
        // In .doc text the paragraph after a table follows the table's last tab on the same line.
        if (split.length > 1 && split[split.length - 1].length === 1) after = split.pop()![0];
        rows.push(...split);
        if (after !== null) {
          last = i++;
          break;
        }
      } else if (k === 'pipe') rows.push(splitPipe(lines[i]));
      else if (k === 'blank') {
        const next = kinds.slice(i).findIndex((x) => x !== 'blank');
        const nextKind = next < 0 ? 'blank' : kinds[i + next];
        if (nextKind !== kind) break;
        i += next;
        continue;
      } else break;
      last = i;
      i++;
    }
    pushGrid(rows, first, last);
    if (after) blocks.push({ kind: 'text', text: stripMarkdown(after), source: `line ${last + 1}` });
  }

  /**
   * One cell per line: cells are tab-prefixed lines, a line without a tab right after a cell
   * continues that cell (vertical text "三、\n本年\n度办\n理结\n果"), a blank line ends a row, and a
   * non-cell line after a blank line ends the table.
   */
  function readCellPerLineTable(start: number): number {
    const rows: string[][] = [];
    let row: string[] = [];
    let j = start;
    let last = start;
    const endRow = () => {
      if (row.length) rows.push(row);
      row = [];
    };
    while (j < lines.length) {
      const k = kinds[j];
      if (k === 'cellLine') {
        const cell = lines[j].replace(/^[ \u3000]*\t/, '').trim();
        // A label right after a number starts the next row even without a blank line between.
        if (row.length > 0 && startsNextRow(cell, row[row.length - 1])) endRow();
        row.push(cell);
        last = j;
      } else if (k === 'blank') {
        endRow();
      } else if (k === 'text' && row.length > 0 && kinds[j - 1] === 'cellLine') {
        row[row.length - 1] += '\n' + lines[j].trim();
        last = j;
      } else break;
      j++;
    }
    endRow();
    pushGrid(rows, start, last);
    return j;
  }

  return { format: 'text', title: null, blocks, page: emptyPageMetadata(), issues: [] };
}
