// PDF → ParsedDocument. pdf.js (pdfjs-dist, the engine under pdf-parse 2.x, with its bundled
// CMaps) reads positioned text and ruling lines in a worker thread under a time and memory
// budget; pdfLayout.ts rebuilds paragraphs and table grids; pdfTextQuality.ts refuses scans and
// garbled text layers. Pages that are images only are read by OCR (ocr.ts) when a runner is given.
// Bad input gives a document with an error-level issue, never a throw.
import { emptyPageMetadata, type Issue, type ParsedDocument } from './document.ts';
import { ocrPdfPages, type OcrOption } from './ocr.ts';
import { layoutPages } from './pdfLayout.ts';
import type { PdfPage } from './pdfPages.ts';
import { pdfInflationProblem } from './pdfStreamBudget.ts';
import { measureTextQuality, textQualityIssues } from './pdfTextQuality.ts';
import { readPdfInWorker, type PdfFailure } from './pdfWorker.ts';

export interface PdfOptions {
  /** Wall-clock budget for parsing one document (default 120 s, the extraction pool's own budget per document). */
  timeoutMs?: number;
  /** V8 heap budget of the parsing worker in MB (default 512). */
  maxHeapMb?: number;
  /** OCR for pages without a text layer; without it such pages are reported as scans, not read. */
  ocr?: OcrOption;
}

/** Scans longer than this are not OCR'd whole: a report runs to a dozen pages, a longer scan is something else. */
const MAX_OCR_PAGES = 40;

const FAILURE_CODES: Record<PdfFailure, { code: string; what: string }> = {
  encrypted: { code: 'encrypted_pdf', what: 'the PDF is encrypted with a password' },
  corrupt: { code: 'corrupt_pdf', what: 'the PDF is damaged or not a PDF' },
  timeout: { code: 'timeout', what: 'parsing the PDF exceeded its time budget' },
  memory: { code: 'memory_limit', what: 'parsing the PDF exceeded its memory budget' },
  failed: { code: 'pdf_unreadable', what: 'pdf.js could not read the PDF' },
};

const failed = (issue: Issue): ParsedDocument => ({ format: 'pdf', title: null, blocks: [], page: emptyPageMetadata(), issues: [issue] });

/** "%PDF-" must appear near the start (some servers prepend a few bytes). */
function hasPdfHeader(bytes: Uint8Array): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  return head.includes('%PDF-');
}

export async function extractPdf(bytes: Uint8Array, opts: PdfOptions = {}): Promise<ParsedDocument> {
  if (!hasPdfHeader(bytes)) {
    return failed({ code: 'corrupt_pdf', severity: 'error', message: 'no %PDF header in the first kilobyte: not a PDF file' });
  }
  const bomb = pdfInflationProblem(bytes);
  if (bomb) return failed({ code: 'decompression_limit', severity: 'error', message: `the PDF is not read: ${bomb}` });
  const outcome = await readPdfInWorker(bytes, { timeoutMs: opts.timeoutMs ?? 120_000, maxHeapMb: opts.maxHeapMb ?? 512 });
  if (!outcome.ok) {
    const { code, what } = FAILURE_CODES[outcome.failure];
    return failed({ code, severity: 'error', message: `${what}: ${outcome.message}` });
  }
  const { title } = outcome.content;
  let pages = outcome.content.pages;
  const scanned = measureTextQuality(pages).scannedPages;
  const ocrIssues: Issue[] = [];
  let ocr: ParsedDocument['ocr'];
  if (scanned.length > 0 && opts.ocr && 'unavailable' in opts.ocr) {
    ocrIssues.push({ code: 'ocr_skipped', severity: 'info', message: `pages ${scanned.join(', ')} are images and were not read by OCR: ${opts.ocr.unavailable}` });
  } else if (scanned.length > 0 && opts.ocr && 'runner' in opts.ocr) {
    const wanted = scanned.slice(0, opts.ocr.maxPages ?? MAX_OCR_PAGES);
    const read = await ocrPdfPages(bytes, wanted, opts.ocr);
    const byNumber = new Map<number, PdfPage>(read.pages.map((p) => [p.number, p]));
    pages = pages.map((p) => byNumber.get(p.number) ?? p);
    for (const f of read.failures) ocrIssues.push({ code: 'ocr_failed', severity: 'warning', message: `page ${f.page} could not be read by OCR: ${f.message}` });
    if (wanted.length < scanned.length) {
      ocrIssues.push({ code: 'ocr_failed', severity: 'warning', message: `only the first ${wanted.length} of ${scanned.length} scanned pages were read by OCR` });
    }
    if (read.pages.length > 0) {
      ocr = { engine: opts.ocr.runner.engine, pages: read.pages.map((p) => p.number) };
      const skew = read.pages.filter((p) => Math.abs(p.skewDegrees) >= 0.15).map((p) => `page ${p.number} ${p.skewDegrees}°`);
      ocrIssues.push({
        code: 'ocr_pages',
        severity: 'info',
        message: `pages ${ocr.pages.join(', ')} have no text layer and were read by OCR (${ocr.engine}${read.fromCache ? ', cached' : ''})` +
          `${skew.length ? `; rotation undone: ${skew.join(', ')}` : ''}; their values carry status ocr and a confidence`,
      });
    }
  }
  const issues = [...textQualityIssues(measureTextQuality(pages)), ...ocrIssues];
  const unusable = issues.some((i) => i.severity === 'error');
  return {
    format: 'pdf',
    title: title?.replace(/^Microsoft Word\s*-\s*/i, '') || null,
    blocks: unusable ? [] : layoutPages(pages),
    page: emptyPageMetadata(),
    issues,
    ...(ocr ? { ocr } : {}),
  };
}
