// What pdf.js sees on each page, reduced to plain data: positioned text runs, the ruling lines
// of tables, and how much of the page images cover. Runs inside the PDF worker thread
// (pdfWorker.ts); everything it returns is structured-cloneable. Coordinates are PDF points,
// origin top-left of the page, y growing downwards.
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { pdfjs } from './pdfjs.ts';

/** One run of text as pdf.js emits it (a font change or a visible gap starts a new run). */
export interface TextRun {
  text: string;
  x0: number;
  x1: number;
  top: number;
  bottom: number;
  /** Baseline, for grouping runs into lines. */
  baseline: number;
  fontSize: number;
  /** Characters set top to bottom (Identity-V fonts): the run is one column of characters. */
  vertical: boolean;
  /** OCR confidence (0–100) of a run read from a page image; absent for a text layer. */
  confidence?: number;
}

/** A horizontal (y0 = y1) or vertical (x0 = x1) ruling line. */
export interface Rule {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface PdfPage {
  number: number;
  width: number;
  height: number;
  runs: TextRun[];
  rules: Rule[];
  /** Share of the page area painted by raster images (0–1, overlaps counted twice, capped at 1). */
  imageCoverage: number;
}

export interface PdfContent {
  pages: PdfPage[];
  /** The Title of the document information dictionary, when set. */
  title: string | null;
}

/**
 * pdf.js resources shipped in pdfjs-dist: without the CMaps, CID-keyed Chinese text comes back
 * empty. In Node pdf.js reads them with fs.readFile, so these are directory paths, not file: URLs
 * (a file: URL fails the same silent way as no URL at all).
 */
function pdfjsResources(): { cMapUrl: string; standardFontDataUrl: string } {
  const root = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  return { cMapUrl: join(root, 'cmaps') + sep, standardFontDataUrl: join(root, 'standard_fonts') + sep };
}

type Matrix = number[];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
/** Rules thinner than this (points) drawn as filled rectangles count as lines. */
const THIN = 2.5;
/** Segments shorter than this are glyph-like marks, not rules. */
const MIN_RULE = 3;

const apply = (m: Matrix, x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

const STROKE_OPS = new Set<number>([pdfjs.OPS.stroke, pdfjs.OPS.closeStroke]);
const FILL_OPS = new Set<number>([pdfjs.OPS.fill, pdfjs.OPS.eoFill]);
const FILL_STROKE_OPS = new Set<number>([
  pdfjs.OPS.fillStroke, pdfjs.OPS.eoFillStroke, pdfjs.OPS.closeFillStroke, pdfjs.OPS.closeEOFillStroke,
]);
const IMAGE_OPS = new Set<number>([
  pdfjs.OPS.paintImageXObject, pdfjs.OPS.paintInlineImageXObject, pdfjs.OPS.paintImageMaskXObject,
  pdfjs.OPS.paintImageXObjectRepeat, pdfjs.OPS.paintSolidColorImageMask,
]);

/** Split pdf.js path data (DrawOPS codes followed by coordinates) into polylines. */
function subpaths(path: ArrayLike<number>): [number, number][][] {
  const out: [number, number][][] = [];
  let current: [number, number][] = [];
  for (let i = 0; i < path.length; ) {
    const op = path[i++];
    if (op === 0) {
      if (current.length > 1) out.push(current);
      current = [[path[i++], path[i++]]];
    } else if (op === 1) {
      current.push([path[i++], path[i++]]);
    } else if (op === 2) {
      // A Bézier curve: rounded corners at most; keep its end point.
      i += 4;
      current.push([path[i++], path[i++]]);
    } else if (op === 3) {
      if (current.length > 1) current.push(current[0]);
    } else {
      break;
    }
  }
  if (current.length > 1) out.push(current);
  return out;
}

function ruleFromBox(x0: number, y0: number, x1: number, y1: number): Rule | null {
  const w = x1 - x0;
  const h = y1 - y0;
  if (h <= THIN && w >= MIN_RULE) return { x0, x1, y0: (y0 + y1) / 2, y1: (y0 + y1) / 2 };
  if (w <= THIN && h >= MIN_RULE) return { x0: (x0 + x1) / 2, x1: (x0 + x1) / 2, y0, y1 };
  return null;
}

/** Ruling lines and image coverage from the page's drawing operators. */
async function readGraphics(page: PDFPageProxy, viewport: Matrix, area: number): Promise<{ rules: Rule[]; imageCoverage: number }> {
  const ops = await page.getOperatorList();
  const rules: Rule[] = [];
  let imageArea = 0;
  let ctm = IDENTITY;
  const stack: Matrix[] = [];
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i];
    if (fn === pdfjs.OPS.save) stack.push(ctm);
    else if (fn === pdfjs.OPS.restore) ctm = stack.pop() ?? IDENTITY;
    else if (fn === pdfjs.OPS.transform) ctm = pdfjs.Util.transform(ctm, args);
    else if (fn === pdfjs.OPS.paintFormXObjectBegin && Array.isArray(args?.[0]) && args[0].length === 6) {
      stack.push(ctm);
      ctm = pdfjs.Util.transform(ctm, args[0]);
    } else if (fn === pdfjs.OPS.paintFormXObjectEnd) ctm = stack.pop() ?? IDENTITY;
    else if (IMAGE_OPS.has(fn)) {
      const m = pdfjs.Util.transform(viewport, ctm);
      const corners = [apply(m, 0, 0), apply(m, 1, 0), apply(m, 0, 1), apply(m, 1, 1)];
      const xs = corners.map((c) => c[0]);
      const ys = corners.map((c) => c[1]);
      imageArea += (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys));
    } else if (fn === pdfjs.OPS.constructPath) {
      const drawOp: number = args[0];
      const path = args[1]?.[0];
      if (!path || !(STROKE_OPS.has(drawOp) || FILL_OPS.has(drawOp) || FILL_STROKE_OPS.has(drawOp))) continue;
      const m = pdfjs.Util.transform(viewport, ctm);
      for (const sub of subpaths(path)) {
        const pts = sub.map(([x, y]) => apply(m, x, y));
        if (STROKE_OPS.has(drawOp) || FILL_STROKE_OPS.has(drawOp)) {
          for (let k = 1; k < pts.length; k++) {
            const [ax, ay] = pts[k - 1];
            const [bx, by] = pts[k];
            const rule = ruleFromBox(Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by));
            if (rule) rules.push(rule);
          }
        }
        if (FILL_OPS.has(drawOp) || FILL_STROKE_OPS.has(drawOp)) {
          const xs = pts.map((p) => p[0]);
          const ys = pts.map((p) => p[1]);
          const rule = ruleFromBox(Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys));
          if (rule) rules.push(rule);
        }
      }
    }
  }
  return { rules, imageCoverage: Math.min(1, imageArea / area) };
}

