// Raw 8-bit grey pixel buffers for the OCR path (pure): read and write the PGM (P5) that pdftoppm
// writes and Tesseract reads, measure and undo a scanner's small rotation, cut out cells and stack
// them into one strip for a single digits-only recognition.

export interface GrayImage {
  width: number;
  height: number;
  /** Row-major, one byte per pixel, 0 = black. */
  data: Uint8Array;
}

/** Darker than this (0–255) counts as ink. */
export const INK = 150;

/** Parse a binary PGM (P5, maxval ≤ 255). Throws on anything else: the rasteriser wrote it. */
export function parsePgm(bytes: Uint8Array): GrayImage {
  const fields: number[] = [];
  let i = 2;
  if (bytes[0] !== 0x50 || bytes[1] !== 0x35) throw new Error('not a binary PGM (P5) image');
  while (fields.length < 3) {
    while (i < bytes.length && /\s/.test(String.fromCharCode(bytes[i]))) i++;
    if (bytes[i] === 0x23) {
      while (i < bytes.length && bytes[i] !== 0x0a) i++;
      continue;
    }
    let n = 0;
    while (i < bytes.length && bytes[i] >= 0x30 && bytes[i] <= 0x39) n = n * 10 + bytes[i++] - 0x30;
    fields.push(n);
  }
  const [width, height, maxval] = fields;
  if (maxval > 255) throw new Error('16-bit PGM images are not supported');
  const start = i + 1;
  if (bytes.length < start + width * height) throw new Error('PGM image is truncated');
  return { width, height, data: bytes.subarray(start, start + width * height) };
}

