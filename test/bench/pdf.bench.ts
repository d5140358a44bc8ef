// PDF throughput: our path (pdf.js text + ruling lines in the budgeted worker thread, then grid
// reconstruction; and the same parsed in this thread, as an extraction pool child does) against
// poppler's `pdftotext -tsv` (words and boxes only, no tables, one process per file) on the same
// files. Prints pages/s and the ratios when poppler is installed; vitest's own ops/s table follows.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { extractPdf } from '../../extractors/pdf.ts';
import { readPdfPages } from '../../extractors/pdfPages.ts';
import { parsePdfsInThisThread } from '../../extractors/pdfWorker.ts';

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
/** As in an extraction pool child (pipelines/extractPool/worker.ts): pdf.js in this thread, no worker hop. */
async function oursInline(): Promise<void> {
  parsePdfsInThisThread();
  try {
    await ours();
  } finally {
    parsePdfsInThisThread(false);
  }
}
function pdftotext(): void {
  for (const f of files) execFileSync('pdftotext', ['-tsv', f.path, '-'], { maxBuffer: 64 << 20 });
}

/**
 * Pages per second of each contender over all rounds, and in its best round (the figure least disturbed
 * by other work on a shared machine), their rounds interleaved so that a change of load falls on both alike.
 */
async function pagesPerSecond(contenders: (() => unknown)[]): Promise<{ mean: number; best: number }[]> {
  for (const run of contenders) await run(); // warm: worker started, pdf.js loaded, files in the page cache
  const spent = contenders.map(() => 0);
  const best = contenders.map(() => Infinity);
  for (let i = 0; i < ROUNDS; i++) {
    for (const [k, run] of contenders.entries()) {
      const start = performance.now();
      await run();
      const ms = performance.now() - start;
      spent[k] += ms;
      best[k] = Math.min(best[k], ms);
    }
  }
  return spent.map((ms, k) => ({ mean: (pages * ROUNDS) / (ms / 1000), best: pages / (best[k] / 1000) }));
}

if (popplerPresent) {
  const [oursRate, inlineRate, popplerRate] = await pagesPerSecond([ours, oursInline, pdftotext]);
  const line = (label: string, rate: { mean: number; best: number }) =>
    `${label} pages/s: ${rate.mean.toFixed(1)}, ratio ${(rate.mean / popplerRate.mean).toFixed(3)}; ` +
    `best round ${rate.best.toFixed(1)}, ratio ${(rate.best / popplerRate.best).toFixed(3)}`;
  console.log(
    `pdftotext pages/s: ${popplerRate.mean.toFixed(1)} (best round ${popplerRate.best.toFixed(1)}); ${line('ours', oursRate)}; ` +
      `${line('ours in this thread (pool child)', inlineRate)} (${files.length} files, ${pages} pages, ${ROUNDS} interleaved rounds; ours includes table reconstruction)`,
  );
} else {
  const [oursRate] = await pagesPerSecond([ours]);
  console.log(`pdf pages/s (ours): ${oursRate.mean.toFixed(1)} (best round ${oursRate.best.toFixed(1)}); pdftotext not installed (poppler-utils), no ratio`);
}

describe(`PDF extraction, ${files.length} files / ${pages} pages per op`, () => {
  bench('extractPdf (pdf.js in worker + layout)', ours, { iterations: 3 });
  bench('extractPdf (pdf.js in this thread + layout)', oursInline, { iterations: 3 });
  if (popplerPresent) bench('pdftotext -tsv (poppler, words only)', pdftotext, { iterations: 3 });
});
