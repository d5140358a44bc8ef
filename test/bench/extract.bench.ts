// Extraction throughput on the corpus HTML and text reports, repeated to a few thousand documents,
// beside the throughput of parsing the same bytes with htmlparser2 alone (the floor any HTML
// extractor pays), in interleaved rounds timed by CPU. Prints reports/s, MB/s and the ratios (extraction
// alone, and with the transform to a record); vitest's own table follows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'htmlparser2';
import { bench, describe } from 'vitest';
import { extractDocument } from '../../extractors/extract.ts';
import { buildRecord } from '../../transforms/record.ts';

const SAMPLES = join(import.meta.dirname, '../../data/samples');
const files = [
  'corpus/pingtan-2023.html', 'corpus/shuyang-fgj-2023.html', 'corpus/shanghai-stcsm-2024.md',
  'seeds/000_ee99eda0b851ed47.txt', 'seeds/001_b4512be360909492.txt', 'seeds/002_7051039651d1a08e.txt',
  'seeds/003_5f6bec8eadb51f9b.txt', 'seeds/004_4d27c7cf704db1e1.txt',
].map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(SAMPLES, f))) }));
const html = files.filter((f) => f.name.endsWith('.html'));
const REPEAT_DOCUMENTS = 2000;

async function extractOnly(docs: typeof files): Promise<number> {
  let blocks = 0;
  for (const f of docs) blocks += (await extractDocument({ bytes: f.bytes, fileName: f.name })).blocks.length;
  return blocks;
}

async function extractAll(docs: typeof files): Promise<number> {
  let cells = 0;
  for (const f of docs) {
    const doc = await extractDocument({ bytes: f.bytes, fileName: f.name });
    cells += Object.keys(buildRecord(doc, { source: f.name, sha256: f.name }).cells).length;
  }
  return cells;
}

function parseOnly(docs: typeof files): number {
  let elements = 0;
  for (const f of docs) {
    const parser = new Parser({ onopentag: () => elements++ });
    parser.end(new TextDecoder().decode(f.bytes));
  }
  return elements;
}

/** CPU time of this process (ms): steadier than wall time on a machine other jobs share. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Rounds of every contender interleaved (A B C, A B C, …), CPU time summed per contender: a change in
 * the machine's load during the run falls on all of them alike, so the ratios hold.
 */
async function measureTogether(docs: typeof files, contenders: { label: string; run: (d: typeof files) => unknown }[]): Promise<number[]> {
  const rounds = Math.ceil(REPEAT_DOCUMENTS / docs.length);
  const bytes = docs.reduce((a, f) => a + f.bytes.length, 0) * rounds;
  const spent = contenders.map(() => 0);
  for (const c of contenders) await c.run(docs); // warm-up
  for (let i = 0; i < rounds; i++) {
    for (const [k, c] of contenders.entries()) {
      const start = cpuMs();
      await c.run(docs);
      spent[k] += cpuMs() - start;
    }
  }
  return contenders.map((c, k) => {
    const seconds = spent[k] / 1000;
    const perSecond = (rounds * docs.length) / seconds;
    console.log(`${c.label}: ${rounds * docs.length} documents, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s CPU = ${perSecond.toFixed(0)} reports/s, ${(bytes / 1e6 / seconds).toFixed(2)} MB/s`);
    return perSecond;
  });
}

const [ours, extractionOnly, floor] = await measureTogether(html, [
  { label: 'extract+transform (HTML corpus)', run: extractAll },
  { label: 'extract only, no transform (HTML corpus)', run: extractOnly },
  { label: 'htmlparser2 parse only (same bytes)', run: async (d) => parseOnly(d) },
]);
console.log(`ratio: our HTML extraction runs at ${((100 * extractionOnly) / floor).toFixed(1)}% of raw htmlparser2 speed (${(floor / extractionOnly).toFixed(1)}× slower); with the transform to a record ${((100 * ours) / floor).toFixed(1)}% (${(floor / ours).toFixed(1)}× slower)`);
await measureTogether(files.filter((f) => !f.name.endsWith('.html')), [{ label: 'extract+transform (text/markdown seeds and corpus)', run: extractAll }]);

describe('extraction', () => {
  bench('extract+transform, 2 corpus HTML reports', async () => {
    await extractAll(html);
  });
  bench('htmlparser2 parse only, same 2 reports', () => {
    parseOnly(html);
  });
  bench('extract+transform, 6 text/markdown reports', async () => {
    await extractAll(files.filter((f) => !f.name.endsWith('.html')));
  });
});
