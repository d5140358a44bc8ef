// .docx extraction speed per file, beside an external yardstick in the same run: node:zlib inflating
// the same word/document.xml and htmlparser2 parsing it in XML mode with no handlers (the floor any
// reader of the XML pays). Rounds are interleaved and timed by CPU, so a change of the machine's load
// falls on every contender alike. Prints ms per file and the ratio; vitest's own table follows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { Parser } from 'htmlparser2';
import { bench, describe } from 'vitest';
import { extractDocument } from '../../extractors/extract.ts';
import { readZipDirectory } from '../../extractors/zipArchive.ts';
import { buildRecord } from '../../transforms/record.ts';

const OFFICE = join(import.meta.dirname, '../fixtures/office');
const files = ['seed-001.docx', 'seed-004.docx', 'pingtan-2023.docx'].map((name) => {
  const bytes = new Uint8Array(readFileSync(join(OFFICE, name)));
  // Where document.xml's deflated bytes are (outside the timing): the yardstick inflates them itself.
  const entry = readZipDirectory(bytes)!.find((e) => e.name === 'word/document.xml')!;
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const start = entry.localHeaderOffset + 30 + view.getUint16(entry.localHeaderOffset + 26, true) + view.getUint16(entry.localHeaderOffset + 28, true);
  return { name, bytes, deflated: bytes.subarray(start, start + entry.compressedSize), xmlBytes: entry.size };
});
const ROUNDS = 300;

const contenders: { label: string; run: (f: (typeof files)[number]) => unknown }[] = [
  { label: 'extractDocument (.docx)', run: (f) => extractDocument({ bytes: f.bytes, fileName: f.name }) },
  {
    label: 'extract+transform to a record',
    run: async (f) => buildRecord(await extractDocument({ bytes: f.bytes, fileName: f.name }), { source: f.name, sha256: f.name }),
  },
  {
    label: 'yardstick: zlib inflate + htmlparser2 xmlMode parse of document.xml',
    run: (f) => {
      const parser = new Parser({}, { xmlMode: true });
      parser.end(new TextDecoder().decode(inflateRawSync(f.deflated)));
    },
  },
];

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** CPU ms per file of every contender: [contender][file]. */
async function msPerFile(): Promise<number[][]> {
  const spent = contenders.map(() => files.map(() => 0));
  for (const c of contenders) for (const f of files) await c.run(f); // warm-up
  for (let i = 0; i < ROUNDS; i++) {
    for (const [k, c] of contenders.entries()) {
      for (const [j, f] of files.entries()) {
        const start = cpuMs();
        await c.run(f);
        spent[k][j] += cpuMs() - start;
      }
    }
  }
  return spent.map((row) => row.map((ms) => ms / ROUNDS));
}

const table = await msPerFile();
for (const [j, f] of files.entries()) {
  const [extract, record, floor] = table.map((row) => row[j]);
  console.log(
    `${f.name} (${f.bytes.length} bytes, document.xml ${f.xmlBytes} bytes): extract ${extract.toFixed(2)} ms, extract+transform ${record.toFixed(2)} ms, ` +
      `yardstick ${floor.toFixed(2)} ms; extraction takes ${(extract / floor).toFixed(1)}× the yardstick`,
  );
}
const mean = (row: number[]) => row.reduce((a, b) => a + b, 0) / row.length;
console.log(`.docx mean over ${files.length} files, ${ROUNDS} interleaved rounds: extract ${mean(table[0]).toFixed(2)} ms, yardstick ${mean(table[2]).toFixed(2)} ms, ratio ${(mean(table[0]) / mean(table[2])).toFixed(1)}×`);

describe(`.docx extraction, ${files.length} files per op`, () => {
  bench('extractDocument', async () => {
    for (const f of files) await contenders[0].run(f);
  });
  bench('yardstick: inflate + parse document.xml', () => {
    for (const f of files) contenders[2].run(f);
  });
});
