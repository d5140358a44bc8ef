// One extraction job: a document's bytes and what the record needs to know about them (the work a
// pool worker does, in worker.ts), and the failure records the coordinator writes when a worker could
// not finish (budget exceeded, worker crashed, quarantined). No extractor is imported here, so the
// coordinating process never loads pdf.js or mammoth.
import { createHash } from 'node:crypto';
import { emptyPageMetadata, type ParsedDocument } from '../../extractors/document.ts';
import { buildRecord, type RecordContext } from '../../transforms/record.ts';
import type { ReportRecord } from '../../transforms/recordSchema.ts';
import type { OcrSettings } from '../ocr/ocrOption.ts';

/**
 * The document: its bytes, or the file that holds them (an archived body, read by the worker, so the
 * coordinating process neither reads it nor copies it over IPC: what a reprocess of the archive waits on).
 */
export type JobBody = { bytes: Uint8Array; path?: undefined } | { path: string; bytes?: undefined };

export type ExtractJob = JobBody & JobContext;

interface JobContext {
  /** File name or URL path: a hint only, the bytes decide. */
  fileName?: string;
  contentType?: string;
  /** Where the document was fetched from: resolves relative attachment links. */
  url?: string;
  record: RecordContext;
  /** What the crawl knows about an attachment from the page that linked it, used where the file itself is silent. */
  linkedFrom?: { title: string | null; publishDate: string | null; publishDateSource: string | null };
  /** OCR of scanned pages (plain data: the worker builds the runner); default on, without a cache. */
  ocr?: OcrSettings;
  /** A report page's body images (its tables may be pictures), read by OCR when the page's own tables do not hold the report. */
  images?: Uint8Array[];
}

/** A record for a document that yielded nothing usable: empty cells and one error issue, built like any other. */
export function failedRecord(record: Omit<RecordContext, 'sha256'> & { sha256?: string }, code: string, message: string): ReportRecord {
  const document: ParsedDocument = {
    format: 'text',
    title: null,
    blocks: [],
    page: emptyPageMetadata(),
    issues: [{ code, severity: 'error', message }],
  };
  return buildRecord(document, { ...record, sha256: record.sha256 ?? createHash('sha256').digest('hex') });
}
