// OCR throughput: a degraded scan of a real report (test/fixtures/scans/huaian-city-2024-scan.pdf, its pages
// 3–5 printed at 300 dpi) read by OCR, against the text-layer PDF path on the source PDF's same three pages
// (huaian-city-2024.pdf pages 3–5, cut out with poppler's pdfseparate/pdfunite). Pages/s and table cells/s for both, and the ratio;
// tesseract runs two processes at once (one per core). Needs tesseract: without it, says so and measures nothing.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { extractDocument } from '../../extractors/extract.ts';
import { probeTesseract, tesseractRunner } from '../../pipelines/ocr/tesseract.ts';
import { buildRecord } from '../../transforms/record.ts';

const scan = new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/scans/huaian-city-2024-scan.pdf')));
const SOURCE = join(import.meta.dirname, '../../data/samples/corpus/huaian-city-2024.pdf');
const PAGE_DIR = join(import.meta.dirname, '../fixtures/scans/image-page');
const IMAGE_PAGE = {
  html: new Uint8Array(readFileSync(join(PAGE_DIR, 'index.html'))),
  images: [2, 3, 4].map((n) => new Uint8Array(readFileSync(join(PAGE_DIR, `table-${n}.png`)))),
};
const SCAN_PAGES = 3;
const TEXT_PAGES = 3;

/** The source PDF's pages 3–5 (those the scan was printed from), cut out with poppler's pdfseparate and pdfunite. */
function sourcePages(): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'ocr-bench-'));
  try {
    execFileSync('pdfseparate', ['-f', '3', '-l', '5', SOURCE, join(dir, 'p%d.pdf')]);
    execFileSync('pdfunite', [3, 4, 5].map((n) => join(dir, `p${n}.pdf`)).concat(join(dir, 'pages.pdf')));
    return new Uint8Array(readFileSync(join(dir, 'pages.pdf')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const probe = await probeTesseract();

/** Pages/s and printed cells/s of one document read `rounds` times. */
async function rate(pages: number, read: () => Promise<number>, rounds: number): Promise<{ pages: number; cells: number }> {
  await read();
  const start = performance.now();
  let cells = 0;
  for (let i = 0; i < rounds; i++) cells += await read();
  const seconds = (performance.now() - start) / 1000;
  return { pages: (pages * rounds) / seconds, cells: cells / seconds };
}

const printedCells = async (bytes: Uint8Array, ocr?: Parameters<typeof extractDocument>[0]['ocr'], images?: Uint8Array[]) => {
  const record = buildRecord(await extractDocument({ bytes, ocr, images }), { source: 'bench', sha256: createHash('sha256').update(bytes).digest('hex') });
  return Object.values(record.cells).filter((c) => c.at !== null).length;
};

if (probe.ok) {
  const text = sourcePages();
  const runner = tesseractRunner(probe.engine);
  const ocr = await rate(SCAN_PAGES, () => printedCells(scan, { runner }), 2);
  const layer = await rate(TEXT_PAGES, () => printedCells(text), 5);
  const pictures = await rate(IMAGE_PAGE.images.length, () => printedCells(IMAGE_PAGE.html, { runner }, IMAGE_PAGE.images), 2);
  console.log(`image-table page (3 PNG table pages of pingtan-2023 at 110 dpi) by OCR: images/s: ${pictures.pages.toFixed(3)}, cells/s: ${pictures.cells.toFixed(1)}`);
  console.log(
    `ocr pages/s: ${ocr.pages.toFixed(3)}, cells/s: ${ocr.cells.toFixed(1)}; text-layer pages/s: ${layer.pages.toFixed(2)}, cells/s: ${layer.cells.toFixed(1)}; ` +
      `ratio (ocr / text layer) pages: ${(ocr.pages / layer.pages).toFixed(4)} (${probe.engine}, 300 dpi, ${runner.concurrency} tesseract processes)`,
  );
  describe('OCR of a 3-page scan against the text layer of the same report', () => {
    bench('OCR (pdftoppm + tesseract, 300 dpi)', () => printedCells(scan, { runner }).then(() => {}), { iterations: 1 });
    bench('text layer (pdf.js)', () => printedCells(text).then(() => {}), { iterations: 3 });
  });
} else {
  console.log(`ocr bench skipped: ${probe.reason}`);
  describe('OCR', () => bench('skipped: tesseract not installed', () => {}, { iterations: 1 }));
}
