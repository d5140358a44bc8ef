// Scanned pages → the positioned text and ruling lines the PDF path reads (pure, given a runner).
// A page image is deskewed, its table rules are found by pixel projection (ocrRules.ts) and erased,
// Tesseract reads the text with word boxes and confidences, and every ruled cell that holds digits
// (or ink but no readable word) is read again in a digits-only pass, all such cells of a page
// stacked into one strip. The result is a PdfPage like the text layer's, so pdfLayout.ts rebuilds
// the same grids; each run carries its OCR confidence into its grid cell.
import { isolateNumber, type IsolatedNumber } from './ocrDigits.ts';
import { decodeImage } from './imageDecode.ts';
import { crop, estimateSkew, inkBox, resize, rotate, stack, whitenPaper, type Box, type GrayImage } from './ocrImage.ts';
import { eraseLines, findRulingLines, type PixelLine, type RulingLines } from './ocrRules.ts';
import { parseTsv, type OcrWord } from './ocrTsv.ts';
import type { PdfPage, Rule, TextRun } from './pdfPages.ts';

/** Bumped when the OCR method changes what it reads from the same image: part of the OCR cache key. */
export const OCR_METHOD_VERSION = 2;

export type RecognitionMode = 'text' | 'cells' | 'digits' | 'digit-line';

/** The side effects OCR needs, supplied by pipelines/ocr/ (and by tests): rasterising and recognising. */
export interface OcrRunner {
  /** Engine and model version, e.g. "tesseract 5.3.0 chi_sim": part of the OCR cache key. */
  readonly engine: string;
  /** Resolution pages are rasterised at. */
  readonly dpi: number;
  /** Pages read at once (one per core). */
  readonly concurrency: number;
  /** One page (1-based) of a PDF as a grey image at `dpi`. */
  rasterise(pdf: Uint8Array, page: number): Promise<GrayImage>;
  /**
   * Tesseract TSV for an image: 'text' reads Chinese page text, 'cells' Chinese text scattered over a strip of cell
   * images, 'digits' only 0-9 . - in lines, 'digit-line' the same on one line.
   */
  recognise(image: GrayImage, mode: RecognitionMode, dpi: number): Promise<string>;
}

/** What OCR made of one page, in PDF points like the text layer. */
export interface OcrPage extends PdfPage {
  /** Measured rotation that was undone, in degrees. */
  skewDegrees: number;
  /** Ruled cells read by the digits-only pass. */
  digitCells: number;
}

const cjkCount = (s: string) => s.match(/[\u3400-\u9fff]/g)?.length ?? 0;

/** Positions of lines closer than `snap` pixels merged (their mean). */
function clusterPositions(lines: PixelLine[], snap: number): number[] {
  const sorted = lines.map((l) => l.at).sort((a, b) => a - b);
  const groups: number[][] = [];
  for (const v of sorted) {
    const g = groups.at(-1);
    if (g && v - g[g.length - 1] <= snap) g.push(v);
    else groups.push([v]);
  }
  return groups.map((g) => g.reduce((s, v) => s + v, 0) / g.length);
}

const covers = (lines: PixelLine[], at: number, from: number, to: number, snap: number) =>
  lines.some((l) => Math.abs(l.at - at) <= snap && Math.min(l.to, to) - Math.max(l.from, from) >= 0.6 * (to - from));

/**
 * Where a table runs off the page (or onto it), its columns' rules stop at one height with no rule across them:
 * that height closes (opens) the cells like a rule would.
 */
function pageCuts(vertical: PixelLine[], snap: number): PixelLine[] {
  const cuts: PixelLine[] = [];
  for (const end of ['from', 'to'] as const) {
    const sorted = [...vertical].sort((a, b) => a[end] - b[end]);
    let group: PixelLine[] = [];
    const flush = () => {
      if (group.length >= 3) {
        const at = group.reduce((sum, l) => sum + l[end], 0) / group.length;
        cuts.push({ at, from: Math.min(...group.map((l) => l.at)), to: Math.max(...group.map((l) => l.at)), thickness: 1 });
      }
      group = [];
    };
    for (const l of sorted) {
      if (group.length > 0 && l[end] - group[group.length - 1][end] > snap) flush();
      group.push(l);
    }
    flush();
  }
  return cuts;
}

/**
 * Cells closed on all four sides by ruling lines: where a table's values are printed. Row bands lie
 * between consecutive horizontal rules; in each band, the vertical rules that cross it cut the cells,
 * so tables with different columns on one page each get their own.
 */
