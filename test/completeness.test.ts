// The completeness contract on real reports cut short in transfer: every record says for tables 2, 3
// and 4 whether each was found, partial or absent, an absent table is named by an issue, a page cut at
// 10% is not loaded as a report, and report_headlines tells "0 printed" from "not read".
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractDocument } from '../extractors/extract.ts';
import { isAnnualReport, loadRecords } from '../pipelines/load.ts';
import { Warehouse } from '../pipelines/warehouse.ts';
import { buildRecord } from '../transforms/record.ts';
import type { ReportRecord } from '../transforms/recordSchema.ts';
import { readStatedCounts } from '../transforms/statedCounts.ts';
import { CORPUS, readExpected, silentlyIncompleteTables } from './support/corpus.ts';

async function recordOf(file: string, fraction = 1): Promise<ReportRecord> {
  const all = readFileSync(join(CORPUS, file));
  const bytes = all.subarray(0, Math.floor(all.length * fraction));
  const doc = await extractDocument({ bytes, fileName: file });
  return buildRecord(doc, { source: file, sha256: createHash('sha256').update(bytes).digest('hex') });
}
const statuses = (r: ReportRecord) => [r.meta.tables.t2.status, r.meta.tables.t3.status, r.meta.tables.t4.status];

describe('completeness contract', () => {
  it('a whole report: every table found, with the printed cells it read', async () => {
    const record = await recordOf('pingtan-2023.html');
    expect(record.meta.tables).toEqual({
      t2: { status: 'found', printed_cells: 10, stops_after: null, reason: null },
      t3: { status: 'found', printed_cells: 175, stops_after: null, reason: null },
      t4: { status: 'found', printed_cells: 15, stops_after: null, reason: null },
    });
  });

  for (const file of ['pingtan-2023.html', 'pingtan-2019.html', 'shuyang-fgj-2023.html']) {
    it(`${file} cut at 95%: table 4 partial or absent, with the issue that says so, not a complete report`, async () => {
      const record = await recordOf(file, 0.95);
      const t4 = record.meta.tables.t4;
      expect(statuses(record).slice(0, 2)).toEqual(['found', 'found']);
      expect(['partial', 'absent']).toContain(t4.status);
      expect(record.issues).toContainEqual(expect.objectContaining({ code: t4.reason }));
      expect(silentlyIncompleteTables(readExpected(file), record)).toEqual([]);
      // The corpus check fails such a record when nothing names the missing table.
      const silent = { ...record, issues: record.issues.filter((i) => !i.code.startsWith('t4_')) };
      expect(silentlyIncompleteTables(readExpected(file), silent)).toEqual(['t4']);
    });
  }

  it('a page cut at 10%: tables 3 and 4 absent, the record is not loaded as a report', async () => {
    const record = await recordOf('pingtan-2023.html', 0.1);
    // The prose before the tables still states 81 applications: kept as prose, never as a table-3 cell.
    expect(record.prose.applications_received).toBe(81);
    expect(Object.keys(record.cells).filter((id) => !id.startsWith('t2.'))).toEqual([]);
    expect(statuses(record)).toEqual(['partial', 'absent', 'absent']);
    // The cut row of 规章 prints fewer cells than its header names: refused, not shifted.
    expect(record.meta.tables.t2).toMatchObject({ stops_after: 'regulations', reason: 't2_columns_ambiguous' });
    expect(record.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['t3_not_found', 't4_not_found', 'headline_tables_not_found']));
    expect(isAnnualReport(record)).toBe(false);
  });

  it('a table 4 the report does not print while its prose says there was none: t4_not_found is a warning, not an error', async () => {
    const text = readFileSync(join(CORPUS, '../seeds/000_ee99eda0b851ed47.txt'), 'utf8');
    const withoutT4 = text.slice(0, text.indexOf('四、政府信息公开行政复议')) + '本年度未发生政府信息公开行政复议、行政诉讼案件。\n' + text.slice(text.indexOf('五、存在的主要问题'));
    const bytes = Buffer.from(withoutT4);
    const record = buildRecord(await extractDocument({ bytes, fileName: 'seed-000.txt' }), { source: 'seed-000.txt', sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(statuses(record)).toEqual(['found', 'found', 'absent']);
    expect(record.issues.filter((i) => i.code === 't4_not_found').map((i) => i.severity)).toEqual(['warning']);
    expect(isAnnualReport(record)).toBe(true);
  });

  it('stated counts: the subject and its number in one clause, never a rate or another count nearby', () => {
    expect(readStatedCounts('全年发生行政复议7件，诉讼9件。')).toEqual({ admin_reviews: 7, lawsuits: 9, documents_issued: null });
    expect(readStatedCounts('行政复议纠错率为0%，行政诉讼败诉0件；印发规范性文件12件。')).toEqual({ admin_reviews: null, lawsuits: null, documents_issued: 12 });
  });

  it('report_headlines: a table read, a table not read, and the counts the prose states', async () => {
    const whole = await recordOf('pingtan-2023.html');
    const cut = await recordOf('pingtan-2023.html', 0.95);
    // 行政复议案件2件、行政诉讼案件7件; 本年度制发的规范性文件77件: evidence checked against tables 4 and 2 (S-6).
    expect(whole.prose.stated).toEqual({ admin_reviews: 2, lawsuits: 7, documents_issued: 77 });
    const s6 = whole.checks.filter((c) => c.rule === 'S-6' && ['admin_reviews', 'lawsuits', 'documents_issued'].includes(c.scope));
    expect(s6.map((c) => [c.scope, c.passed])).toEqual([['admin_reviews', true], ['lawsuits', true], ['documents_issued', true]]);
    const warehouse = await Warehouse.open(':memory:');
    try {
      await loadRecords(warehouse, [whole, cut]);
      const rows = (
        await warehouse.read(
          `SELECT report_id, t3_status, t4_status, admin_reviews::INTEGER AS admin_reviews, lawsuits::INTEGER AS lawsuits, admin_reviews_stated, lawsuits_stated FROM report_headlines ORDER BY t4_status`,
        )
      ).getRowObjectsJson();
      expect(rows).toEqual([
        { report_id: whole.report_id, t3_status: 'found', t4_status: 'found', admin_reviews: 2, lawsuits: 7, admin_reviews_stated: null, lawsuits_stated: null },
        // Cut inside table 4: its first block was printed whole, the lawsuits were not.
        { report_id: cut.report_id, t3_status: 'found', t4_status: 'partial', admin_reviews: 2, lawsuits: null, admin_reviews_stated: 2, lawsuits_stated: 7 },
      ]);
    } finally {
      warehouse.close();
    }
  });
});
