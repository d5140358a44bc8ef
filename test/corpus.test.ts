// Accuracy on real published reports: every cell that data/samples/corpus/*.expected.json lists
// (checked by hand against the document) must come out with that value, and the agency and year
// must match; a table the expected file has is never absent or incomplete without an issue naming it.
// Prints the figure: documents exact, cells exact out of cells expected.
import { afterAll, describe, expect, it } from 'vitest';
import { cellMatches, corpusDocuments, extractCorpusFile, readExpected, silentlyIncompleteTables } from './support/corpus.ts';

const tally = { documents: 0, exactDocuments: 0, cells: 0, exactCells: 0, misses: [] as string[] };

describe('corpus accuracy', () => {
  it('has the corpus bundled', () => {
    expect(corpusDocuments.length).toBeGreaterThanOrEqual(6);
  });

  for (const file of corpusDocuments) {
    it(`${file}: every expected cell, the agency and the year`, async () => {
      const expected = readExpected(file);
      const record = await extractCorpusFile(file);
      const misses = Object.entries(expected.cells)
        .filter(([id, value]) => !cellMatches(value, record.cells[id]))
        .map(([id, value]) => `${id}: expected ${value}, got ${JSON.stringify(record.cells[id] ?? 'absent')}`);
      tally.documents++;
      tally.cells += Object.keys(expected.cells).length;
      tally.exactCells += Object.keys(expected.cells).length - misses.length;
      const metaOk = expected.agency.includes(record.meta.agency_name ?? '') && record.meta.report_year === expected.year;
      if (misses.length === 0 && metaOk) tally.exactDocuments++;
      tally.misses.push(...misses.map((m) => `${file} ${m}`));

      expect(silentlyIncompleteTables(expected, record)).toEqual([]);
      expect(misses).toEqual([]);
      expect(expected.agency).toContain(record.meta.agency_name);
      expect(record.meta.report_year).toBe(expected.year);
      expect([record.meta.t2_layout, record.meta.t3_layout]).toEqual([expected.t2_layout, expected.t3_layout]);
      // A rule failure is a failed check, never a changed number: every printed cell keeps its raw text.
      for (const cell of Object.values(record.cells)) {
        if (cell.status === 'reported') expect(cell.raw).toMatch(/\d/);
      }
    });
  }

  afterAll(() => {
    console.log(
      `corpus accuracy: ${tally.exactDocuments}/${tally.documents} documents exact, ` +
        `${tally.exactCells}/${tally.cells} cells exact (${((100 * tally.exactCells) / Math.max(tally.cells, 1)).toFixed(2)}%)`,
    );
  });
});
