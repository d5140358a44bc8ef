// Tables printed as pictures: a report page whose tables are <img> files, a Word document of pasted images.
// When the document's own tables do not hold the report (fewer than two), its images are read by OCR like
// scanned pages and their tables are added to the document, status ocr and confidence as for a scan; without
// OCR the document says which images went unread and why.
import type { Issue, ParsedDocument } from './document.ts';
import { ocrImageFiles, type OcrOption } from './ocr.ts';
import { layoutPages } from './pdfLayout.ts';

/** Images read for one document at most (logos and QR codes come along with the tables). */
export const MAX_OCR_IMAGES = 20;

export async function readImageTables(doc: ParsedDocument, images: Uint8Array[], ocr: OcrOption | undefined, where: string): Promise<ParsedDocument> {
  const tables = doc.blocks.filter((b) => b.kind === 'table').length;
  if (images.length === 0 || tables >= 2 || !ocr) return doc;
  if ('unavailable' in ocr) {
    return { ...doc, issues: [...doc.issues, { code: 'ocr_skipped', severity: 'info', message: `${images.length} image(s) ${where} were not read by OCR: ${ocr.unavailable}` }] };
  }
  const files = images.slice(0, MAX_OCR_IMAGES);
  const read = await ocrImageFiles(files, ocr);
  const issues: Issue[] = read.failures.map((f) => ({ code: 'ocr_failed', severity: 'warning', message: `image ${f.page} ${where} could not be read by OCR: ${f.message}` }));
  if (files.length < images.length) issues.push({ code: 'ocr_failed', severity: 'warning', message: `only the first ${files.length} of ${images.length} images ${where} were read by OCR` });
  if (read.pages.length === 0) return { ...doc, issues: [...doc.issues, ...issues] };
  const blocks = layoutPages(read.pages).map((b) => (b.kind === 'table' ? { ...b, grid: { ...b.grid, index: b.grid.index + tables } } : b));
  const numbers = read.pages.map((p) => p.number);
  issues.push({
    code: 'ocr_pages',
    severity: 'info',
    message: `images ${numbers.join(', ')} ${where} were read by OCR (${ocr.runner.engine}${read.fromCache ? ', cached' : ''}); their tables are numbered as pages ${numbers.join(', ')} and their values carry status ocr and a confidence`,
  });
  return { ...doc, blocks: [...doc.blocks, ...blocks], issues: [...doc.issues, ...issues], ocr: { engine: ocr.runner.engine, pages: numbers } };
}
