// Table cells with their spans → a grid, by the HTML table model (shared by HTML pages and Word
// documents, whose merged cells are the same colspan/rowspan): each cell takes the first free column
// of its row and covers its spans; holes are filled and rows that print nothing are dropped.
import type { GridCell } from './document.ts';
import type { LineBuffer } from './htmlBody.ts';

export interface RawCell {
  buf: LineBuffer;
  rowspan: number;
  colspan: number;
}

/** Browsers clamp spans to these (HTML spec); rowspan=0 reaches to the end of the table. */
export const MAX_COLSPAN = 1000;
export const MAX_ROWSPAN = 65534;

export function spanValue(raw: string | undefined, max: number, zero: number): number {
  if (raw === undefined) return 1;
  const n = Number.parseInt(raw, 10);
  if (Number.isNaN(n) || n < 0) return 1;
  if (n === 0) return zero;
  return Math.min(n, max);
}

/** The HTML table model: each cell takes the first free column of its row and covers its spans. */
export function placeCells(rows: RawCell[][], repairs: string[]): GridCell[][] {
  const grid: (GridCell | undefined)[][] = rows.map(() => []);
  rows.forEach((cells, r) => {
    let c = 0;
    for (const cell of cells) {
      while (grid[r][c]) c++;
      const wanted = cell.rowspan === 0 ? rows.length - r : cell.rowspan;
      const rowspan = Math.min(wanted, rows.length - r);
      if (rowspan < wanted && cell.rowspan !== 0) repairs.push(`rowspan ${wanted} at row ${r} clamped to ${rowspan}`);
      const text = cell.buf.text();
      for (let dr = 0; dr < rowspan; dr++) {
        for (let dc = 0; dc < cell.colspan; dc++) grid[r + dr][c + dc] = { text, originRow: r, originCol: c };
      }
      c += cell.colspan;
    }
  });
  // Fill holes left by inconsistent spans, then drop rows that print nothing at all.
  const dense = grid.map((cells, r) => Array.from(cells, (cell, c) => cell ?? { text: '', originRow: r, originCol: c }));
  const keep = dense.map((cells, r) => !isBlankRow(cells, r, dense[r + 1]));
  const newIndex: number[] = [];
  let kept = 0;
  for (let r = 0; r < dense.length; r++) newIndex[r] = keep[r] ? kept++ : -1;
  return dense
    .filter((_, r) => keep[r])
    .map((cells) => cells.map((cell) => ({ text: cell.text, originRow: newIndex[cell.originRow], originCol: cell.originCol })));
}

/** A row with no cells, or only empty cells that start here and reach no further (Word spacer rows). */
function isBlankRow(cells: GridCell[], r: number, next: GridCell[] | undefined): boolean {
  if (!cells.every((cell) => cell.text === '' && cell.originRow === r)) return false;
  return !next || !next.some((cell) => cell.originRow === r);
}
