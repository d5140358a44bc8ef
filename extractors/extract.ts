// Bytes → ParsedDocument: sniff the format from the bytes, decode, hand to the format's extractor.
import { decodeBytes } from './decode.ts';
import { emptyPageMetadata, type DocumentFormat, type ParsedDocument } from './document.ts';
import { extractHtml } from './html.ts';
import { imageKind } from './imageDecode.ts';
import { readImageTables } from './imageTables.ts';
import type { OcrOption } from './ocr.ts';
import { extractPdf } from './pdf.ts';
import { sniffFormat } from './sniff.ts';
import { extractText } from './text.ts';
import { extractDoc, extractDocx } from './word.ts';

export interface DocumentInput {
  bytes: Uint8Array;
  /** File name or URL path: a hint only, the bytes decide. */
  fileName?: string;
  contentType?: string;
  /** Where the document was fetched from: resolves relative attachment links. */
  url?: string;
  /** OCR for scanned pages (pipelines/ocr/ supplies it); without it scans are reported, not read. */
  ocr?: OcrOption;
  /** A report page's body images (page.images, fetched by the crawler), in body order: tables printed as pictures. */
  images?: Uint8Array[];
}

function unreadable(format: DocumentFormat, code: string, message: string): ParsedDocument {
  return { format, title: null, blocks: [], page: emptyPageMetadata(), issues: [{ code, severity: 'error', message }] };
}

export async function extractDocument(input: DocumentInput): Promise<ParsedDocument> {
  const { bytes } = input;
  if (bytes.length === 0) return unreadable('text', 'empty_document', 'the document is empty (0 bytes)');
  const format = sniffFormat(bytes, input.fileName ?? input.url ?? '', input.contentType ?? '');
  switch (format) {
    case 'html':
    case 'text': {
      const decoded = decodeBytes(bytes, { contentType: input.contentType });
      const doc = format === 'html' ? extractHtml(decoded.text, { url: input.url }) : extractText(decoded.text);
      return readImageTables({ ...doc, issues: [...decoded.issues, ...doc.issues] }, input.images ?? [], input.ocr, 'in the page body');
    }
    case 'pdf':
      return extractPdf(bytes, { ocr: input.ocr });
    case 'docx':
      return extractDocx(bytes, input.ocr);
    case 'doc':
      return extractDoc(bytes);
    case 'rtf':
      return unreadable('text', 'unsupported_format', 'RTF documents are not read yet (a ".doc" link that is RTF inside)');
    case 'zip':
      return unreadable('text', 'unsupported_format', 'ZIP archives (and .xlsx/.ofd bundles) are not read: no report tables can be taken from them');
    case 'image': {
      const image = unreadable('text', 'image_only', 'the document is an image: its tables cannot be read without OCR');
      if (!input.ocr || 'unavailable' in input.ocr || !imageKind(bytes)) return image;
      const read = await readImageTables({ ...image, issues: [] }, [bytes], input.ocr, 'of the file');
      return read.blocks.length > 0 ? read : { ...read, issues: [...image.issues, ...read.issues] };
    }
    default:
      return unreadable('text', 'unknown_format', describeUnknown(bytes));
  }
}

function describeUnknown(bytes: Uint8Array): string {
  const magic = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `unrecognised file format (first bytes ${magic})`;
}

