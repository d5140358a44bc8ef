// Rebuild reading order and table grids from positioned PDF text (pdfPages.ts): ruling lines
// give the cell borders, so a label wrapped over three lines stays one cell, a group label
// spanning eight rows becomes a merged cell, and numbers land in their own cells. Text outside
// tables becomes paragraphs; page headers, footers and page numbers are dropped; a table that
// runs onto the next page continues the same grid.
import type { Block, Grid, GridCell } from './document.ts';
import type { PdfPage, Rule, TextRun } from './pdfPages.ts';

/** Distance (points) under which two ruling-line positions are the same border. */
const SNAP = 2.5;

interface Span {
  at: number;
  from: number;
  to: number;
}

/** Collapse collinear, touching segments (a border drawn cell by cell) into single spans. */
function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.at - b.at || a.from - b.from);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = [...out].reverse().find((o) => Math.abs(o.at - s.at) <= SNAP && s.from <= o.to + SNAP && s.to >= o.from - SNAP);
    if (last) {
      last.to = Math.max(last.to, s.to);
      last.from = Math.min(last.from, s.from);
    } else out.push({ ...s });
  }
  return out;
}

/** Positions closer than SNAP become one (their mean). */
function cluster(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const groups: number[][] = [];
  for (const v of sorted) {
    const g = groups.at(-1);
    if (g && v - g[g.length - 1] <= SNAP) g.push(v);
    else groups.push([v]);
  }
  return groups.map((g) => g.reduce((s, v) => s + v, 0) / g.length);
}

const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

interface TableFrame {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  h: Span[];
  v: Span[];
}

/** Tables are connected sets of horizontal and vertical rules, with at least two of each. */
function findFrames(rules: Rule[]): TableFrame[] {
  const h = mergeSpans(rules.filter((r) => r.y0 === r.y1).map((r) => ({ at: r.y0, from: r.x0, to: r.x1 })));
  const v = mergeSpans(rules.filter((r) => r.x0 === r.x1).map((r) => ({ at: r.x0, from: r.y0, to: r.y1 })));
  const parent = [...h, ...v].map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  h.forEach((hs, i) =>
    v.forEach((vs, j) => {
      const touches = vs.at >= hs.from - SNAP && vs.at <= hs.to + SNAP && hs.at >= vs.from - SNAP && hs.at <= vs.to + SNAP;
      if (touches) parent[find(i)] = find(h.length + j);
    }),
  );
  const groups = new Map<number, { h: Span[]; v: Span[] }>();
  parent.forEach((_, i) => {
    const root = find(i);
    const g = groups.get(root) ?? { h: [], v: [] };
    if (i < h.length) g.h.push(h[i]);
    else g.v.push(v[i - h.length]);
    groups.set(root, g);
  });
  return [...groups.values()]
    .filter((g) => g.h.length >= 2 && g.v.length >= 2)
    .map((g) => ({
      ...g,
      x0: Math.min(...g.h.map((s) => s.from), ...g.v.map((s) => s.at)),
      x1: Math.max(...g.h.map((s) => s.to), ...g.v.map((s) => s.at)),
      y0: Math.min(...g.v.map((s) => s.from), ...g.h.map((s) => s.at)),
      y1: Math.max(...g.v.map((s) => s.to), ...g.h.map((s) => s.at)),
    }));
}

const isWide = (ch: string) => ch.codePointAt(0)! >= 0x2e80;

/** Cut a run where it crosses column borders, sharing its width among characters (wide ones count double). */
function splitAt(run: TextRun, cuts: number[]): TextRun[] {
  const inside = cuts.filter((x) => x > run.x0 + 1 && x < run.x1 - 1);
  if (inside.length === 0 || run.vertical) return [run];
  const chars = [...run.text];
  const weights = chars.map((c) => (isWide(c) ? 2 : 1));
  const unit = (run.x1 - run.x0) / weights.reduce((s, w) => s + w, 0);
  const pieces: TextRun[] = [];
  let x = run.x0;
  let current: { text: string; x0: number } | null = null;
  chars.forEach((ch, i) => {
    const mid = x + (weights[i] * unit) / 2;
    const crossed = current && inside.some((c) => c > current!.x0 && c <= mid);
    if (!current || crossed) {
      if (current) pieces.push({ ...run, text: current.text, x0: current.x0, x1: x });
      current = { text: '', x0: x };
    }
    current.text += ch;
    x += weights[i] * unit;
  });
  if (current) pieces.push({ ...run, text: (current as { text: string }).text, x0: (current as { x0: number }).x0, x1: run.x1 });
  return pieces.filter((p) => p.text.trim() !== '');
}

