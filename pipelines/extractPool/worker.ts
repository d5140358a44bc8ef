// The child process of the extraction pool: receives jobs over IPC, answers with records. It holds
// no state between jobs, so the coordinator may kill it at any moment (time or memory budget) and
// start another. It exits when the coordinator goes away (IPC channel closed).
import { readFileSync } from 'node:fs';
import { extractDocument } from '../../extractors/extract.ts';
import type { OcrOption, OcrRunner } from '../../extractors/ocr.ts';
import { parsePdfsInThisThread } from '../../extractors/pdfWorker.ts';
import { buildRecord } from '../../transforms/record.ts';
import type { ReportRecord } from '../../transforms/recordSchema.ts';
import { DEFAULT_OCR_SETTINGS, ocrOptionFor } from '../ocr/ocrOption.ts';
import type { ExtractJob } from './job.ts';

export type JobRequest = { id: number; job: ExtractJob };
/**
 * The record goes back as JSON text: the coordinator parses JSON faster than it deserialises the same
 * object from V8's structured clone (0.43 against 0.66 ms for a report's ~250 cells), and the
 * coordinator's time is what the whole pool waits on.
 */
export type JobReply = { id: number; ok: true; recordJson: string } | { id: number; ok: false; message: string };
/** Sent as each OCR step starts: the coordinator extends the job's time budget (pool.ts), up to its OCR ceiling. */
export type JobProgress = { id: number; progress: 'ocr' };

// This process is the budgeted unit (the coordinator watches its time and memory): no nested PDF thread.
parsePdfsInThisThread();

process.on('message', (request: JobRequest) => {
  void runExtractJob(request.job, () => process.send!({ id: request.id, progress: 'ocr' } satisfies JobProgress)).then(
    (record) => process.send!({ id: request.id, ok: true, recordJson: JSON.stringify(record) } satisfies JobReply),
    (error: unknown) => process.send!({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies JobReply),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });

/** Extract and transform one document. Throws only on an extractor bug (the caller records it). */
async function runExtractJob(job: ExtractJob, onOcrStep: () => void): Promise<ReportRecord> {
  const ocr = withProgress(await ocrOptionFor(job.ocr ?? DEFAULT_OCR_SETTINGS, job.record.sha256), onOcrStep);
  const bytes = job.bytes ?? new Uint8Array(readFileSync(job.path));
  const parsed = await extractDocument({ bytes, fileName: job.fileName, contentType: job.contentType, url: job.url, ocr, images: job.images });
  if (job.linkedFrom) {
    parsed.title ??= job.linkedFrom.title || null;
    if (!parsed.page.publishDate && job.linkedFrom.publishDate) {
      parsed.page.publishDate = job.linkedFrom.publishDate;
      parsed.page.publishDateSource = `crawl: ${job.linkedFrom.publishDateSource ?? 'report page'}`;
    }
  }
  return buildRecord(parsed, job.record);
}

/** The OCR runner, telling the coordinator as each page is rasterised or read (a scan takes minutes, not seconds). */
function withProgress(option: OcrOption, onStep: () => void): OcrOption {
  if ('unavailable' in option) return option;
  const runner: OcrRunner = option.runner;
  return {
    ...option,
    runner: {
      engine: runner.engine,
      dpi: runner.dpi,
      concurrency: runner.concurrency,
      rasterise: (pdf, page) => (onStep(), runner.rasterise(pdf, page)),
      recognise: (image, mode, dpi) => (onStep(), runner.recognise(image, mode, dpi)),
    },
  };
}
