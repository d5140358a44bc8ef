// The printed number in a table cell, isolated from what a scan adds around it (pure): dust specks, a
// seal's lighter strokes, a rule's remnant at the cell's edge. The cell is binarised at print darkness,
// split into connected blobs, and only the blobs shaped like the characters of a number are kept: digits
// (a shared height, taller than a speck), a decimal point on their baseline between them, a minus sign
// before them. Tesseract then reads just the number, not the noise it would otherwise read as "." or a digit.
import type { GrayImage } from './ocrImage.ts';

/** Printed digits are near-black; a seal (red, grey when scanned) or a tinted cell is not. */
export const PRINT_INK = 110;

interface Blob {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  area: number;
  pixels: number[];
}

/** 8-connected blobs of the pixels `inked` marks. */
function blobs(image: GrayImage, inked: Uint8Array): Blob[] {
  const { width, height } = image;
  const seen = new Uint8Array(width * height);
  const out: Blob[] = [];
  const stack: number[] = [];
  for (let start = 0; start < inked.length; start++) {
    if (seen[start] || !inked[start]) continue;
    const blob: Blob = { x0: width, y0: height, x1: 0, y1: 0, area: 0, pixels: [] };
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % width;
      const y = (p - x) / width;
      blob.pixels.push(p);
      blob.area++;
      if (x < blob.x0) blob.x0 = x;
      if (y < blob.y0) blob.y0 = y;
      if (x + 1 > blob.x1) blob.x1 = x + 1;
      if (y + 1 > blob.y1) blob.y1 = y + 1;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const q = ny * width + nx;
          if (!seen[q] && inked[q]) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    out.push(blob);
  }
  return out;
}

/** A 0/1 mask grown by `r` pixels in every direction (a square): a sliding window along rows, then columns. */
function dilate(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const pass = (src: Uint8Array, lines: number, length: number, at: (line: number, i: number) => number) => {
    const out = new Uint8Array(src.length);
    for (let line = 0; line < lines; line++) {
      let inWindow = 0;
      for (let i = 0; i < Math.min(r, length); i++) inWindow += src[at(line, i)];
      for (let i = 0; i < length; i++) {
        if (i + r < length) inWindow += src[at(line, i + r)];
        if (i - r - 1 >= 0) inWindow -= src[at(line, i - r - 1)];
        if (inWindow > 0) out[at(line, i)] = 1;
      }
    }
    return out;
  };
  const rows = pass(mask, height, width, (y, x) => y * width + x);
  return pass(rows, width, height, (x, y) => y * width + x);
}

const heightOf = (b: Blob) => b.y1 - b.y0;
const widthOf = (b: Blob) => b.x1 - b.x0;

/** A dust speck: a small, round, filled blob (a digit is taller than wide, or hollow, or both). */
function isSpeck(b: Blob): boolean {
  const aspect = heightOf(b) / widthOf(b);
  return aspect >= 0.6 && aspect <= 1.6 && b.area / (heightOf(b) * widthOf(b)) >= 0.62;
}

/**
 * The cell with the rules along its edges painted white: pixel rows (columns) at an edge that are mostly
 * ink, and the one after them. A number printed flush against a rule then stands on its own.
 */
function withoutEdgeRules(cell: GrayImage, threshold: number): GrayImage {
  const { width, height } = cell;
  const data = new Uint8Array(cell.data);
  const depth = Math.max(2, Math.round(Math.min(width, height) / 6));
  const rowDark = (y: number) => data.subarray(y * width, (y + 1) * width).reduce((n, v) => n + Number(v < threshold), 0) >= 0.6 * width;
  const colDark = (x: number) => {
    let n = 0;
    for (let y = 0; y < height; y++) n += Number(data[y * width + x] < threshold);
    return n >= 0.6 * height;
  };
  const clearRow = (y: number) => data.fill(255, y * width, (y + 1) * width);
  const clearCol = (x: number) => {
    for (let y = 0; y < height; y++) data[y * width + x] = 255;
  };
  const sweep = (edge: number, step: number, dark: (i: number) => boolean, clear: (i: number) => void) => {
    let last = -1;
    for (let k = 0; k < depth; k++) if (dark(edge + step * k)) last = k;
    for (let k = 0; k <= last + 1 && k < depth; k++) if (last >= 0) clear(edge + step * k);
  };
  sweep(0, 1, rowDark, clearRow);
  sweep(height - 1, -1, rowDark, clearRow);
  sweep(0, 1, colDark, clearCol);
  sweep(width - 1, -1, colDark, clearCol);
  return { width, height, data };
}

