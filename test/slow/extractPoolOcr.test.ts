// A scanned report through the extraction pool (pipelines/extractPool/): OCR runs in the worker, its
// Tesseract subprocesses in the worker's process group, and each OCR step the worker reports extends the
// job's time budget (a scan takes minutes where a text document takes seconds), up to the OCR ceiling.
// Needs tesseract (chi_sim, eng) and pdftoppm; skipped with the reason printed when they are missing.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DocumentExtractor } from '../../pipelines/extractPool/extractor.ts';
import { probeTesseract } from '../../pipelines/ocr/tesseract.ts';

const SCAN = join(import.meta.dirname, '../fixtures/scans/huaian-hongze-2023-scan.pdf');
const probe = await probeTesseract();
if (!probe.ok) console.warn(`extraction-pool OCR tests skipped: ${probe.reason}`);

describe.skipIf(!probe.ok)('a scanned report in the extraction pool', () => {
  const bytes = new Uint8Array(readFileSync(SCAN));
  const job = { bytes, fileName: SCAN, record: { source: SCAN, sha256: createHash('sha256').update(bytes).digest('hex') } };
  const extractors: DocumentExtractor[] = [];
  afterAll(() => Promise.all(extractors.map((e) => e.close())));

  it('is read by OCR in the worker, outliving the plain time budget while its OCR steps progress', async () => {
    // 15 s is far less than the whole scan takes (four pages, several Tesseract passes each) but more than one step.
    const timeoutMs = 15_000;
    const extractor = new DocumentExtractor({ workers: 1, budget: { timeoutMs } });
    extractors.push(extractor);
    const result = await extractor.extract({ ...job, ocr: { enabled: true, cacheDir: null } });
    console.log(`pool OCR of ${SCAN.split('/').pop()}: ${result.ms} ms (plain budget ${timeoutMs} ms), peak ${Math.round(result.peakRssMb)} MB`);
    expect(result.failure, result.record.issues.map((i) => i.message).join('; ')).toBeNull();
    expect(Object.values(result.record.cells).filter((c) => c.status === 'ocr' || c.status === 'ocr_corrected').length).toBeGreaterThan(100);
    expect(result.record.issues.map((i) => i.code)).not.toContain('scanned_pdf');
  }, 1_800_000);

  it('stops at the OCR ceiling however the steps progress', async () => {
    const extractor = new DocumentExtractor({ workers: 1, budget: { timeoutMs: 1_000, ocrTimeoutMs: 3_000 } });
    extractors.push(extractor);
    const result = await extractor.extract({ ...job, ocr: { enabled: true, cacheDir: null } });
    expect(result.failure).toBe('timeout');
    expect(result.record.issues[0]).toMatchObject({ code: 'extract_timeout', severity: 'error' });
    expect(result.ms).toBeLessThan(3_000 + 2_000);
  }, 60_000);

  it('with OCR off, is a scan that says why it was not read, within the plain budget', async () => {
    const extractor = new DocumentExtractor({ workers: 1 });
    extractors.push(extractor);
    const result = await extractor.extract({ ...job, ocr: { enabled: false, cacheDir: null } });
    expect(result.failure).toBeNull();
    expect(result.record.issues.find((i) => i.code === 'ocr_skipped')?.message).toMatch(/--no-ocr/);
  }, 120_000);
});