/** Join runs into lines: same line when their vertical extents mostly overlap. */
function groupLines(runs: TextRun[]): TextRun[][] {
  const sorted = [...runs].sort((a, b) => a.baseline - b.baseline || a.x0 - b.x0);
  const lines: { top: number; bottom: number; runs: TextRun[] }[] = [];
  for (const run of sorted) {
    const line = lines.find((l) => {
      const shared = overlap(l.top, l.bottom, run.top, run.bottom);
      return shared >= 0.5 * Math.min(l.bottom - l.top, run.bottom - run.top);
    });
    if (line) {
      line.runs.push(run);
      line.top = Math.min(line.top, run.top);
      line.bottom = Math.max(line.bottom, run.bottom);
    } else lines.push({ top: run.top, bottom: run.bottom, runs: [run] });
  }
  return lines.sort((a, b) => a.top - b.top).map((l) => l.runs.sort((a, b) => a.x0 - b.x0));
}

/** Text of one line: a space where the gap between runs is visible, none between Chinese characters. */
function lineText(runs: TextRun[]): string {
  let text = '';
  let prev: TextRun | null = null;
  for (const run of runs) {
    if (prev) {
      const gap = run.x0 - prev.x1;
      const bothWide = isWide(text.at(-1) ?? '') && isWide(run.text[0]);
      if (gap > 0.25 * Math.min(prev.fontSize, run.fontSize) && !bothWide) text += ' ';
    }
    text += run.text;
    prev = run;
  }
  return text.trim();
}

/** Text of a cell: vertical runs left to right, horizontal lines top to bottom, lines joined by '\n'. */
function cellText(runs: TextRun[]): string {
  const vertical = runs.filter((r) => r.vertical).sort((a, b) => a.x0 - b.x0 || a.top - b.top);
  const lines = groupLines(runs.filter((r) => !r.vertical)).map(lineText);
  return [...vertical.map((r) => r.text), ...lines].filter(Boolean).join('\n');
}

/** The lowest confidence of runs read by OCR (a cell is as doubtful as its worst word). */
function ocrConfidence(runs: TextRun[]): number | undefined {
  const read = runs.flatMap((r) => (r.confidence === undefined ? [] : [r.confidence]));
  return read.length > 0 ? Math.min(...read) : undefined;
}

interface PlacedTable {
  top: number;
  bottom: number;
  /** Column borders of a ruled table; empty for a table found by alignment alone. */
  columns: number[];
  rows: GridCell[][];
}

/** Cells of one framed table: borders from the rules, merged cells where a border is missing. */
function buildTable(frame: TableFrame, runs: TextRun[]): PlacedTable {
  const xs = cluster([frame.x0, frame.x1, ...frame.v.map((s) => s.at)]);
  const ys = cluster([frame.y0, frame.y1, ...frame.h.map((s) => s.at)]);
  const nRows = ys.length - 1;
  const nCols = xs.length - 1;
  const hasV = (x: number, y0: number, y1: number) =>
    frame.v.some((s) => Math.abs(s.at - x) <= SNAP && overlap(s.from, s.to, y0, y1) >= 0.5 * (y1 - y0));
  const hasH = (y: number, x0: number, x1: number) =>
    frame.h.some((s) => Math.abs(s.at - y) <= SNAP && overlap(s.from, s.to, x0, x1) >= 0.5 * (x1 - x0));

  const id = (r: number, c: number) => r * nCols + c;
  const parent = Array.from({ length: nRows * nCols }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const union = (a: number, b: number) => {
    const [ra, rb] = [find(a), find(b)];
    // The smaller index (top-left-most position) stays the root: it is the cell's origin.
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++) {
      if (c + 1 < nCols && !hasV(xs[c + 1], ys[r], ys[r + 1])) union(id(r, c), id(r, c + 1));
      if (r + 1 < nRows && !hasH(ys[r + 1], xs[c], xs[c + 1])) union(id(r, c), id(r + 1, c));
    }
  }

  const locate = (edges: number[], v: number) => {
    for (let i = 0; i < edges.length - 1; i++) if (v < edges[i + 1]) return i;
    return edges.length - 2;
  };
  const cellRuns = new Map<number, TextRun[]>();
  for (const run of runs.flatMap((r) => splitAt(r, xs.slice(1, -1)))) {
    const cx = (run.x0 + run.x1) / 2;
    const cy = run.vertical ? run.top + Math.min(run.bottom - run.top, run.fontSize) / 2 : (run.top + run.bottom) / 2;
    const cell = find(id(locate(ys, cy), locate(xs, cx)));
    cellRuns.set(cell, [...(cellRuns.get(cell) ?? []), run]);
  }
  const texts = new Map([...cellRuns].map(([cell, rs]) => [cell, cellText(rs)]));
  const rows: GridCell[][] = [];
  for (let r = 0; r < nRows; r++) {
    const row: GridCell[] = [];
    for (let c = 0; c < nCols; c++) {
      const origin = find(id(r, c));
      const cell: GridCell = { text: texts.get(origin) ?? '', originRow: Math.floor(origin / nCols), originCol: origin % nCols };
      const confidence = ocrConfidence(cellRuns.get(origin) ?? []);
      if (confidence !== undefined) cell.confidence = confidence;
      row.push(cell);
    }
    rows.push(row);
  }
  return { top: frame.y0, bottom: frame.y1, columns: xs, rows };
}