export interface IsolatedNumber {
  /** The number's blobs on white, in the cell's grey values, with a margin. */
  image: GrayImage;
  /** Where that image lies in the cell (pixels). */
  x0: number;
  y0: number;
  /** Height of the digits, pixels. */
  digitHeight: number;
}

/**
 * The number printed in a cell's interior, or null when it holds no digit-shaped ink (blank, or specks
 * only). `minHeight` is the smallest digit height counted (pixels).
 */
export function isolateNumber(cell: GrayImage, minHeight: number): IsolatedNumber | null {
  let darkest = 255;
  for (const v of cell.data) if (v < darkest) darkest = v;
  if (darkest >= PRINT_INK) return null;
  // Thin strokes of a small or low-resolution scan are light grey: ink reaches two thirds of the way to the
  // paper, but only near dark print (hysteresis), so a seal's lighter ring that crosses a number stays out.
  const light = darkest + 0.65 * (255 - darkest);
  const dark = darkest + 0.45 * (255 - darkest);
  cell = withoutEdgeRules(cell, light);
  const { width, height, data } = cell;
  const near = dilate(Uint8Array.from(data, (v) => Number(v < dark)), width, height, Math.max(2, Math.round(minHeight / 2)));
  const inked = Uint8Array.from(data, (v, p) => Number(v < light && near[p] === 1));
  // A rule's remnant: a thin line along the cell's edge (a digit may touch the edge of a tight cell).
  const remnant = (b: Blob) => (b.x0 === 0 || b.y0 === 0 || b.x1 === width || b.y1 === height) && Math.min(widthOf(b), heightOf(b)) <= 0.2 * Math.max(widthOf(b), heightOf(b));
  const found = blobs(cell, inked).filter((b) => !remnant(b));
  const tall = found.filter((b) => heightOf(b) >= minHeight && !isSpeck(b));
  if (tall.length === 0) return null;
  const heights = tall.map(heightOf).sort((a, b) => a - b);
  const h = heights[heights.length - 1];
  // The number's line: the tallest blob's band; digits share it (within a third of their height).
  const top = Math.min(...tall.filter((b) => heightOf(b) === h).map((b) => b.y0));
  const digits = tall.filter((b) => heightOf(b) >= 0.6 * h && Math.abs(b.y0 - top) <= h / 3);
  const left = Math.min(...digits.map((b) => b.x0));
  const right = Math.max(...digits.map((b) => b.x1));
  const base = Math.max(...digits.map((b) => b.y1));
  const kept = [...digits];
  for (const b of found) {
    if (digits.includes(b)) continue;
    const small = heightOf(b) <= 0.35 * h && widthOf(b) <= 0.35 * h;
    const point = small && Math.abs(b.y1 - base) <= 0.2 * h && b.x0 > left && b.x1 < right;
    const mid = (b.y0 + b.y1) / 2;
    const minus = widthOf(b) >= 0.3 * h && heightOf(b) <= 0.25 * widthOf(b) && b.x1 <= left && left - b.x1 <= h && mid > top + 0.25 * h && mid < base - 0.25 * h;
    if (point || minus) kept.push(b);
  }
  // The kept blobs, grown by a pixel so their anti-aliased edges come along, painted on white.
  const chosen = new Uint8Array(width * height);
  for (const b of kept) for (const p of b.pixels) chosen[p] = 1;
  const mask = dilate(chosen, width, height, 1);
  const pad = Math.round(h / 2);
  const x0 = Math.min(...kept.map((b) => b.x0)) - pad;
  const y0 = Math.min(...kept.map((b) => b.y0)) - pad;
  const x1 = Math.max(...kept.map((b) => b.x1)) + pad;
  const y1 = Math.max(...kept.map((b) => b.y1)) + pad;
  const out = { width: x1 - x0, height: y1 - y0, data: new Uint8Array((x1 - x0) * (y1 - y0)).fill(255) };
  for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) {
      if (mask[y * width + x]) out.data[(y - y0) * out.width + (x - x0)] = data[y * width + x];
    }
  }
  return { image: out, x0, y0, digitHeight: h };
}