export function ruledCells(lines: RulingLines, dpi: number): Box[] {
  const snap = dpi / 30;
  const horizontal = [...lines.horizontal, ...pageCuts(lines.vertical, snap)];
  const ys = clusterPositions(horizontal, snap);
  const xs = clusterPositions(lines.vertical, snap);
  const cells: Box[] = [];
  for (let r = 0; r + 1 < ys.length; r++) {
    const [y0, y1] = [ys[r], ys[r + 1]];
    if (y1 - y0 < dpi / 15) continue;
    const cuts = xs.filter((x) => covers(lines.vertical, x, y0, y1, snap));
    for (let c = 0; c + 1 < cuts.length; c++) {
      const [x0, x1] = [cuts[c], cuts[c + 1]];
      if (x1 - x0 >= dpi / 10 && covers(horizontal, y0, x0, x1, snap) && covers(horizontal, y1, x0, x1, snap)) {
        cells.push({ x0, y0, x1, y1 });
      }
    }
  }
  return cells;
}

/** Smallest digit height read in a value cell, inches (a 5 pt figure). */
const MIN_DIGIT_HEIGHT = 0.04;
const DIGIT_LAYOUT: 'row' | 'column' = 'column';

/**
 * A label cell holds Chinese words: many characters, or a few read with some confidence (a digit read as one
 * or two unlikely characters, 4 as 和, or a seal's strokes read as three, is not a label).
 */
function isLabel(inside: { text: string; confidence: number }[]): boolean {
  const cjk = cjkCount(inside.map((w) => w.text).join(''));
  const confidence = meanConfidence(inside);
  return cjk >= 4 || (cjk === 3 && confidence >= 30) || (cjk === 2 && confidence >= 50);
}

const meanConfidence = (words: { confidence: number }[]) => words.reduce((s, w) => s + w.confidence, 0) / Math.max(1, words.length);

const insetBox = (b: Box, by: number): Box => ({ x0: b.x0 + by, y0: b.y0 + by, x1: b.x1 - by, y1: b.y1 - by });

/** Share of a word's box that lies inside a box. */
function shareInside(w: OcrWord, b: Box): number {
  const x = Math.max(0, Math.min(w.left + w.width, b.x1) - Math.max(w.left, b.x0));
  const y = Math.max(0, Math.min(w.top + w.height, b.y1) - Math.max(w.top, b.y0));
  return (x * y) / Math.max(1, w.width * w.height);
}

const centreIn = (w: OcrWord, b: Box) => {
  const x = w.left + w.width / 2;
  const y = w.top + w.height / 2;
  return x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1;
};

function wordRun(text: string, box: Box, confidence: number, scale: number): TextRun {
  const top = box.y0 * scale;
  const bottom = box.y1 * scale;
  return { text, x0: box.x0 * scale, x1: box.x1 * scale, top, bottom, baseline: bottom, fontSize: bottom - top, vertical: false, confidence };
}

/**
 * The words of one cell, a run per text line as Tesseract grouped them, shifted by (dx, dy) into the page: a
 * speck beside a word changes its box, and boxes alone would then split one printed line into two.
 */
function textLines(words: OcrWord[], dx: number, dy: number): { text: string; confidence: number; box: Box }[] {
  const lines = new Map<string, OcrWord[]>();
  for (const w of words) lines.set(w.line, [...(lines.get(w.line) ?? []), w]);
  return [...lines.values()].map((line) => {
    line.sort((a, b) => a.left - b.left);
    return {
      text: line.map((w) => w.text).join(''),
      confidence: Math.min(...line.map((w) => w.confidence)),
      box: {
        x0: Math.min(...line.map((w) => w.left)) + dx,
        y0: Math.min(...line.map((w) => w.top)) + dy,
        x1: Math.max(...line.map((w) => w.left + w.width)) + dx,
        y1: Math.max(...line.map((w) => w.top + w.height)) + dy,
      },
    };
  });
}

/** Digits-only reading of cell images stacked in one strip (a column of lines, or one line): the words of each. */
async function readDigits(crops: GrayImage[], layout: 'column' | 'row', runner: OcrRunner): Promise<OcrWord[][]> {
  // On one line, wide gaps keep each number a word of its own.
  const strip = stack(crops, Math.round(runner.dpi / (layout === 'row' ? 2 : 8)), layout);
  const words = parseTsv(await runner.recognise(strip.image, layout === 'row' ? 'digit-line' : 'digits', runner.dpi));
  return strip.bands.map((band) => words.filter((w) => centreIn(w, band)).sort((a, b) => a.left - b.left));
}

