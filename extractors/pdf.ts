// PDF → ParsedDocument. pdf.js (pdfjs-dist, the engine under pdf-parse 2.x, with its bundled
// CMaps) reads positioned text and ruling lines in a worker thread under a time and memory
// budget; pdfLayout.ts rebuilds paragraphs and table grids; pdfTextQuality.ts refuses scans and
// garbled text layers. Bad input gives a document with an error-level issue, never a throw.
import { emptyPageMetadata, type Issue, type ParsedDocument } from './document.ts';
import { layoutPages } from './pdfLayout.ts';
import { measureTextQuality, textQualityIssues } from './pdfTextQuality.ts';
import { readPdfInWorker, type PdfFailure } from './pdfWorker.ts';

export interface PdfOptions {
  /** Wall-clock budget for parsing one document (default 120 s, the extraction pool's own budget per document). */
  timeoutMs?: number;
  /** V8 heap budget of the parsing worker in MB (default 512). */
  maxHeapMb?: number;
}

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
  const outcome = await readPdfInWorker(bytes, { timeoutMs: opts.timeoutMs ?? 120_000, maxHeapMb: opts.maxHeapMb ?? 512 });
  if (!outcome.ok) {
    const { code, what } = FAILURE_CODES[outcome.failure];
    return failed({ code, severity: 'error', message: `${what}: ${outcome.message}` });
  }
  const { pages, title } = outcome.content;
  const issues = textQualityIssues(measureTextQuality(pages));
  const unusable = issues.some((i) => i.severity === 'error');
  return {
    format: 'pdf',
    title: title?.replace(/^Microsoft Word\s*-\s*/i, '') || null,
    blocks: unusable ? [] : layoutPages(pages),
    page: emptyPageMetadata(),
    issues,
  };
}