interface PageLine {
  top: number;
  bottom: number;
  x0: number;
  x1: number;
  fontSize: number;
  text: string;
}

type PageItem = { kind: 'line'; line: PageLine } | { kind: 'table'; table: PlacedTable };

const PAGE_NUMBER = /^(?:[-－—–]\s*\d+\s*[-－—–]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*\/\s*\d+|\d+)$/;

/** Lines repeated in the top or bottom band of several pages, and page numbers there, are running heads/feet. */
function runningLines(pages: { page: PdfPage; items: PageItem[] }[]): Set<PageLine> {
  const inBand = (page: PdfPage, l: PageLine) => l.bottom < page.height * 0.1 || l.top > page.height * 0.88;
  const key = (l: PageLine) => l.text.replace(/\d+/g, '#').replace(/\s+/g, '');
  const counts = new Map<string, number>();
  for (const { page, items } of pages) {
    const keys = new Set(items.flatMap((i) => (i.kind === 'line' && inBand(page, i.line) ? [key(i.line)] : [])));
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const out = new Set<PageLine>();
  for (const { page, items } of pages) {
    for (const item of items) {
      if (item.kind !== 'line' || !inBand(page, item.line)) continue;
      const repeated = pages.length >= 3 && (counts.get(key(item.line)) ?? 0) >= Math.max(2, pages.length / 2);
      if (PAGE_NUMBER.test(item.line.text.replace(/\s+/g, ' ').trim()) || repeated) out.add(item.line);
    }
  }
  return out;
}

const HEADING = /^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[章节部分])/;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)] ?? 0;
const median = (xs: number[]) => quantile(xs, 0.5);

/**
 * Wrapped lines become one paragraph: a line continues the previous one when that one ran to the
 * right margin and this one starts at the left margin without a heading marker. A title set in a
 * larger font over several centred lines ("淮安市人民政府" / "2024年…年度报告") is one block too.
 */
function paragraphs(lines: PageLine[], margins: { left: number; right: number; body: number }): string[] {
  const out: string[] = [];
  let prev: PageLine | null = null;
  for (const line of lines) {
    const em = margins.body;
    const sameSize = prev !== null && Math.abs(line.fontSize - prev.fontSize) < 0.5;
    const wrapped = prev !== null && prev.x1 >= margins.right - 1.5 * em && line.x0 <= margins.left + 0.5 * em;
    const titleLine = prev !== null && line.fontSize >= 1.25 * em && line.top > prev.top && line.top - prev.bottom < line.fontSize;
    const continues = sameSize && (wrapped || titleLine) && !HEADING.test(line.text);
    if (continues) {
      const last = out[out.length - 1];
      const glue = /[A-Za-z0-9]$/.test(last) && /^[A-Za-z0-9]/.test(line.text) ? ' ' : '';
      out[out.length - 1] = last + glue + line.text;
    } else out.push(line.text);
    prev = line;
  }
  return out;
}

/** Same column borders (within SNAP) means the table on the next page continues this one. */
const sameColumns = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) <= SNAP * 2);

const NUMERIC = /^[\s\d.,，+\-－—%元万]*$/;
const isValue = (c: GridCell) => c.text.trim() !== '' && NUMERIC.test(c.text);