/** Read one page image. `number` is the page's number in its document. */
export async function ocrPage(image: GrayImage, number: number, runner: OcrRunner): Promise<OcrPage> {
  const { dpi } = runner;
  const skewDegrees = estimateSkew(image);
  const straight = Math.abs(skewDegrees) >= 0.15 ? rotate(image, skewDegrees) : image;
  const lines = findRulingLines(straight, dpi);
  const clean = eraseLines(straight, lines);
  // A "word" a few pixels across is a speck read as a character.
  const words = parseTsv(await runner.recognise(clean, 'text', dpi)).filter((w) => Math.max(w.width, w.height) >= dpi / 50);

  // Every ruled cell is read on its own, out of the page's layout: the page pass misorders the lines of a
  // cell, runs a word across a rule, reads a digit as a character. A cell the page pass read as a confident
  // number goes straight to the digits pass; any other inked cell is read again with the text model, and it is
  // a label when that reading holds Chinese words (isLabel), else a number for the digits pass.
  const replaced = new Set<OcrWord>();
  const cells = ruledCells(lines, dpi);
  const candidates: { cell: Box; number: IsolatedNumber | null }[] = [];
  const toRead: { cell: Box; number: IsolatedNumber | null; inside: OcrWord[] }[] = [];
  const minInk = Math.max(6, (dpi / 100) ** 2 * 3);
  // Page words inside the ruled cells are replaced by the cells' own readings; so is a word spread over several
  // cells (a seal's stroke read as a character), which no one cell holds.
  for (const w of words) if (cells.reduce((share, cell) => share + shareInside(w, cell), 0) >= 0.5) replaced.add(w);
  for (const cell of cells) {
    for (const w of words) if (shareInside(w, cell) >= 0.3 || centreIn(w, cell)) replaced.add(w);
    const inside = words.filter((w) => shareInside(w, cell) >= 0.6);
    const number = isolateNumber(crop(straight, cell), Math.round(dpi * MIN_DIGIT_HEIGHT));
    const confidentNumber = inside.length > 0 && inside.every((w) => /^[\d.,-]+$/.test(w.text) && w.confidence >= 80);
    if (confidentNumber && number) candidates.push({ cell, number });
    else if (inkBox(crop(clean, insetBox(cell, dpi / 100)), minInk)) toRead.push({ cell, number, inside });
  }
  const labelRuns: { text: string; box: Box; confidence: number }[] = [];
  if (toRead.length > 0) {
    const crops = toRead.map((c) => whitenPaper(crop(clean, insetBox(c.cell, dpi / 100))));
    const gap = Math.round(dpi / 8);
    const strip = stack(crops, gap, 'column');
    const read = parseTsv(await runner.recognise(strip.image, 'cells', dpi));
    toRead.forEach((c, i) => {
      const band = strip.bands[i];
      const own = read.filter((w) => centreIn(w, band));
      const [dx, dy] = [Math.ceil(c.cell.x0 + dpi / 100) - gap, Math.ceil(c.cell.y0 + dpi / 100) - band.y0];
      const cellReading = textLines(own, dx, dy);
      const pageReading = textLines(c.inside, 0, 0);
      // A label read both ways keeps the reading Tesseract is surer of; one that neither reading finds Chinese in is a number.
      const labels = [cellReading, pageReading].filter((r) => isLabel(r));
      if (labels.length === 0) {
        if (c.number) candidates.push(c);
        return;
      }
      labelRuns.push(...labels.sort((a, b) => meanConfidence(b) - meanConfidence(a))[0]);
    });
  }
  const digitCells = candidates.map(({ cell, number }) => {
    const x0 = Math.floor(cell.x0) + number!.x0;
    const y0 = Math.floor(cell.y0) + number!.y0;
    // The number's place, kept inside its cell (the margin around it may reach past a rule; the layout would split it there).
    const at = { x0: Math.max(x0, cell.x0 + 1), y0: Math.max(y0, cell.y0 + 1), x1: Math.min(x0 + number!.image.width, cell.x1 - 1), y1: Math.min(y0 + number!.image.height, cell.y1 - 1) };
    return { cell, number: number!, at };
  });
  const scale = 72 / dpi;
  const runs: TextRun[] = words.filter((w) => !replaced.has(w)).map((w) =>
    wordRun(w.text, { x0: w.left, y0: w.top, x1: w.left + w.width, y1: w.top + w.height }, w.confidence, scale));
  for (const l of labelRuns) runs.push(wordRun(l.text, l.box, l.confidence, scale));
  if (digitCells.length > 0) {
    const crops = digitCells.map((d) => d.number.image);
    const read = await readDigits(crops, DIGIT_LAYOUT, runner);
    // Tesseract drops a lone thin "1" among many lines of a tall strip; read alone on one line, it does not.
    const missed = read.flatMap((words, i) => (words.length === 0 ? [i] : []));
    if (missed.length > 0) {
      const again = await readDigits(missed.map((i) => crops[i]), 'row', runner);
      missed.forEach((i, k) => (read[i] = again[k]));
    }
    digitCells.forEach((d, i) => {
      const chosen = read[i];
      // Ink that reads as no number: an empty run with confidence 0 marks the cell as unreadable, not blank.
      if (chosen.length === 0) return runs.push(wordRun('', d.at, 0, scale));
      // A number neither starts nor ends with a point, nor ends with a dash, nor is "-0": there they are specks.
      const text = chosen.map((w) => w.text).join('').replace(/^\.+|[.-]+$/g, '').replace(/^-+(?=0|\.|$)/, '');
      runs.push(wordRun(text, d.at, Math.min(...chosen.map((w) => w.confidence)), scale));
    });
  }
  const rules: Rule[] = [
    ...lines.horizontal.map((l) => ({ x0: l.from * scale, x1: l.to * scale, y0: l.at * scale, y1: l.at * scale })),
    ...lines.vertical.map((l) => ({ x0: l.at * scale, x1: l.at * scale, y0: l.from * scale, y1: l.to * scale })),
  ];
  return { number, width: image.width * scale, height: image.height * scale, runs, rules, imageCoverage: 1, skewDegrees, digitCells: digitCells.length };
}

