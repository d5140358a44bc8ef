// Placing the numbers of a text row that lost its blank cells (no grid says where they sat): every way of
// spreading them over the row's positions, in order, is tried with blanks as 0, and kept when the
// template's arithmetic holds (H2 for a table-3 row, H4 for table 4). Only when every kept alignment gives
// the same values are they placed; a cell every alignment fills from the same printed cell is reported, the
// others (0s and blanks the alignments disagree on) are imputed 0.
import { printedCell } from './cells.ts';
import type { CellValue } from './recordSchema.ts';
import type { StreamCell } from './rowStream.ts';
import { isBlankText, parseValue } from './values.ts';

export type Alignment = { placed: CellValue[] } | { readings: number };

export function alignByArithmetic(values: StreamCell[], width: number, holds: (values: number[]) => boolean): Alignment {
  const printed = values.filter((v) => !isBlankText(v.text));
  const numbers = printed.map((v) => parseValue(v.text, 'count').value);
  const fits: number[][] = [];
  const choose = (from: number, picked: number[]) => {
    if (picked.length === printed.length) {
      const row = new Array<number>(width).fill(0);
      picked.forEach((position, k) => (row[position] = numbers[k]!));
      if (holds(row)) fits.push(picked);
      return;
    }
    for (let p = from; p <= width - (printed.length - picked.length); p++) choose(p + 1, [...picked, p]);
  };
  if (printed.length <= width && numbers.every((n) => n !== null)) choose(0, []);
  const vectorOf = (picked: number[]) => Array.from({ length: width }, (_, p) => (picked.includes(p) ? numbers[picked.indexOf(p)]! : 0));
  const readings = new Set(fits.map((picked) => vectorOf(picked).join(',')));
  if (readings.size !== 1) return { readings: readings.size };
  const row = vectorOf(fits[0]);
  return {
    placed: row.map((value, p) => {
      const sources = new Set(fits.map((picked) => picked.indexOf(p)));
      const only = sources.size === 1 ? [...sources][0] : -1;
      return only >= 0 ? printedCell(printed[only], 'count') : { value, status: 'imputed_zero', raw: '', at: null };
    }),
  };
}