interface PdfjsTextItem {
  str: string;
  transform: number[];
  width: number;
  height: number;
  dir: string;
  fontName: string;
}

async function readRuns(page: PDFPageProxy, viewport: Matrix): Promise<TextRun[]> {
  const content = await page.getTextContent();
  const runs: TextRun[] = [];
  for (const raw of content.items) {
    if (!('str' in raw)) continue;
    const item = raw as PdfjsTextItem;
    // pdf.js adds whitespace-only items for gaps; the gaps themselves are kept as geometry.
    if (item.str.trim() === '') continue;
    const style = content.styles[item.fontName];
    const m = pdfjs.Util.transform(viewport, item.transform);
    const fontSize = Math.hypot(m[2], m[3]) || item.height || 1;
    const vertical = Boolean(style?.vertical) || item.dir === 'ttb';
    const x = m[4];
    const y = m[5];
    if (vertical) {
      // A vertical run starts at its top and advances downwards; x is the column's centre line.
      const w = item.width || fontSize;
      runs.push({ text: item.str, x0: x - w / 2, x1: x + w / 2, top: y, bottom: y + item.height, baseline: y, fontSize, vertical });
    } else {
      const ascent = style?.ascent && style.ascent > 0 ? style.ascent : 0.86;
      const descent = style?.descent && style.descent < 0 ? -style.descent : 0.14;
      runs.push({
        text: item.str,
        x0: x,
        x1: x + item.width,
        top: y - fontSize * ascent,
        bottom: y + fontSize * descent,
        baseline: y,
        fontSize,
        vertical,
      });
    }
  }
  return runs;
}

/**
 * The `ownerDocument` pdf.js installs fonts into. In Node it has none, so by default (disableFontFace) its
 * operator list compiles every glyph shown into a path, for drawing text on a canvas: half the cost of a
 * page, for nothing, since no page is drawn here. With font faces enabled it hands each font to this
 * document instead, which takes the @font-face rule and drops it (pdf.js in Node loads fonts synchronously).
 */
const FONTLESS_DOCUMENT = {
  createElement: () => ({ sheet: { cssRules: [], insertRule: () => 0 }, remove: () => undefined }),
  documentElement: { getElementsByTagName: () => [{ append: () => undefined }] },
} as unknown as Document;

/**
 * Before a font reaches FONTLESS_DOCUMENT, pdf.js writes the whole font program out as base64 for the
 * @font-face rule: a tenth of a document's time, for a rule that is dropped. The document's font loader
 * (pdfjs-dist 5.4's WorkerTransport.fontLoader, pinned) is told to install nothing instead; text and
 * operator lists come from the worker half and do not depend on it. Should a pdf.js upgrade move the
 * loader, fonts go the slower way above, with the same result.
 */
function installNoFonts(doc: PDFDocumentProxy): void {
  const loader = (doc as unknown as { _transport?: { fontLoader?: { bind?: unknown } } })._transport?.fontLoader;
  if (typeof loader?.bind === 'function') loader.bind = async () => undefined;
}

/**
 * Read every page of a PDF. Throws pdf.js errors (PasswordException, InvalidPDFException, …) as they
 * come. pdf.js takes ownership of `bytes`: their buffer is detached afterwards, so pass a copy to keep them.
 */
export async function readPdfPages(bytes: Uint8Array): Promise<PdfContent> {
  const doc = await pdfjs.getDocument({
    data: bytes,
    ...pdfjsResources(),
    cMapPacked: true,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: false,
    ownerDocument: FONTLESS_DOCUMENT,
    stopAtErrors: false,
  }).promise;
  installNoFonts(doc);
  try {
    const meta = await doc.getMetadata().catch(() => null);
    const info = (meta?.info ?? {}) as { Title?: unknown };
    const title = typeof info.Title === 'string' && info.Title.trim() ? info.Title.trim() : null;
    const pages: PdfPage[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const vp = page.getViewport({ scale: 1 });
      const transform = vp.transform as Matrix;
      const runs = await readRuns(page, transform);
      const { rules, imageCoverage } = await readGraphics(page, transform, vp.width * vp.height);
      pages.push({ number: n, width: vp.width, height: vp.height, runs, rules, imageCoverage });
      page.cleanup();
    }
    return { pages, title };
  } finally {
    await doc.destroy();
  }
}