/** OCR results of a document, stored by the pipeline in the raw archive so `reprocess` does not OCR again. */
export interface OcrCache {
  load(): Promise<OcrPage[] | null>;
  save(pages: OcrPage[]): Promise<void>;
}

/** How extraction treats pages without a text layer: read them with this runner, or say why they are not read. */
export type OcrOption = { runner: OcrRunner; cache?: OcrCache; maxPages?: number } | { unavailable: string };

export interface OcrOutcome {
  pages: OcrPage[];
  /** Pages that could not be read, with why (time or memory budget, a crashed subprocess). */
  failures: { page: number; message: string }[];
  fromCache: boolean;
}

/** Read the given pages of a PDF, one page per core at a time; cached results are used when present. */
export function ocrPdfPages(pdf: Uint8Array, numbers: number[], option: { runner: OcrRunner; cache?: OcrCache }): Promise<OcrOutcome> {
  return ocrPages(numbers, (n) => option.runner.rasterise(pdf, n), option);
}

/**
 * Image files (PNG, JPEG: a report page's pictures of tables, a Word document's) read like scanned pages,
 * numbered from 1. A picture made for the screen is enlarged to the width of a page printed at the runner's
 * resolution (the sizes the OCR method measures in are printed sizes); a scan is read as it is.
 */
export function ocrImageFiles(files: Uint8Array[], option: { runner: OcrRunner; cache?: OcrCache }): Promise<OcrOutcome> {
  const pageWidth = option.runner.dpi * PRINTED_WIDTH_INCHES;
  return ocrPages(files.map((_, i) => i + 1), async (n) => {
    const image = decodeImage(files[n - 1]);
    const factor = Math.min(4, pageWidth / image.width);
    return factor > 1.1 ? resize(image, factor) : image;
  }, option);
}

/** Width a report's table is printed at on an A4 page, inches. */
const PRINTED_WIDTH_INCHES = 6.5;

async function ocrPages(numbers: number[], image: (n: number) => Promise<GrayImage>, option: { runner: OcrRunner; cache?: OcrCache }): Promise<OcrOutcome> {
  const cached = await option.cache?.load().catch(() => null);
  if (cached && numbers.every((n) => cached.some((p) => p.number === n))) {
    return { pages: cached.filter((p) => numbers.includes(p.number)), failures: [], fromCache: true };
  }
  const pages: OcrPage[] = [];
  const failures: { page: number; message: string }[] = [];
  const queue = [...numbers];
  const worker = async () => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
      try {
        pages.push(await ocrPage(await image(n), n, option.runner));
      } catch (error) {
        failures.push({ page: n, message: error instanceof Error ? error.message : String(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, option.runner.concurrency) }, worker));
  pages.sort((a, b) => a.number - b.number);
  failures.sort((a, b) => a.page - b.page);
  if (failures.length === 0) await option.cache?.save(pages).catch(() => {});
  return { pages, failures, fromCache: false };
}
