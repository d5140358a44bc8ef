// Golden tests: each seed against an expected record written by reading the seed by hand
// (test/fixtures/golden/seed-NNN.json), compared cell by cell.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractDocument } from '../extractors/extract.ts';
import { reportTextToHtml } from '../pipelines/localSite/pages.ts';
import { buildRecord } from '../transforms/record.ts';
import type { ReportRecord } from '../transforms/recordSchema.ts';

const SEEDS = join(import.meta.dirname, '../data/samples/seeds');
const GOLDEN = join(import.meta.dirname, 'fixtures/golden');
// Column order of table 3 as printed in the template (spec/templates.md §4.1).
const T3_PRINTED_COLUMNS = ['natural_person', 'commercial_enterprise', 'research_institution', 'social_welfare_org', 'legal_service_org', 'other_org', 'total'];
const T4_PRINTED = ['admin_review', 'litigation_direct', 'litigation_after_review'].flatMap((g) =>
  ['upheld', 'corrected', 'other', 'pending', 'total'].map((o) => `t4.${g}.${o}`),
);

interface Golden {
  agency: string;
  year: number;
  t2_layout: string;
  t3_layout: string;
  truncated_tables: string[];
  t2: Record<string, Record<string, number>>;
  t3: Record<string, number[]>;
  t4: number[];
}

function expectedCells(golden: Golden): Map<string, number> {
  const cells = new Map<string, number>();
  for (const [row, columns] of Object.entries(golden.t2)) for (const [col, v] of Object.entries(columns)) cells.set(`t2.${row}.${col}`, v);
  for (const [row, values] of Object.entries(golden.t3)) values.forEach((v, i) => cells.set(`t3.${row}.${T3_PRINTED_COLUMNS[i]}`, v));
  golden.t4.forEach((v, i) => cells.set(T4_PRINTED[i], v));
  return cells;
}

async function extractSeed(file: string): Promise<ReportRecord> {
  const bytes = readFileSync(join(SEEDS, file));
  const doc = await extractDocument({ bytes, fileName: file });
  return buildRecord(doc, { source: `seeds/${file}`, sha256: createHash('sha256').update(bytes).digest('hex') });
}

const seedFiles = readdirSync(SEEDS).filter((f) => f.endsWith('.txt')).sort();

describe('seed reports', () => {
  it('has all five seeds bundled', () => {
    expect(seedFiles).toHaveLength(5);
  });

  for (const file of seedFiles) {
    describe(file, () => {
      const golden: Golden = JSON.parse(readFileSync(join(GOLDEN, `seed-${file.slice(0, 3)}.json`), 'utf8'));

      it('reads agency, year, layouts and truncation', async () => {
        const record = await extractSeed(file);
        expect(record.meta.agency_name).toBe(golden.agency);
        expect(record.meta.report_year).toBe(golden.year);
        expect(record.meta.t2_layout).toBe(golden.t2_layout);
        expect(record.meta.t3_layout).toBe(golden.t3_layout);
        expect(record.meta.truncated_tables).toEqual(golden.truncated_tables);
      });

      it('reads every printed cell exactly, and no cell that is not printed', async () => {
        const record = await extractSeed(file);
        const expected = expectedCells(golden);
        for (const [id, value] of expected) {
          expect(record.cells[id], id).toBeDefined();
          expect({ id, value: record.cells[id].value, status: record.cells[id].status }).toEqual({ id, value, status: 'reported' });
        }
        const printed = Object.entries(record.cells).filter(([, c]) => c.status !== 'derived').map(([id]) => id);
        expect(printed.sort()).toEqual([...expected.keys()].sort());
      });

      it('passes every hard rule it can check, and records the raw text of each cell', async () => {
        const record = await extractSeed(file);
        expect(record.checks.filter((c) => !c.passed)).toEqual([]);
        for (const cell of Object.values(record.cells)) {
          if (cell.status === 'reported') expect(cell.raw.trim()).toMatch(/\d/);
        }
      });
    });
  }

  it('reads the same cells when each seed is pasted into a CMS as HTML tables (header rows of blank cells included)', async () => {
    for (const file of seedFiles) {
      const text = await extractSeed(file);
      const html = `<html><head><meta charset="utf-8"></head><body><div class="TRS_Editor">${reportTextToHtml(readFileSync(join(SEEDS, file), 'utf8'))}</div></body></html>`;
      const bytes = Buffer.from(html);
      const record = buildRecord(await extractDocument({ bytes, fileName: `${file}.html` }), { source: file, sha256: 'html' });
      const values = (r: ReportRecord) => Object.fromEntries(Object.entries(r.cells).map(([id, c]) => [id, c.value]));
      expect(values(record), file).toEqual(values(text));
      expect(record.meta.agency_name).toBe(text.meta.agency_name);
    }
  });

  it('seed 004: table 3 is partial, flagged truncated, and its 15-number row is table 4', async () => {
    const record = await extractSeed('004_4d27c7cf704db1e1.txt');
    expect(record.issues.map((i) => i.code)).toContain('t3_truncated');
    expect(record.issues.find((i) => i.code === 't3_truncated')?.message).toMatch(/unavailable_needs_creation/);
    const t3Rows = new Set(Object.keys(record.cells).filter((id) => id.startsWith('t3.')).map((id) => id.split('.')[1]));
    for (const missing of ['unavailable_unclear', 'not_processed_petition', 'results_total', 'carried_forward', 'other_total']) {
      expect(t3Rows.has(missing), missing).toBe(false);
    }
    expect(T4_PRINTED.map((id) => record.cells[id]?.value)).toEqual(Array(15).fill(0));
    // H1 and H3 need rows the truncated table does not print: they are not claimed as checked.
    expect(record.checks.filter((c) => c.rule === 'H1' || c.rule === 'H3')).toEqual([]);
  });

  it('seed 003: the agency comes from the body when the title lacks the place name', async () => {
    const record = await extractSeed('003_5f6bec8eadb51f9b.txt');
    expect(record.meta.title).toMatch(/^民政局2024年/);
    expect(record.meta.agency_name).toBe('平桥区民政局');
  });

  it('seed 002: prose fields — book title, period, cited notice, contact, fee statement', async () => {
    const record = await extractSeed('002_7051039651d1a08e.txt');
    expect(record.meta.agency_name_source).toBe('book_title');
    expect([record.meta.period_start, record.meta.period_end]).toEqual(['2024-01-01', '2024-12-31']);
    expect(record.meta.cited_notice).toBe('国办公开办函〔2021〕30号');
    expect(record.meta.contact).toMatchObject({ phone: '0951-4021566', email: 'nxlwmzj@163.com', url: 'http://www.nxlw.gov.cn' });
    expect(record.prose.info_processing_fee.status).toBe('none');
    expect(record.prose.applications_received).toBe(2);
    expect(record.checks.find((c) => c.rule === 'S-6' && c.scope === 'applications_received')?.passed).toBe(true);
  });

  it('seed 001: signature date is the publication date when the page has none', async () => {
    const record = await extractSeed('001_b4512be360909492.txt');
    expect(record.meta.publish_date).toBe('2024-01-16');
    expect(record.meta.publish_date_source).toBe('signature');
  });
});
