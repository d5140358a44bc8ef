// PDF throughput: our path (pdf.js text + ruling lines in the budgeted worker, then grid
// reconstruction) against poppler's `pdftotext -tsv` (words and boxes only, no tables, one
// process per file) on the same files. Prints pages/s for both and the ratio when poppler is
// installed; vitest's own ops/s table follows.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { extractPdf } from '../../extractors/pdf.ts';
import { readPdfPages } from '../../extractors/pdfPages.ts';

const files = [
  join(import.meta.dirname, '../../data/samples/corpus/huaian-hongze-2023.pdf'),
  join(import.meta.dirname, '../../data/samples/corpus/huaian-hongze-2024.pdf'),
  join(import.meta.dirname, '../../data/samples/corpus/huaian-city-2024.pdf'),
  join(import.meta.dirname, '../fixtures/office/pingtan-2023.pdf'),
  join(import.meta.dirname, '../fixtures/office/pingtan-2023-cmap.pdf'),
].map((path) => ({ path, bytes: new Uint8Array(readFileSync(path)) }));
const pages = (await Promise.all(files.map(async (f) => (await readPdfPages(f.bytes.slice())).pages.length))).reduce((a, b) => a + b, 0);
const popplerPresent = spawnSync('pdftotext', ['-v']).status === 0;
const ROUNDS = 5;

async function ours(): Promise<void> {
  for (const f of files) await extractPdf(f.bytes);
}
function pdftotext(): void {
  for (const f of files) execFileSync('pdftotext', ['-tsv', f.path, '-'], { maxBuffer: 64 << 20 });
}

async function pagesPerSecond(run: () => unknown): Promise<number> {
  await run(); // warm: worker started, pdf.js loaded, files in the page cache
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) await run();
  return (pages * ROUNDS) / ((performance.now() - start) / 1000);
}

const oursRate = await pagesPerSecond(ours);
if (popplerPresent) {
  const popplerRate = await pagesPerSecond(pdftotext);
  console.log(
    `pdf pages/s (ours): ${oursRate.toFixed(1)}; pdftotext pages/s: ${popplerRate.toFixed(1)}; ratio: ${(oursRate / popplerRate).toFixed(3)} ` +
      `(${files.length} files, ${pages} pages, ${ROUNDS} rounds; ours includes table reconstruction)`,
  );
} else {
  console.log(`pdf pages/s (ours): ${oursRate.toFixed(1)}; pdftotext not installed (poppler-utils), no ratio`);
}

describe(`PDF extraction, ${files.length} files / ${pages} pages per op`, () => {
  bench('extractPdf (pdf.js in worker + layout)', ours, { iterations: 3 });
  if (popplerPresent) bench('pdftotext -tsv (poppler, words only)', pdftotext, { iterations: 3 });
});
