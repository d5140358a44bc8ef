// Table ruling lines in a scanned page (pure): long, thin runs of ink. A pixel-projection pass:
// each pixel row (column) is scanned for dark runs at least `minLength` long, small breaks from
// JPEG noise or a faint scan bridged; runs on neighbouring rows that overlap become one line, and a
// "line" thicker than a rule (a stamp, a filled box, a bold heading) is dropped. Lines come back in
// pixels, with their thickness, so they can also be erased before text recognition.
import type { GrayImage } from './ocrImage.ts';

/** Rules are often printed thin or grey, and a scan blurs them further: a lighter grey counts as a rule's ink. */
const RULE_INK = 200;

export interface PixelLine {
  /** Centre row (horizontal line) or column (vertical line). */
  at: number;
  from: number;
  to: number;
  thickness: number;
}

export interface RulingLines {
  horizontal: PixelLine[];
  vertical: PixelLine[];
}

interface LineOptions {
  /** Shortest run that counts as a rule (pixels). */
  minLength: number;
  /** Longest break bridged inside a run (pixels). */
  maxGap: number;
  /** Thickest run that is still a rule (pixels). */
  maxThickness: number;
}

/** Runs of ink along one axis; `at(i, j)` reads the pixel at position j of scan line i. */
function scanRuns(lines: number, length: number, dark: (i: number, j: number) => boolean, o: LineOptions): PixelLine[] {
  const open: PixelLine[] = [];
  const done: PixelLine[] = [];
  const sums = new Map<PixelLine, number>();
  for (let i = 0; i < lines; i++) {
    const runs: [number, number][] = [];
    let start = -1;
    let lastDark = -1;
    for (let j = 0; j <= length; j++) {
      const d = j < length && dark(i, j);
      if (d) {
        if (start < 0) start = j;
        lastDark = j;
      } else if (start >= 0 && j - lastDark > o.maxGap) {
        if (lastDark - start + 1 >= o.minLength) runs.push([start, lastDark + 1]);
        start = -1;
      }
    }
    const still = new Set<PixelLine>();
    for (const [from, to] of runs) {
      // Continue a line seen on the previous scan line when the runs overlap by half.
      const line = open.find((l) => !still.has(l) && Math.min(l.to, to) - Math.max(l.from, from) >= 0.5 * Math.min(l.to - l.from, to - from));
      if (line) {
        line.from = Math.min(line.from, from);
        line.to = Math.max(line.to, to);
        line.thickness++;
        sums.set(line, sums.get(line)! + i);
        still.add(line);
      } else {
        const fresh = { at: i, from, to, thickness: 1 };
        sums.set(fresh, i);
        open.push(fresh);
        still.add(fresh);
      }
    }
    for (let k = open.length - 1; k >= 0; k--) {
      if (!still.has(open[k])) done.push(...open.splice(k, 1));
    }
  }
  done.push(...open);
  return done
    .filter((l) => l.thickness <= o.maxThickness)
    .map((l) => ({ ...l, at: sums.get(l)! / l.thickness }));
}

/** Pieces of one rule cut by a stamp or a faint stretch (same position, a short gap) become one line again. */
function joinCollinear(lines: PixelLine[], snap: number, maxGap: number): PixelLine[] {
  const sorted = [...lines].sort((a, b) => a.at - b.at || a.from - b.from);
  const out: PixelLine[] = [];
  for (const l of sorted) {
    const same = out.find((o) => Math.abs(o.at - l.at) <= snap && l.from <= o.to + maxGap && l.to >= o.from - maxGap);
    if (same) {
      same.from = Math.min(same.from, l.from);
      same.to = Math.max(same.to, l.to);
      same.thickness = Math.max(same.thickness, l.thickness);
    } else out.push({ ...l });
  }
  return out;
}

/**
 * A rule of a table ends on rules across it at both ends, or at one end when it is long (a table cut by the page
 * edge); arcs of a seal, underlines and strokes do neither.
 */
function anchored(line: PixelLine, across: PixelLine[], tolerance: number, long: number): boolean {
  const endsOn = (end: number) => across.some((a) => Math.abs(a.at - end) <= tolerance && line.at >= a.from - tolerance && line.at <= a.to + tolerance);
  const ends = Number(endsOn(line.from)) + Number(endsOn(line.to));
  return ends === 2 || (ends === 1 && line.to - line.from >= long);
}

/** Ruling lines of a page rasterised at `dpi`. */
export function findRulingLines(image: GrayImage, dpi: number): RulingLines {
  const { width, height, data } = image;
  const o: LineOptions = {
    minLength: Math.round(dpi * 0.3),
    maxGap: Math.max(2, Math.round(dpi / 100)),
    maxThickness: Math.max(4, Math.round(dpi / 25)),
  };
  const snap = Math.max(3, dpi / 60);
  const h = joinCollinear(scanRuns(height, width, (y, x) => data[y * width + x] < RULE_INK, o), snap, dpi / 10);
  const v = joinCollinear(scanRuns(width, height, (x, y) => data[y * width + x] < RULE_INK, o), snap, dpi / 10);
  const tolerance = dpi / 25;
  return { horizontal: h.filter((l) => anchored(l, v, tolerance, dpi)), vertical: v.filter((l) => anchored(l, h, tolerance, dpi)) };
}

/** Paint the lines white (with a pixel of margin) so the text recogniser does not read them as 1, l or 一. */
export function eraseLines(image: GrayImage, lines: RulingLines): GrayImage {
  const { width, height } = image;
  const data = new Uint8Array(image.data);
  const margin = 2;
  const paint = (x0: number, y0: number, x1: number, y1: number) => {
    for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y1)); y++) {
      data.fill(255, y * width + Math.max(0, Math.floor(x0)), y * width + Math.min(width, Math.ceil(x1)));
    }
  };
  for (const l of lines.horizontal) paint(l.from, l.at - l.thickness / 2 - margin, l.to, l.at + l.thickness / 2 + margin);
  for (const l of lines.vertical) paint(l.at - l.thickness / 2 - margin, l.from, l.at + l.thickness / 2 + margin, l.to);
  return { width, height, data };
}
