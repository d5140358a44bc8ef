// Fuzz test (fast-check) over the extractors, through the extraction pool so that a hang is caught by
// the pool's clock instead of hanging the test: for random bytes under every format's magic and name,
// and for real reports with bytes flipped, inserted, deleted or cut, every extraction ends with a
// record — its error issues the typed failure — and never with an exception, a dead worker or a timeout.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentExtractor } from '../../pipelines/extractPool/extractor.ts';
import { SAMPLES_DIR } from '../../pipelines/samples.ts';
import { reportRecordSchema } from '../../transforms/recordSchema.ts';
import { OFFICE_FIXTURES } from '../helpers/hostile.ts';

const BUDGET = { timeoutMs: 30_000, maxRssMb: 1024 };
let extractor: DocumentExtractor;
beforeAll(() => {
  extractor = new DocumentExtractor({ workers: 2, budget: BUDGET });
});
afterAll(() => extractor.close());

/** Extract in the pool; the property holds when a valid record came back from the extractor itself. */
async function extractsToRecord(bytes: Uint8Array, fileName: string): Promise<void> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const result = await extractor.extract({ bytes, fileName, record: { source: fileName, sha256 } });
  expect(result.failure, `${fileName}: ${result.record.issues.map((i) => `${i.code}: ${i.message}`).join('; ')}`).toBeNull();
  expect(reportRecordSchema.safeParse(result.record).success).toBe(true);
  if (Object.keys(result.record.cells).length === 0) expect(result.record.issues.some((i) => i.severity === 'error')).toBe(true);
}

const EXTENSIONS = ['html', 'txt', 'md', 'pdf', 'docx', 'doc', 'wps', 'bin'];
const MAGICS = [[], [...Buffer.from('%PDF-1.4\n')], [0x50, 0x4b, 0x03, 0x04], [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], [...Buffer.from('<html><body><table><tr><td>')], [0xef, 0xbb, 0xbf], [0xff, 0xfe]];

const REAL = [
  join(SAMPLES_DIR, 'corpus/pingtan-2023.html'),
  join(SAMPLES_DIR, 'seeds/001_b4512be360909492.txt'),
  join(OFFICE_FIXTURES, 'pingtan-2023.docx'),
  join(OFFICE_FIXTURES, 'pingtan-2023.doc'),
  join(OFFICE_FIXTURES, 'seed-004.pdf'),
].map((path) => ({ name: path.split('/').pop()!, bytes: readFileSync(path) }));

type Edit = { kind: 'flip' | 'insert' | 'delete'; at: number; byte: number; length: number };

function applyEdits(bytes: Uint8Array, edits: Edit[], cut: number): Uint8Array {
  let out = Buffer.from(bytes);
  for (const edit of edits) {
    const at = Math.floor(edit.at * out.length);
    if (edit.kind === 'flip') out[at] = edit.byte;
    else if (edit.kind === 'insert') out = Buffer.concat([out.subarray(0, at), Buffer.alloc(edit.length, edit.byte), out.subarray(at)]);
    else out = Buffer.concat([out.subarray(0, at), out.subarray(at + edit.length)]);
  }
  return out.subarray(0, Math.max(1, Math.floor(cut * out.length)));
}

describe('extractors return a record or a typed error, never throw, never hang', () => {
  it('random bytes behind every magic, under every extension', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...MAGICS),
        fc.uint8Array({ minLength: 0, maxLength: 20_000 }),
        fc.constantFrom(...EXTENSIONS),
        async (magic, body, ext) => extractsToRecord(Uint8Array.from([...magic, ...body]), `fuzz.${ext}`),
      ),
      { numRuns: 150, seed: 20261202 },
    );
  });

  it('real reports with bytes flipped, inserted, deleted and cut', async () => {
    const edit = fc.record({
      kind: fc.constantFrom<Edit['kind']>('flip', 'insert', 'delete'),
      at: fc.double({ min: 0, max: 0.999, noNaN: true }),
      byte: fc.integer({ min: 0, max: 255 }),
      length: fc.integer({ min: 1, max: 4096 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...REAL),
        fc.array(edit, { minLength: 1, maxLength: 8 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        async (real, edits, cut) => extractsToRecord(applyEdits(real.bytes, edits, cut), real.name),
      ),
      { numRuns: 150, seed: 20261203 },
    );
  });
});
