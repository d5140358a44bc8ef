// Word files → ParsedDocument. .docx goes through mammoth's HTML (it keeps colspan/rowspan) and
// the HTML extractor, so merged cells come out as a real grid. .doc/.wps (OLE) go through word-extractor, which
// returns table cells separated by tabs but marks neither row ends nor merged cells: a cell end
// and a row end are the same tab. Rows cannot be rebuilt from that without guessing, so .doc
// tables are left out and an error-level issue says so; the prose is kept.
import mammoth from 'mammoth';
import { createRequire } from 'node:module';
import { emptyPageMetadata, type Block, type Issue, type ParsedDocument } from './document.ts';
import { extractHtml } from './html.ts';
import { sniffFormat } from './sniff.ts';

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

const cleanText = (text: string) => text.replace(/[\u00a0\u3000]/g, ' ').replace(/[ \t]+/g, ' ').trim();

export async function extractDocx(bytes: Uint8Array): Promise<ParsedDocument> {
  const wrong = wrongFormat('docx', bytes);
  if (wrong) return wrong;
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
  return { ...doc, format: 'docx', issues: doc.issues.filter((i) => i.code !== 'body_container_guessed') };
}

const SECTION_HEADING = /^\s*[一二三四五六七八九十]+、/;

/** A tab marks a table cell in word-extractor's text: lines with tabs, and wrapped cell lines between them, are table text. */
function splitTables(body: string): { paragraphs: string[]; tables: number; cells: number } {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const paragraphs: string[] = [];
  let tables = 0;
  let cells = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].includes('\t')) {
      paragraphs.push(lines[i]);
      continue;
    }
    // The table runs on while a tabbed line follows within two wrapped cell lines, and ends where
    // a section heading (三、…) follows its last tab.
    let end = i;
    const endsWithHeading = (line: string) => SECTION_HEADING.test(line.slice(line.lastIndexOf('\t') + 1));
    for (let j = i + 1; j < lines.length && j <= end + 3 && !endsWithHeading(lines[end]); j++) if (lines[j].includes('\t')) end = j;
    const region = lines.slice(i, end + 1).join('\n');
    const after = region.slice(region.lastIndexOf('\t') + 1);
    tables++;
    cells += region.slice(0, region.lastIndexOf('\t')).split('\t').length;
    // Text after the table's last tab is the next paragraph outside it.
    paragraphs.push(after);
    i = end;
  }
  return { paragraphs: paragraphs.map(cleanText).filter(Boolean), tables, cells };
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
  const { paragraphs, tables, cells } = splitTables(body);
  const issues: Issue[] = [];
  if (tables > 0) {
    issues.push({
      code: 'doc_tables_unreadable',
      severity: 'error',
      message:
        `${tables} table(s) with about ${cells} cells not extracted: word-extractor gives .doc table cells without row ends ` +
        'or merged-cell spans, so their rows cannot be rebuilt without guessing; a .docx or PDF of this report reads fully',
    });
  }
  return document('doc', paragraphs.map((text) => ({ kind: 'text', text })), issues);
}
