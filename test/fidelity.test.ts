// Fidelity on layouts the corpus does not show (test/fixtures/fidelity, built by test/fixtures/office/build.sh):
// the 2019-template report as .doc, .docx and .pdf, and real reports whose table 4 prints blank cells where
// it printed 0 (sparse) or is cut into its three blocks (split), as HTML, markdown and office files. Every
// expected cell (the source document's) must come out exact, and no table may be incomplete without an
// issue naming it. Prints the accuracy per format.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractDocument } from '../extractors/extract.ts';
import { buildRecord } from '../transforms/record.ts';
import { cellMatches, silentlyIncompleteTables, type Expected } from './support/corpus.ts';

const DIR = join(import.meta.dirname, 'fixtures/fidelity');
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.expected.json')).map((f) => f.replace(/\.expected\.json$/, '')).sort();
const tally = new Map<string, { cells: number; exact: number }>();

describe('fidelity fixtures', () => {
  it('has the fixtures of every format', () => {
    expect(new Set(fixtures.map((f) => extname(f)))).toEqual(new Set(['.html', '.md', '.doc', '.docx', '.pdf']));
  });

  for (const file of fixtures) {
    it(`${file}: every expected cell exact, every table read or its absence said`, async () => {
      const expected: Expected = JSON.parse(readFileSync(join(DIR, `${file}.expected.json`), 'utf8'));
      const bytes = readFileSync(join(DIR, file));
      const record = buildRecord(await extractDocument({ bytes, fileName: file }), { source: file, sha256: createHash('sha256').update(bytes).digest('hex') });
      const misses = Object.entries(expected.cells)
        .filter(([id, value]) => !cellMatches(value, record.cells[id]))
        .map(([id, value]) => `${id}: expected ${value}, got ${JSON.stringify(record.cells[id] ?? 'absent')}`);
      const format = extname(file).slice(1);
      const t = tally.get(format) ?? { cells: 0, exact: 0 };
      t.cells += Object.keys(expected.cells).length;
      t.exact += Object.keys(expected.cells).length - misses.length;
      tally.set(format, t);
      expect(silentlyIncompleteTables(expected, record)).toEqual([]);
      expect(misses).toEqual([]);
      expect(expected.agency).toContain(record.meta.agency_name);
      expect(record.meta.report_year).toBe(expected.year);
      expect([record.meta.t2_layout, record.meta.t3_layout]).toEqual([expected.t2_layout, expected.t3_layout]);
      expect(Object.values(record.meta.tables).map((t) => t.status)).toEqual(['found', 'found', 'found']);
    });
  }

  afterAll(() => {
    const lines = [...tally].map(([format, t]) => `${format}: ${t.exact}/${t.cells} cells exact (${((100 * t.exact) / t.cells).toFixed(1)}%)`);
    console.log(`fidelity accuracy per format:\n  ${lines.join('\n  ')}`);
  });
});