/** Columns [first, last] covered by the cell at (row, col). */
function extent(rows: GridCell[][], row: number, col: number): [number, number] {
  const cell = rows[row][col];
  let last = col;
  while (last + 1 < rows[row].length && rows[row][last + 1].originRow === cell.originRow && rows[row][last + 1].originCol === cell.originCol) last++;
  return [cell.originCol, last];
}

/** A group label: some non-numeric label cell stands to its right in the same row. */
function hasDeeperLabel(rows: GridCell[][], row: number, lastCol: number): boolean {
  return rows[row].slice(lastCol + 1).some((c) => c.text.trim() !== '' && !NUMERIC.test(c.text));
}

/** Make the cell whose origin is (row, col) part of the cell above it, and give the merged cell its joined text. */
function mergeIntoAbove(rows: GridCell[][], row: number, col: number): void {
  const cell = rows[row][col];
  const above = rows[row - 1][col];
  const to = { originRow: above.originRow, originCol: above.originCol };
  const text = cell.text.trim() ? `${above.text}\n${cell.text}` : above.text;
  for (const r of rows) {
    for (const c of r) {
      if (c.originRow === row && c.originCol === col) Object.assign(c, to);
      if (c.originRow === to.originRow && c.originCol === to.originCol) c.text = text;
    }
  }
}

/**
 * Append the rows of a table continued from the previous page. A row cut in two by the page
 * break (label goes on, number cells empty under numbers) is joined back into one row. A group
 * label cut by the break (empty, or the rest of its text, in the first row of the new page)
 * continues the group cell above it: same columns, and deeper labels to its right in both rows.
 */
function appendContinuation(grid: Grid, rows: GridCell[][]): void {
  const offset = grid.rows.length;
  const all = [...grid.rows, ...rows.map((row) => row.map((c) => ({ ...c, originRow: c.originRow + offset })))];
  const above = all[offset - 1];
  const first = all[offset];
  const splitRow = first.length === above.length && !first.some(isValue) && first.some((c) => c.text.trim() !== '') &&
    first.some((c, i) => c.text.trim() === '' && isValue(above[i]));
  for (let col = 0; col < first.length; ) {
    const cell = first[col];
    const [from, to] = extent(all, offset, col);
    const [aFrom, aTo] = extent(all, offset - 1, col);
    const own = cell.originRow === offset && from === col;
    const sameColumns = aFrom === from && aTo === to;
    const groupCut = !NUMERIC.test(above[col].text) && (cell.text.trim() === '' || !NUMERIC.test(cell.text)) &&
      hasDeeperLabel(all, offset, to) && hasDeeperLabel(all, offset - 1, aTo);
    if (own && sameColumns && (splitRow || groupCut)) mergeIntoAbove(all, offset, col);
    col = to + 1;
  }
  grid.rows = all;
}

/**
 * A line of a table printed without ruling lines: runs separated by wide gaps (over 1.2 em), with
 * at least three cells of which two or more are numbers, or a label and one number set far apart
 * (over 3 em, a one-column row of table 2). Prose has no such gaps.
 */
function columnCells(runs: TextRun[]): { text: string; confidence?: number }[] | null {
  const cells: TextRun[][] = [];
  let widest = 0;
  for (const run of runs) {
    const last = cells.at(-1);
    const gap = last ? (run.x0 - last[last.length - 1].x1) / run.fontSize : 0;
    if (last && gap <= 1.2) last.push(run);
    else {
      cells.push([run]);
      widest = Math.max(widest, gap);
    }
  }
  const numeric = (t: string) => isValue({ text: t, originRow: 0, originCol: 0 });
  const texts = cells.map(lineText);
  const numbers = texts.filter(numeric).length;
  const labelAndNumber = texts.length === 2 && numbers === 1 && numeric(texts[1]) && widest > 3;
  if (!((texts.length >= 3 && numbers >= 2) || labelAndNumber)) return null;
  // In a table line, a number set close after a label (a long label filling its column) is a cell of its own.
  const cell = (group: TextRun[]) => ({ text: lineText(group), confidence: ocrConfidence(group) });
  return cells.flatMap((group) => {
    const last = group[group.length - 1];
    const before = group[group.length - 2];
    return before && numeric(last.text) && !numeric(before.text) && last.x0 - before.x1 > 0.3 * last.fontSize
      ? [cell(group.slice(0, -1)), cell([last])]
      : [cell(group)];
  });
}

