// What extraction is told about OCR for one document: read scanned pages with Tesseract (results
// cached in the raw archive by document hash and engine), or why scanned pages stay unread (turned
// off with --no-ocr, or Tesseract missing). Settings are plain data, so they cross into any process
// that extracts; the runner is built where the extraction runs.
import type { OcrOption } from '../../extractors/ocr.ts';
import type { ReportRecord } from '../../transforms/recordSchema.ts';
import { archiveOcrCache } from './cache.ts';
import { probeTesseract, tesseractRunner } from './tesseract.ts';

export interface OcrSettings {
  /** False with --no-ocr. */
  enabled: boolean;
  /** Data directory whose raw archive caches OCR results; null: no cache (`extract`). */
  cacheDir: string | null;
}

export const DEFAULT_OCR_SETTINGS: OcrSettings = { enabled: true, cacheDir: null };

export async function ocrOptionFor(settings: OcrSettings, sha256: string): Promise<OcrOption> {
  if (!settings.enabled) return { unavailable: 'OCR is turned off (--no-ocr)' };
  const probe = await probeTesseract();
  if (!probe.ok) return { unavailable: probe.reason };
  const runner = tesseractRunner(probe.engine);
  return { runner, cache: settings.cacheDir ? archiveOcrCache(settings.cacheDir, sha256, runner.engine) : undefined };
}

let told = false;

/**
 * Once per process (one run), say on stderr that scanned pages were skipped and why, the first time a
 * record shows it; the record's own ocr_skipped issue says it for every document.
 */
export function tellOcrSkippedOnce(record: ReportRecord): void {
  if (told) return;
  const skipped = record.issues.find((i) => i.code === 'ocr_skipped');
  if (!skipped) return;
  told = true;
  const reason = skipped.message.replace(/^.*were not read by OCR: /, '');
  console.error(`note: scanned documents are not read by OCR in this run: ${reason}`);
}
