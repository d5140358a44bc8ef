// How a record read by OCR scores against the source document's expected values: which cells came out exact,
// which wrong, and whether each wrong one is flagged (named in a failed-rule or low-confidence issue), i.e. never
// presented as checked.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extractPdf } from '../../extractors/pdf.ts';
import type { OcrOption } from '../../extractors/ocr.ts';
import { buildRecord } from '../../transforms/record.ts';
import type { CellValue, ReportRecord } from '../../transforms/recordSchema.ts';

export interface OcrScore {
  expected: number;
  exact: number;
  wrong: { id: string; expected: number | null; got: number | null; status: string; raw: string; flagged: boolean }[];
}

/** Issues that say a value is not to be trusted: a failed (or only repaired) rule over it, a proposal, a low confidence no rule backs. */
const FLAG_CODES = new Set(['ocr_check_failed', 'ocr_check_repaired', 'ocr_corrected', 'ocr_low_confidence']);

export function flaggedCells(record: ReportRecord): Set<string> {
  const ids = record.issues.filter((i) => FLAG_CODES.has(i.code)).flatMap((i) => i.message.match(/t[234]\.[a-z_0-9]+\.[a-z_0-9]+/g) ?? []);
  return new Set(ids);
}

/** An OCR'd value is exact when its number is the printed one; a null expectation is met as in the corpus test. */
function exact(expected: number | null, cell: CellValue | undefined): boolean {
  if (expected === null) return !cell || cell.value === null || cell.status === 'derived' || cell.status === 'imputed_zero';
  return cell !== undefined && cell.value !== null && Math.abs(cell.value - expected) < 1e-9 && cell.status !== 'unparsed';
}

export function scoreRecord(record: ReportRecord, expectedCells: Record<string, number | null>): OcrScore {
  const flagged = flaggedCells(record);
  const score: OcrScore = { expected: 0, exact: 0, wrong: [] };
  for (const [id, expected] of Object.entries(expectedCells)) {
    score.expected++;
    const cell = record.cells[id];
    if (exact(expected, cell)) score.exact++;
    else score.wrong.push({ id, expected, got: cell?.value ?? null, status: cell?.status ?? 'absent', raw: cell?.raw ?? '', flagged: flagged.has(id) });
  }
  return score;
}

/**
 * A scanned PDF read with OCR. pdf.js decodes every page image before OCR starts (seconds per page at 300 dpi);
 * on a machine shared with other work that can pass the default 30 s parsing budget, which this accuracy
 * measurement is not about: it gets a larger one.
 */
export async function extractWithOcr(path: string, ocr: OcrOption): Promise<ReportRecord> {
  const bytes = readFileSync(path);
  const doc = await extractPdf(bytes, { ocr, timeoutMs: 300_000 });
  return buildRecord(doc, { source: path, sha256: createHash('sha256').update(bytes).digest('hex') });
}