/** Blocks in reading order for a whole document. */
export function layoutPages(pages: PdfPage[]): Block[] {
  const perPage = pages.map((page) => {
    const frames = findFrames(page.rules);
    const inFrame = (r: TextRun, f: TableFrame) => {
      const cx = (r.x0 + r.x1) / 2;
      const cy = (r.top + r.bottom) / 2;
      return cx >= f.x0 - 1 && cx <= f.x1 + 1 && cy >= f.y0 - 1 && cy <= f.y1 + 1;
    };
    const tables = frames.map((f) => buildTable(f, page.runs.filter((r) => inFrame(r, f))));
    const loose = page.runs.filter((r) => !frames.some((f) => inFrame(r, f)));
    const items: PageItem[] = [];
    for (const runs of groupLines(loose)) {
      const line: PageLine = {
        top: Math.min(...runs.map((r) => r.top)),
        bottom: Math.max(...runs.map((r) => r.bottom)),
        x0: runs[0].x0,
        x1: Math.max(...runs.map((r) => r.x1)),
        fontSize: median(runs.map((r) => r.fontSize)),
        text: lineText(runs),
      };
      if (!line.text) continue;
      const cells = columnCells(runs);
      const previous = items.at(-1);
      if (cells) {
        // Consecutive column-aligned lines are one borderless table, a line per row.
        const row = cells.map(({ text, confidence }, c): GridCell =>
          confidence === undefined ? { text, originRow: 0, originCol: c } : { text, originRow: 0, originCol: c, confidence });
        if (previous?.kind === 'table' && previous.table.columns.length === 0) {
          row.forEach((cell) => (cell.originRow = previous.table.rows.length));
          previous.table.rows.push(row);
          previous.table.bottom = line.bottom;
        } else items.push({ kind: 'table', table: { top: line.top, bottom: line.bottom, columns: [], rows: [row] } });
      } else items.push({ kind: 'line', line });
    }
    items.push(...tables.map((table): PageItem => ({ kind: 'table', table })));
    items.sort((a, b) => (a.kind === 'line' ? a.line.top : a.table.top) - (b.kind === 'line' ? b.line.top : b.table.top));
    return { page, items };
  });

  const running = runningLines(perPage);
  const bodyLines = perPage.flatMap(({ items }) => items.flatMap((i) => (i.kind === 'line' && !running.has(i.line) ? [i.line] : [])));
  const margins = {
    left: median(bodyLines.map((l) => l.x0)) - 1,
    // Most lines of prose run to the right margin; a few overshoot it (punctuation hanging into the margin).
    right: quantile(bodyLines.map((l) => l.x1), 0.75),
    body: median(bodyLines.map((l) => l.fontSize)) || 12,
  };
  // The left margin is where most lines start; indented first lines sit to its right.
  margins.left = Math.min(...bodyLines.filter((l) => l.x0 <= margins.left + 1).map((l) => l.x0), margins.left);

  const blocks: Block[] = [];
  let pendingLines: PageLine[] = [];
  let pendingFrom = 0;
  let lastGrid: { grid: Grid; columns: number[]; firstPage: number } | null = null;
  let tableCount = 0;
  const flushText = () => {
    for (const text of paragraphs(pendingLines, margins)) blocks.push({ kind: 'text', text, source: `page ${pendingFrom}` });
    pendingLines = [];
  };
  for (const { page, items } of perPage) {
    for (const item of items) {
      if (item.kind === 'line') {
        if (running.has(item.line)) continue;
        if (pendingLines.length === 0) pendingFrom = page.number;
        pendingLines.push(item.line);
        lastGrid = null;
        continue;
      }
      const { table } = item;
      if (table.rows.every((row) => row.every((c) => c.text === ''))) continue;
      if (lastGrid && pendingLines.length === 0 && table.columns.length > 0 && sameColumns(lastGrid.columns, table.columns)) {
        appendContinuation(lastGrid.grid, table.rows);
        lastGrid.grid.source = `page ${lastGrid.firstPage}-${page.number}`;
        continue;
      }
      flushText();
      const grid: Grid = { index: tableCount++, rows: table.rows, structured: table.columns.length > 0, source: `page ${page.number}` };
      blocks.push({ kind: 'table', grid });
      lastGrid = { grid, columns: table.columns, firstPage: page.number };
    }
  }
  flushText();
  return blocks;
}
