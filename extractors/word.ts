// Word files → ParsedDocument. .docx is read from its zip and its XML directly (docxPackage.ts,
// docxBody.ts), merged cells placed as a real grid by the HTML table model. .doc/.wps (OLE) go through word-extractor, which
// returns table cells separated by tabs but marks neither row ends nor merged cells (a cell end and a
// row end are the same tab): its text goes to the text extractor, which reads tab tables whose rows
// shift sideways and splits rows that run together; an info issue says the rows were inferred.
import { createRequire } from 'node:module';
import { emptyPageMetadata, type Block, type Issue, type ParsedDocument } from './document.ts';
import { readDocxBody, type DocxBody } from './docxBody.ts';
import { openDocx, type DocxPackage } from './docxPackage.ts';
import { signatureDate } from './htmlMetadata.ts';
import { readImageTables } from './imageTables.ts';
import type { OcrOption } from './ocr.ts';
import { sniffFormat } from './sniff.ts';
import { extractText } from './text.ts';
import { readZipDirectory, ZipSizeError } from './zipArchive.ts';
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
  const entries = readZipDirectory(bytes);
  if (!entries) return document('docx', [], [corrupt('no zip directory at its end (the file is truncated, or not a zip)')]);
  const bomb = zipInflationProblem(entries);
  if (bomb) return document('docx', [], [inflationLimit(`the .docx is not inflated: ${bomb}`)]);
  let docx: DocxPackage;
  let body: DocxBody;
  try {
    docx = openDocx(bytes, entries);
    body = readDocxBody(docx.documentXml);
  } catch (err) {
    return document('docx', [], [err instanceof ZipSizeError ? inflationLimit(`the .docx is not read further: ${err.message}`) : corrupt((err as Error).message)]);
  }
  const { blocks, pictures } = body;
  const issues = [...body.issues];
  const tables = blocks.filter((b) => b.kind === 'table').length;
  if (blocks.length === 0) issues.push({ code: 'empty_body', severity: 'warning', message: 'no text or tables found in the document' });
  else if (tables === 0 && pictures.length > 0) {
    issues.push({ code: 'body_images', severity: 'info', message: `the document has ${pictures.length} picture(s) and no tables: the report may be pasted as pictures` });
  }
  // A report pasted as pictures is read from them by OCR (when its own tables do not hold it): only then are they inflated.
  const images: Uint8Array[] = [];
  if (ocr && tables < 2) {
    for (const id of pictures) {
      const path = docx.target(id);
      try {
        if (path) images.push(docx.picture(path));
      } catch (err) {
        issues.push({ code: 'ocr_failed', severity: 'warning', message: `picture ${path} in the document could not be read: ${(err as Error).message}` });
      }
    }
  }
  const published = signatureDate(blocks);
  const doc: ParsedDocument = {
    ...document('docx', blocks, issues),
    page: { ...emptyPageMetadata(), publishDate: published?.date ?? null, publishDateSource: published?.source ?? null },
  };
  return readImageTables(doc, images, ocr, 'in the document');
}

const corrupt = (why: string): Issue => ({ code: 'corrupt_docx', severity: 'error', message: `the .docx could not be read: ${why}` });
const inflationLimit = (message: string): Issue => ({ code: 'decompression_limit', severity: 'error', message });

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
