// The intermediate document every format becomes (HTML, text, markdown, PDF, DOCX, DOC).
// Nothing downstream of this type knows which format a report came from: the one label
// mapping in transforms/ reads ParsedDocument only.
import { z } from 'zod';

export const issueSeveritySchema = z.enum(['error', 'warning', 'info']);

/** A problem found while reading a document. Errors mean the record cannot be trusted. */
export const issueSchema = z.object({
  code: z.string(),
  severity: issueSeveritySchema,
  message: z.string(),
});
export type Issue = z.infer<typeof issueSchema>;

export type DocumentFormat = 'html' | 'text' | 'pdf' | 'docx' | 'doc';

/**
 * One position of a table grid. Merged cells are expanded: a cell with rowspan/colspan
 * appears at every position it covers, and `originRow`/`originCol` name the top-left
 * position of the merged cell. An unmerged cell has origin = its own position.
 */
export interface GridCell {
  /** Cell text as printed; line breaks inside the cell (<br>, <p>, PDF lines) kept as '\n'. */
  text: string;
  originRow: number;
  originCol: number;
  /** Lowest OCR confidence (0–100) of the text in the cell, when it was read from an image. */
  confidence?: number;
}

export interface Grid {
  /** 0-based position of this table among the document's tables. */
  index: number;
  rows: GridCell[][];
  /**
   * True when an empty cell is a real printed cell (HTML/DOCX/PDF tables). False for plain-text
   * renderings (tab, pipe), where trailing and leading empty cells are often padding.
   */
  structured: boolean;
  /** Where the table came from, for provenance: "lines 40-75", "page 3-4", "table#2". */
  source?: string;
}

export type Block =
  | { kind: 'text'; text: string; source?: string }
  | { kind: 'table'; grid: Grid };

/** Page-level metadata found outside the report body (meta tags, 信息公开目录 block, bylines). */
export interface PageMetadata {
  /** <meta name=…> tags by lower-cased name (articletitle, pubdate, contentsource, …). */
  metaTags: Record<string, string>;
  /** The 信息公开目录 fields with whitespace-free labels (索引号, 发布机构, 发布日期, 成文日期, …). */
  catalog: Record<string, string>;
  /** Publication date as ISO yyyy-mm-dd, when the page states one, and where it came from. */
  publishDate: string | null;
  publishDateSource: string | null;
  /** Attachment links found in the body (absolute when a base URL was known). */
  attachments: { url: string; text: string }[];
  /** Images in the body (absolute URLs when a base URL was known): tables printed as pictures are read from them by OCR. */
  images?: string[];
}

export interface ParsedDocument {
  format: DocumentFormat;
  /** The page or document title, when one exists outside the body text (<title>, ArticleTitle, PDF info). */
  title: string | null;
  /** Body text blocks and tables in reading order. */
  blocks: Block[];
  page: PageMetadata;
  /** Problems found while reading (undecodable bytes, scanned PDF, garbled text, …). */
  issues: Issue[];
  /** Pages (or images) whose text was read by OCR, and the engine that read them. */
  ocr?: { engine: string; pages: number[] };
}

export function emptyPageMetadata(): PageMetadata {
  return { metaTags: {}, catalog: {}, publishDate: null, publishDateSource: null, attachments: [] };
}

/** Build a grid from rows of plain strings (text renderings, where no cell is merged). */
export function gridFromRows(index: number, rows: string[][], structured: boolean, source?: string): Grid {
  return {
    index,
    structured,
    source,
    rows: rows.map((cells, r) => cells.map((text, c) => ({ text, originRow: r, originCol: c }))),
  };
}
