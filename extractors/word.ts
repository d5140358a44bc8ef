// Word files → ParsedDocument. .docx goes through mammoth's HTML (it keeps colspan/rowspan) and
// the HTML extractor, so merged cells come out as a real grid. .doc/.wps (OLE) go through word-extractor, which
// returns table cells separated by tabs but marks neither row ends nor merged cells (a cell end and a
// row end are the same tab): its text goes to the text extractor, which reads tab tables whose rows
// shift sideways and splits rows that run together; an info issue says the rows were inferred.
import mammoth from 'mammoth';
import { createRequire } from 'node:module';
import { emptyPageMetadata, type Block, type Issue, type ParsedDocument } from './document.ts';
import { extractHtml } from './html.ts';
import { readImageTables } from './imageTables.ts';
import type { OcrOption } from './ocr.ts';
import { sniffFormat } from './sniff.ts';
import { extractText } from './text.ts';
import { zipInflationProblem } from './zipBudget.ts';

/** word-extractor ships no type declarations; this is the part of its API used here. */
interface WordExtractorApi {
  extract(source: Buffer): Promise<{ getBody(): string }>;
}
const WordExtractor = createRequire(import.meta.url)('word-extractor') as new () => WordExtractorApi;

const document = (format: 'docx' | 'doc', blocks: Block[], issues: Issue[], title: string | null = null): ParsedDocument => ({
  format,
  title,
  blocks,
  page: emptyPageMetadata(),
  issues,
});

/** A file handed to the wrong reader (a ".doc" that is HTML, RTF, a PDF, …) is named for what it is. */
function wrongFormat(format: 'docx' | 'doc', bytes: Uint8Array): ParsedDocument | null {
  const actual = sniffFormat(bytes);
  if (actual === format) return null;
  return document(format, [], [
    { code: 'wrong_format', severity: 'error', message: `expected a ${format} file but the bytes are ${actual}: route it by content, not by name` },
  ]);
}


export async function extractDocx(bytes: Uint8Array, ocr?: OcrOption): Promise<ParsedDocument> {
  const wrong = wrongFormat('docx', bytes);
  if (wrong) return wrong;
  const bomb = zipInflationProblem(bytes);
  if (bomb) return document('docx', [], [{ code: 'decompression_limit', severity: 'error', message: `the .docx is not inflated: ${bomb}` }]);
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) })).value;
  } catch (err) {
    return document('docx', [], [{ code: 'corrupt_docx', severity: 'error', message: `mammoth could not read the .docx: ${(err as Error).message}` }]);
  }
  // mammoth's HTML is the document body itself: the HTML extractor reads its paragraphs and its
  // tables (colspan/rowspan expanded) the same way as a report page's. Its note that no content
  // container was found is expected here.
  const doc = extractHtml(`<html><body>${html}</body></html>`);
  // mammoth inlines the document's pictures as data: URIs, in document order; a report pasted as images is read from them by OCR.
  const images = [...html.matchAll(/<img [^>]*src="data:image\/[a-z]+;base64,([^"]*)"/g)].map((m) => new Uint8Array(Buffer.from(m[1], 'base64')));
  const { images: _inline, ...page } = doc.page;
  return readImageTables({ ...doc, page, format: 'docx', issues: doc.issues.filter((i) => i.code !== 'body_container_guessed') }, images, ocr, 'in the document');
}

export async function extractDoc(bytes: Uint8Array): Promise<ParsedDocument> {
  const wrong = wrongFormat('doc', bytes);
  if (wrong) return wrong;
  let body: string;
  try {
    const doc = await new WordExtractor().extract(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    body = doc.getBody();
  } catch (err) {
    return document('doc', [], [{ code: 'corrupt_doc', severity: 'error', message: `word-extractor could not read the OLE file: ${(err as Error).message}` }]);
  }
  // word-extractor's text is a tab rendering of the document: the text extractor reads it, with rows
  // that run together (a .doc row end is the same tab as a cell end) split where a label follows a number.
  const doc = extractText(body);
  const tables = doc.blocks.filter((b) => b.kind === 'table').length;
  const issues: Issue[] = tables
    ? [{
        code: 'doc_rows_inferred',
        severity: 'info',
        message: `${tables} table(s) read from .doc text, where row ends and merged cells are not marked: rows were rebuilt from cell order (a label after a number starts a row); the arithmetic checks confirm or refute them`,
      }]
    : [];
  return { ...doc, format: 'doc', issues: [...doc.issues, ...issues] };
}
