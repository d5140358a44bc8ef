// A fetched report bundle (a report page and its attachments, or a report file) → the records to
// load and each document's outcome for the run. A body already extracted by the current extractor
// version is not extracted again ("unchanged"); a report page that only points at its report (the
// attachment is the report) is not loaded as a report of its own ("rejected").
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportRecord } from '../../transforms/recordSchema.ts';
import { EXTRACTOR_VERSION } from '../../transforms/version.ts';
import type { DocumentExtractor } from '../extractPool/extractor.ts';
import { isAnnualReport, type DocumentFacts } from '../load.ts';
import type { OcrSettings } from '../ocr/ocrOption.ts';
import type { RawArchive } from './archive.ts';
import type { BundleDocument, BundleEvent, CrawlJournal, DocumentEvent } from './journal.ts';

/** A record to load, the facts of its body, and the outcome to journal once it is loaded. */
export interface LoadItem {
  record: ReportRecord;
  document: DocumentFacts;
  outcome: DocumentEvent;
}

export interface BundleResult {
  loads: LoadItem[];
  /** Outcomes that need no load (unchanged bodies, pages whose report is an attachment, failures). */
  settled: DocumentEvent[];
}

export interface ExtractBundleContext {
  runId: string;
  journal: CrawlJournal;
  archive: RawArchive;
  /** The extraction pool: every body is read by a worker under the per-document budget. */
  extractor: DocumentExtractor;
  /** Extract even bodies the current extractor version already read (reprocess). */
  force?: boolean;
  /** OCR of scanned pages (default: on), cached in this archive. */
  ocr?: Pick<OcrSettings, 'enabled'>;
}

interface Examined {
  doc: BundleDocument;
  isReport: boolean;
  record: ReportRecord | null;
  facts: DocumentFacts | null;
  settled: DocumentEvent | null;
}

export async function extractBundle(bundle: BundleEvent, ctx: ExtractBundleContext): Promise<BundleResult> {
  const ledger = ctx.journal.runLedger(ctx.runId);
  const outcome = (doc: BundleDocument, fields: Pick<DocumentEvent, 'outcome' | 'detail' | 'reportId' | 'isReport'> & { extractorVersion?: string | null }): DocumentEvent => ({
    type: 'document',
    runId: ctx.runId,
    url: doc.url,
    sha256: doc.sha256,
    extractorVersion: fields.extractorVersion ?? EXTRACTOR_VERSION,
    ...fields,
  });

  const examined: Examined[] = [];
  for (const doc of bundle.documents) {
    if (ledger.documents.has(doc.url)) continue; // settled earlier in this run (before a restart)
    const prior = ctx.journal.extraction(doc.sha256);
    if (!ctx.force && prior && prior.extractorVersion === EXTRACTOR_VERSION) {
      examined.push({
        doc,
        isReport: prior.isReport,
        record: null,
        facts: null,
        settled: outcome(doc, { outcome: 'unchanged', detail: null, reportId: prior.reportId, isReport: prior.isReport, extractorVersion: prior.extractorVersion }),
      });
      continue;
    }
    examined.push(await examine(doc, bundle, ctx, outcome));
  }

  // An attachment that is a report makes the page around it a mere wrapper.
  const reportInAttachment = bundle.documents.some((doc) => {
    if (doc.role !== 'attachment') return false;
    const seen = examined.find((e) => e.doc.url === doc.url);
    return seen ? seen.isReport : ctx.journal.extraction(doc.sha256)?.isReport === true;
  });
  const result: BundleResult = { loads: [], settled: [] };
  for (const e of examined) {
    if (e.settled) {
      result.settled.push(e.settled);
      continue;
    }
    const record = e.record!;
    if (e.doc.role === 'page' && !e.isReport && reportInAttachment) {
      result.settled.push(outcome(e.doc, { outcome: 'rejected', detail: 'the page links to its report as an attachment; the attachment is loaded', reportId: null, isReport: false }));
      continue;
    }
    const error = record.issues.find((issue) => issue.severity === 'error');
    result.loads.push({
      record,
      document: e.facts!,
      outcome: outcome(e.doc, {
        outcome: e.isReport ? 'extracted' : 'rejected',
        detail: e.isReport ? null : `${error?.code ?? 'not_annual_report'}: ${error?.message ?? 'no report tables found'}`,
        reportId: record.report_id,
        isReport: e.isReport,
      }),
    });
  }
  return result;
}

async function examine(
  doc: BundleDocument,
  bundle: BundleEvent,
  ctx: ExtractBundleContext,
  outcome: (doc: BundleDocument, fields: Pick<DocumentEvent, 'outcome' | 'detail' | 'reportId' | 'isReport'>) => DocumentEvent,
): Promise<Examined> {
  const failed = (detail: string): Examined => ({ doc, isReport: false, record: null, facts: null, settled: outcome(doc, { outcome: 'failed', detail, reportId: null, isReport: null }) });
  // The worker reads the body from the archive itself; here only whether it is there, and its size.
  const path = join(ctx.archive.dataDir, ctx.archive.archivePathOf(doc.sha256));
  let byteSize: number;
  try {
    byteSize = statSync(path).size;
  } catch (error) {
    return failed(`body ${doc.sha256.slice(0, 16)} is not in the archive: ${(error as Error).message}`);
  }
  const images: Uint8Array[] = [];
  for (const image of doc.images ?? []) {
    // An image gone from the archive is one picture fewer to read, not a failed page.
    const body = await ctx.archive.get(image.sha256).catch(() => null);
    if (body) images.push(body);
  }
  const { record, failure } = await ctx.extractor.extract({
    path,
    ...(images.length ? { images } : {}),
    fileName: fileNameOf(doc.url),
    contentType: doc.contentType ?? undefined,
    url: doc.url,
    record: { source: doc.url, sha256: doc.sha256, sourceUrl: doc.url },
    // What the crawl knows about a file from the page that linked it: its title on the list, the publication date of the page.
    ocr: { enabled: ctx.ocr?.enabled ?? true, cacheDir: ctx.archive.dataDir },
    linkedFrom: doc.role === 'attachment' ? { title: bundle.title, publishDate: bundle.publishDate, publishDateSource: bundle.publishDateSource } : undefined,
  });
  if (failure) {
    // Over its budget, its worker died, or quarantined: journaled with why, nothing to load.
    const error = record.issues.find((issue) => issue.severity === 'error');
    const detail = `${error?.code}: ${error?.message}`;
    if (failure !== 'quarantined') return failed(detail);
    return { doc, isReport: false, record: null, facts: null, settled: outcome(doc, { outcome: 'skipped', detail, reportId: null, isReport: null }) };
  }
  const facts: DocumentFacts = {
    sha256: doc.sha256,
    byteSize,
    contentType: doc.contentType,
    url: doc.url,
    archivePath: ctx.archive.archivePathOf(doc.sha256),
  };
  return { doc, isReport: isAnnualReport(record), record, facts, settled: null };
}

/** The name a file goes by: the `filename=` of a download endpoint, else the last path segment. */
function fileNameOf(url: string): string {
  const parsed = new URL(url);
  return parsed.searchParams.get('filename') ?? parsed.searchParams.get('fileName') ?? decodeURIComponent(parsed.pathname.split('/').pop() ?? '');
}