export function encodePgm(image: GrayImage): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${image.width} ${image.height}\n255\n`);
  const out = new Uint8Array(header.length + image.data.length);
  out.set(header);
  out.set(image.data, header.length);
  return out;
}

/**
 * The page's rotation in degrees (within ±maxDegrees): the angle at which the rows of ink line up
 * best, i.e. the horizontal projection of dark pixels is sharpest. Text lines and table rules both
 * vote. Sampled on a sparse pixel grid, so a 300 dpi page costs a few milliseconds.
 */
export function estimateSkew(image: GrayImage, maxDegrees = 3): number {
  const step = Math.max(1, Math.round(Math.min(image.width, image.height) / 800));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = 0; y < image.height; y += step) {
    for (let x = 0; x < image.width; x += step) {
      if (image.data[y * image.width + x] < INK) {
        xs.push(x);
        ys.push(y);
      }
    }
  }
  if (xs.length < 100) return 0;
  const cx = image.width / 2;
  const bin = Math.max(2, step);
  const score = (deg: number) => {
    const t = Math.tan((deg * Math.PI) / 180);
    const counts = new Map<number, number>();
    for (let k = 0; k < xs.length; k++) {
      const b = Math.round((ys[k] - (xs[k] - cx) * t) / bin);
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    let s = 0;
    for (const c of counts.values()) s += c * c;
    return s;
  };
  const best = (from: number, to: number, by: number) => {
    let arg = 0;
    let top = -1;
    for (let d = from; d <= to + 1e-9; d += by) {
      const s = score(d);
      if (s > top) [top, arg] = [s, d];
    }
    return arg;
  };
  const coarse = best(-maxDegrees, maxDegrees, 0.25);
  return Math.round(best(coarse - 0.25, coarse + 0.25, 0.025) * 1000) / 1000;
}

/** Rotate by -degrees about the centre (undoing a measured skew); uncovered corners become white. */
export function rotate(image: GrayImage, degrees: number): GrayImage {
  const { width, height, data } = image;
  const a = (-degrees * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const cx = width / 2;
  const cy = height / 2;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const dy = y - cy;
    for (let x = 0; x < width; x++) {
      const dx = x - cx;
      // Where this output pixel comes from in the input (inverse rotation), bilinear.
      const sx = cos * dx + sin * dy + cx;
      const sy = -sin * dx + cos * dy + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= width || y0 + 1 >= height) {
        out[y * width + x] = 255;
        continue;
      }
      const fx = sx - x0;
      const fy = sy - y0;
      const i = y0 * width + x0;
      const top = data[i] * (1 - fx) + data[i + 1] * fx;
      const bottom = data[i + width] * (1 - fx) + data[i + width + 1] * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return { width, height, data: out };
}

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function crop(image: GrayImage, box: Box): GrayImage {
  const x0 = Math.max(0, Math.floor(box.x0));
  const y0 = Math.max(0, Math.floor(box.y0));
  const x1 = Math.min(image.width, Math.ceil(box.x1));
  const y1 = Math.min(image.height, Math.ceil(box.y1));
  const width = Math.max(0, x1 - x0);
  const height = Math.max(0, y1 - y0);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) data.set(image.data.subarray((y0 + y) * image.width + x0, (y0 + y) * image.width + x0 + width), y * width);
  return { width, height, data };
}

/** The bounding box of the ink in an image, or null when it holds fewer than minPixels dark pixels. */
export function inkBox(image: GrayImage, minPixels: number): Box | null {
  let n = 0;
  let x0 = image.width;
  let y0 = image.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.data[y * image.width + x] >= INK) continue;
      n++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return n >= minPixels ? { x0, y0, x1: x1 + 1, y1: y1 + 1 } : null;
}

/**
 * Images stacked on white, top to bottom (each on its own line) or left to right (all on one line), `gap`
 * pixels apart and from the edges, so one recognition call reads them all and each word maps back to its
 * image by position.
 */
export function stack(images: GrayImage[], gap: number, layout: 'column' | 'row' = 'column'): { image: GrayImage; bands: Box[] } {
  const across = layout === 'column';
  const thick = Math.max(1, ...images.map((i) => (across ? i.width : i.height))) + 2 * gap;
  const long = images.reduce((n, i) => n + (across ? i.height : i.width) + gap, gap);
  const [width, height] = across ? [thick, long] : [long, thick];
  const data = new Uint8Array(width * height).fill(255);
  const bands: Box[] = [];
  let at = gap;
  for (const img of images) {
    const [x, y] = across ? [gap, at] : [at, gap];
    for (let r = 0; r < img.height; r++) data.set(img.data.subarray(r * img.width, (r + 1) * img.width), (y + r) * width + x);
    bands.push(across ? { x0: 0, y0: y, x1: width, y1: y + img.height } : { x0: x, y0: 0, x1: x + img.width, y1: height });
    at += (across ? img.height : img.width) + gap;
  }
  return { image: { width, height, data }, bands };
}

/**
 * The image with its paper made white and its ink scaled to match: a shaded table cell, read among white ones
 * in one strip, would otherwise be binarised by Tesseract as one dark block. The paper is the median grey
 * (most of a cell is paper).
 */
export function whitenPaper(image: GrayImage): GrayImage {
  const counts = new Array<number>(256).fill(0);
  for (const v of image.data) counts[v]++;
  let paper = 255;
  for (let v = 0, seen = 0; v < 256; v++) {
    seen += counts[v];
    if (seen * 2 >= image.data.length) {
      paper = Math.max(1, v);
      break;
    }
  }
  return { ...image, data: image.data.map((v) => (v >= paper ? 255 : Math.round((v * 255) / paper))) };
}

/** The image enlarged (or reduced) by `factor`, bilinear. */
export function resize(image: GrayImage, factor: number): GrayImage {
  const width = Math.max(1, Math.round(image.width * factor));
  const height = Math.max(1, Math.round(image.height * factor));
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1, Math.max(0, (y + 0.5) / factor - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(image.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(image.width - 1, Math.max(0, (x + 0.5) / factor - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(image.width - 1, x0 + 1);
      const fx = sx - x0;
      const top = image.data[y0 * image.width + x0] * (1 - fx) + image.data[y0 * image.width + x1] * fx;
      const bottom = image.data[y1 * image.width + x0] * (1 - fx) + image.data[y1 * image.width + x1] * fx;
      data[y * width + x] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return { width, height, data };
}
