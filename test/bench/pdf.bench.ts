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

/** Pages per second of each contender, their rounds interleaved so that a change of load falls on both alike. */
async function pagesPerSecond(contenders: (() => unknown)[]): Promise<number[]> {
  for (const run of contenders) await run(); // warm: worker started, pdf.js loaded, files in the page cache
  const spent = contenders.map(() => 0);
  for (let i = 0; i < ROUNDS; i++) {
    for (const [k, run] of contenders.entries()) {
      const start = performance.now();
      await run();
      spent[k] += performance.now() - start;
    }
  }
  return spent.map((ms) => (pages * ROUNDS) / (ms / 1000));
}

if (popplerPresent) {
  const [oursRate, popplerRate] = await pagesPerSecond([ours, pdftotext]);
  console.log(
    `pdf pages/s (ours): ${oursRate.toFixed(1)}; pdftotext pages/s: ${popplerRate.toFixed(1)}; ratio: ${(oursRate / popplerRate).toFixed(3)} ` +
      `(${files.length} files, ${pages} pages, ${ROUNDS} interleaved rounds; ours includes table reconstruction)`,
  );
} else {
  const [oursRate] = await pagesPerSecond([ours]);
  console.log(`pdf pages/s (ours): ${oursRate.toFixed(1)}; pdftotext not installed (poppler-utils), no ratio`);
}

describe(`PDF extraction, ${files.length} files / ${pages} pages per op`, () => {
  bench('extractPdf (pdf.js in worker + layout)', ours, { iterations: 3 });
  if (popplerPresent) bench('pdftotext -tsv (poppler, words only)', pdftotext, { iterations: 3 });
});
