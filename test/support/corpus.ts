// Shared by the corpus tests: where the bundled corpus lives and how a record is compared with it.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { extractDocument } from '../../extractors/extract.ts';
import { buildRecord } from '../../transforms/record.ts';
import type { CellValue, ReportRecord } from '../../transforms/recordSchema.ts';

export const CORPUS = join(import.meta.dirname, '../../data/samples/corpus');

export interface Expected {
  agency: string[];
  year: number;
  t2_layout: string;
  t3_layout: string;
  cells: Record<string, number | null>;
}

export async function extractCorpusFile(file: string): Promise<ReportRecord> {
  const bytes = readFileSync(join(CORPUS, file));
  const doc = await extractDocument({ bytes, fileName: file });
  return buildRecord(doc, { source: `corpus/${file}`, sha256: createHash('sha256').update(bytes).digest('hex') });
}

/** A null expectation is met by a blank cell, or by a derived or imputed one that says so. */
export function cellMatches(expected: number | null, cell: CellValue | undefined): boolean {
  if (expected === null) return !cell || cell.value === null || cell.status === 'derived' || cell.status === 'imputed_zero';
  return cell !== undefined && cell.value !== null && Math.abs(cell.value - expected) < 1e-9 && cell.status === 'reported';
}

/** Corpus documents that have hand-checked expected values, by file name. */
export const corpusDocuments = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.expected.json'))
  .map((f) => f.replace(/\.expected\.json$/, ''))
  .sort();

export function readExpected(file: string): Expected {
  return JSON.parse(readFileSync(join(CORPUS, `${file}.expected.json`), 'utf8'));
}

/**
 * Tables of which the expected file lists cells that the record does not match, with no issue naming the
 * table (t4_not_found, t3_truncated, …) or given as the reason in its completeness entry (a document-level
 * error such as corrupt_pdf): a table that is absent or damaged must never be silently so.
 */
export function silentlyIncompleteTables(expected: Expected, record: ReportRecord): string[] {
  return (['t2', 't3', 't4'] as const).filter((table) => {
    const ids = Object.keys(expected.cells).filter((id) => id.startsWith(`${table}.`));
    const incomplete = ids.some((id) => !cellMatches(expected.cells[id], record.cells[id])) || (ids.length > 0 && record.meta.tables[table].status === 'absent');
    const named = record.issues.some(
      (i) => i.severity !== 'info' && (i.code.startsWith(`${table}_`) || i.code === record.meta.tables[table].reason),
    );
    return incomplete && !named;
  });
}
