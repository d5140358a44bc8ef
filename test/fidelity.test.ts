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
import type { ReportRecord } from '../transforms/recordSchema.ts';
import { CORPUS, cellMatches, silentlyIncompleteTables, type Expected } from './support/corpus.ts';

const DIR = join(import.meta.dirname, 'fixtures/fidelity');
const SEEDS = join(import.meta.dirname, '../data/samples/seeds');

/** A real report with its text edited the way a rendering damages it. */
async function recordOfText(path: string, edit: (text: string) => string, fileName = 'edited.txt'): Promise<ReportRecord> {
  const bytes = Buffer.from(edit(readFileSync(path, 'utf8')));
  return buildRecord(await extractDocument({ bytes, fileName }), { source: fileName, sha256: createHash('sha256').update(bytes).digest('hex') });
}
const cellsOf = (record: ReportRecord, prefix: string) =>
  Object.fromEntries(Object.entries(record.cells).filter(([id]) => id.startsWith(prefix)).map(([id, c]) => [id, [c.value, c.status]]));
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.expected.json')).map((f) => f.replace(/\.expected\.json$/, '')).sort();
const T4_IDS = ['admin_review', 'litigation_direct', 'litigation_after_review'].flatMap((g) =>
  ['upheld', 'corrected', 'other', 'pending', 'total'].map((o) => `t4.${g}.${o}`),
);
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

  it('a table-2 header that lost a column (本年废止件数): the rows are refused as t2_columns_ambiguous, never shifted', async () => {
    const record = await recordOfText(join(SEEDS, '000_ee99eda0b851ed47.txt'), (t) => t.replace('本年制发件数\t本年废止件数\t现行有效件数', '本年制发件数\t现行有效件数'));
    expect(record.issues.filter((i) => i.code === 't2_columns_ambiguous')).toHaveLength(2);
    expect(cellsOf(record, 't2.normative_docs.')).toEqual({
      't2.normative_docs.issued': [null, 'unparsed'],
      't2.normative_docs.in_force': [null, 'unparsed'],
    });
    expect(record.cells['t2.licensing.decisions']).toMatchObject({ status: 'reported' });
  });

  it('a table-2 row printing fewer values than its header names is refused, not filled left to right', async () => {
    const record = await recordOfText(join(SEEDS, '000_ee99eda0b851ed47.txt'), (t) => t.replace('行政规范性文件\t2\t2\t11', '行政规范性文件\t2\t11'));
    expect(record.issues.map((i) => i.code)).toContain('t2_columns_ambiguous');
    expect(Object.values(cellsOf(record, 't2.normative_docs.'))).toEqual([[null, 'unparsed'], [null, 'unparsed'], [null, 'unparsed']]);
  });

  it('table 4 as a text line that lost its blank cells: placed when H4 allows one alignment, unparsed with an issue when not', async () => {
    const t4Row = /^\| 1 \| 0 \| 0 \| 0 \| 1 \|.*$/m;
    // 1 1 → 维持 1 = 总计 1 in any of the three blocks, or 纠正 / 其他 / 尚未审结: nothing decides.
    const ambiguous = await recordOfText(join(CORPUS, 'shanghai-stcsm-2024.md'), (t) => t.replace(t4Row, '1 1'), 'edited.md');
    expect(ambiguous.issues).toContainEqual(expect.objectContaining({ code: 't4_alignment_ambiguous', severity: 'warning' }));
    expect(new Set(Object.entries(ambiguous.cells).filter(([id]) => id.startsWith('t4.')).map(([, c]) => c.status))).toEqual(new Set(['unparsed']));
    expect(ambiguous.meta.tables.t4).toMatchObject({ status: 'partial', reason: 't4_alignment_ambiguous' });
    // 复议 1 1 0 0 2, 直接起诉 all 0 with its 总计 printed blank, 复议后起诉 1 0 0 1 2: the lost blank could sit at
    // several positions, but H4 allows one set of 15 values.
    const decided = await recordOfText(join(CORPUS, 'shanghai-stcsm-2024.md'), (t) => t.replace(t4Row, '1 1 0 0 2 0 0 0 0 1 0 0 1 2'), 'edited.md');
    expect(T4_IDS.map((id) => decided.cells[id].value)).toEqual([1, 1, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2]);
    expect(decided.cells['t4.admin_review.total']).toMatchObject({ status: 'reported', raw: '2' });
    expect(decided.cells['t4.litigation_direct.total']).toMatchObject({ status: 'imputed_zero', at: null });
    expect(decided.issues.map((i) => i.code)).toContain('t4_aligned_by_rule');
  });

  it('a table-3 text row that lost a blank cell: placed when H2 allows one reading, unparsed when not', async () => {
    const record = await recordOfText(
      join(SEEDS, '002_7051039651d1a08e.txt'),
      // Rows that survived as lines of text (as PDF-to-text gives them), one blank cell lost from each.
      (t) => t.replace(/^(一、本年新收政府信息公开申请数量) \| 2 \| 0 \| 0 \| 0 \| 0 \| 0 \| 2 \| \|\|$/m, '$1 2 0 0 0 0 2')
        .replace(/^(二、上年结转政府信息公开申请数量) \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| \|\|$/m, '$1 0 0 0 0 0 0'),
    );
    // 2 0 0 0 0 2: the 2 may be 自然人 or 商业企业 → two readings, refused.
    expect(cellsOf(record, 't3.new_received.')['t3.new_received.natural_person']).toEqual([null, 'unparsed']);
    expect(record.issues.find((i) => i.code === 't3_row_unparsed')?.message).toMatch(/rule H2 allows 2 readings/);
    // Six 0s for seven cells: whichever blank was lost, every cell is 0.
    expect(Object.values(cellsOf(record, 't3.carried_over.')).filter(([, s]) => s !== 'derived').map(([v]) => v)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(record.issues.map((i) => i.code)).toContain('t3_aligned_by_rule');
  });

  afterAll(() => {
    const lines = [...tally].map(([format, t]) => `${format}: ${t.exact}/${t.cells} cells exact (${((100 * t.exact) / t.cells).toFixed(1)}%)`);
    console.log(`fidelity accuracy per format:\n  ${lines.join('\n  ')}`);
  });
});
