// Table 4 (行政复议、行政诉讼): one data row of 15 values, mapped by position (§5). Header text is
// too often broken or truncated to identify the columns, and the row is recognised by its width.
import type { Issue } from '../extractors/document.ts';
import { printedCell, setCell, type CellMap, type TableReading } from './cells.ts';
import { T4_POSITIONS } from './labels.ts';
import { printedValueCount, valueWindow, type StreamItem } from './rowStream.ts';

const WIDTH = T4_POSITIONS.length;

export function readTable4(items: StreamItem[]): TableReading {
  const cells: CellMap = {};
  const issues: Issue[] = [];
  let inT4Section = false;
  let seenTable3 = false;
  for (const item of items) {
    if (item.kind === 'heading') {
      if (item.section === 't4') inT4Section = true;
      if (item.section === 't3') seenTable3 = true;
      continue;
    }
    if (/本年新收/.test(item.allLabels)) seenTable3 = true;
    if (!inT4Section && !seenTable3) continue;
    const window = valueWindow(item, WIDTH);
    if (!window || printedValueCount(item) < WIDTH - 5) continue;
    window.forEach((cell, k) => {
      const { group, outcome } = T4_POSITIONS[k];
      setCell(cells, `t4.${group}.${outcome}`, printedCell(cell, 'count'));
    });
    return { cells, issues, truncated: false };
  }
  if (inT4Section) issues.push({ code: 't4_not_found', severity: 'warning', message: 'table 4 heading found but no row of 15 values' });
  return { cells, issues, truncated: inT4Section };
}
