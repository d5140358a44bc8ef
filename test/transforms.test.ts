// The transform on real documents with targeted damage (blank totals, split digits, units, extra
// rows, wholly blank tables), the value quirks of spec/templates.md §9, soft rules, and pages that
// look like reports but are not.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParsedDocument } from '../extractors/document.ts';
import { extractDocument } from '../extractors/extract.ts';
import { buildRecord } from '../transforms/record.ts';
import type { ReportRecord } from '../transforms/recordSchema.ts';
import { parseValue } from '../transforms/values.ts';
import { CORPUS, extractCorpusFile } from './support/corpus.ts';

const PAGES = join(import.meta.dirname, 'fixtures/pages');
const ctx = (bytes: Uint8Array | string) => ({ source: 'test', sha256: createHash('sha256').update(bytes).digest('hex') });

async function pingtan(): Promise<{ doc: ParsedDocument; record: ReportRecord }> {
  const bytes = readFileSync(join(CORPUS, 'pingtan-2023.html'));
  const doc = await extractDocument({ bytes, fileName: 'pingtan-2023.html' });
  return { doc, record: buildRecord(doc, ctx(bytes)) };
}

/** The same document with the printed text of one canonical cell replaced (found by its provenance). */
function withCellText(doc: ParsedDocument, record: ReportRecord, cellId: string, text: string): ParsedDocument {
  const at = record.cells[cellId].at!;
  return {
    ...doc,
    blocks: doc.blocks.map((b) =>
      b.kind === 'table' && b.grid.index === at.table
        ? { kind: 'table', grid: { ...b.grid, rows: b.grid.rows.map((row, r) => row.map((cell, c) => (r === at.row && c === at.col ? { ...cell, text } : cell))) } }
        : b,
    ),
  };
}

describe('value cells (§9)', () => {
  it.each([
    ['0', 'count', 0, 'reported'],
    [' 87 ', 'count', 87, 'reported'],
    ['８７', 'count', 87, 'reported'],
    ['-71', 'signed_count', -71, 'reported'],
    ['增加5', 'signed_count', 5, 'reported'],
    ['减少3', 'signed_count', -3, 'reported'],
    ['+1036', 'signed_count', 1036, 'reported'],
    ['251000元', 'amount_yuan', 251000, 'reported'],
    ['2792220.8元', 'amount_yuan', 2792220.8, 'reported'],
    ['985.7325', 'amount_wan_yuan', 985.7325, 'reported'],
    ['59490886.67元', 'amount_wan_yuan', 5949.088667, 'reported'],
    ['1.2亿元', 'amount_yuan', 120000000, 'reported'],
    ['1,234', 'count', 1234, 'reported'],
    ['12件', 'count', 12, 'reported'],
    ['', 'count', null, 'blank'],
    ['-', 'count', null, 'blank'],
    ['／', 'count', null, 'blank'],
    ['无', 'count', null, 'blank'],
    ['约20', 'count', null, 'unparsed'],
    ['5元', 'count', null, 'unparsed'],
  ] as const)('%j read as %s → %s (%s)', (raw, kind, value, status) => {
    const parsed = parseValue(raw, kind);
    expect([parsed.value, parsed.status]).toEqual([value, status]);
  });

  it('keeps "1 6" unparsed until a rule confirms the join', () => {
    expect(parseValue('1 6', 'count')).toMatchObject({ value: null, status: 'unparsed', splitDigitsCandidate: 16 });
  });
});

describe('blank and damaged cells in a real report (pingtan-2023.html)', () => {
  it('derives a blank 总计 from printed applicant cells (S-7) and says so', async () => {
    const { doc, record } = await pingtan();
    const damaged = buildRecord(withCellText(doc, record, 't3.new_received.total', ''), ctx('x'));
    expect(damaged.cells['t3.new_received.total']).toMatchObject({ value: 81, status: 'derived' });
    expect(damaged.checks.filter((c) => c.rule === 'H2' && c.scope === 'new_received')).toEqual([]);
  });

  it('joins digits split by a space only when H2 confirms it', async () => {
    const { doc, record } = await pingtan();
    const joined = buildRecord(withCellText(doc, record, 't3.new_received.total', '8 1'), ctx('x'));
    expect(joined.cells['t3.new_received.total']).toMatchObject({ value: 81, status: 'reported', raw: '8 1' });
    expect(joined.issues.map((i) => i.code)).toContain('digits_joined');
    const refused = buildRecord(withCellText(doc, record, 't3.new_received.total', '7 1'), ctx('x'));
    expect(refused.cells['t3.new_received.total']).toMatchObject({ value: null, status: 'unparsed' });
  });

  it('joins split digits in a row whose other applicant cells are blank (a narrow PDF column wrapping "26")', async () => {
    const bytes = readFileSync(join(CORPUS, 'shuyang-fgj-2023.html'));
    const doc = await extractDocument({ bytes, fileName: 'shuyang-fgj-2023.html' });
    const record = buildRecord(doc, ctx(bytes));
    expect(record.cells['t3.new_received.commercial_enterprise']).toMatchObject({ status: 'imputed_zero' });
    const wrapped = buildRecord(withCellText(doc, record, 't3.new_received.total', '2\n6'), ctx('x'));
    expect(wrapped.cells['t3.new_received.total']).toMatchObject({ value: 26, status: 'reported' });
    expect(wrapped.cells['t3.new_received.commercial_enterprise']).toMatchObject({ value: 0, status: 'imputed_zero' });
  });

  it('reads a unit inside the fee cell and converts it to the header unit (万元)', async () => {
    const { doc, record } = await pingtan();
    const withUnit = buildRecord(withCellText(doc, record, 't2.admin_fees.amount_wan_yuan', '59490886.67元'), ctx('x'));
    expect(withUnit.cells['t2.admin_fees.amount_wan_yuan']).toMatchObject({ value: 5949.088667, raw: '59490886.67元' });
  });

  it('never repairs a wrong printed number: it stays as printed and the rule fails', async () => {
    const { doc, record } = await pingtan();
    const wrong = buildRecord(withCellText(doc, record, 't3.granted.total', '23'), ctx('x'));
    expect(wrong.cells['t3.granted.total']).toMatchObject({ value: 23, status: 'reported' });
    expect(wrong.checks.find((c) => c.rule === 'H2' && c.scope === 'granted')).toMatchObject({ passed: false });
    expect(wrong.checks.find((c) => c.rule === 'H3' && c.scope === 'total')).toMatchObject({ passed: false });
  });

  it('flags a wholly blank table 3 instead of reading zeros', async () => {
    const { doc, record } = await pingtan();
    let blanked = doc;
    for (const id of Object.keys(record.cells)) {
      if (id.startsWith('t3.') && record.cells[id].at) blanked = withCellText(blanked, record, id, '');
    }
    const blank = buildRecord(blanked, ctx('x'));
    expect(blank.issues.map((i) => i.code)).toContain('t3_all_blank');
    expect(Object.entries(blank.cells).filter(([id, c]) => id.startsWith('t3.') && c.value !== null)).toEqual([]);
  });
});

describe('soft rules and printed inconsistencies on real PDFs', () => {
  it('huaian-hongze-2024: prose says 17 applications, table 3 says 95 — a failed S-6 warning, numbers kept', async () => {
    const record = await extractCorpusFile('huaian-hongze-2024.pdf');
    expect(record.cells['t3.new_received.total'].value).toBe(95);
    expect(record.checks.find((c) => c.rule === 'S-6' && c.scope === 'applications_received')).toMatchObject({ passed: false, severity: 'warning' });
  });

  it('huaian-hongze-2023: table 4 as printed does not add up — H4 fails, values stay as printed', async () => {
    const record = await extractCorpusFile('huaian-hongze-2023.pdf');
    expect(record.cells['t4.admin_review.upheld'].value).toBe(10);
    expect(record.cells['t4.admin_review.total']).toMatchObject({ value: 0, status: 'reported' });
    expect(record.checks.find((c) => c.rule === 'H4' && c.scope === 'admin_review')).toMatchObject({ passed: false, severity: 'error' });
    expect(record.meta.template_version).toBe('hybrid');
  });
});

describe('pages that are not annual reports', () => {
  const read = async (name: string, bytes = readFileSync(join(PAGES, name))) =>
    buildRecord(await extractDocument({ bytes, fileName: name }), ctx(bytes));

  it('rejects a 年报解读 page with a clear error and no cells', async () => {
    const record = await read('interpretation.html');
    expect(record.cells).toEqual({});
    expect(record.issues).toContainEqual(expect.objectContaining({ code: 'not_annual_report', severity: 'error', message: expect.stringMatching(/解读/) }));
  });

  it('rejects a 法治政府建设年度报告', async () => {
    const record = await read('rule-of-law-report.html');
    expect(record.issues).toContainEqual(expect.objectContaining({ code: 'not_annual_report', severity: 'error', message: expect.stringMatching(/法治政府建设/) }));
  });

  it('rejects a list page of reports: no tables of the template', async () => {
    const record = await read('list-page.html');
    expect(record.cells).toEqual({});
    expect(record.issues).toContainEqual(expect.objectContaining({ code: 'no_report_tables', severity: 'error' }));
  });

  it('rejects the 年度报告格式 notice even though it prints the template tables', async () => {
    const report = readFileSync(join(CORPUS, 'pingtan-2023.html'), 'utf8').replace(/>\s*[\d.]+\s*</g, '><');
    const title = '国务院办公厅政府信息与政务公开办公室关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知';
    const page = `<html><head><meta charset="utf-8"><title>${title}</title><meta name="ArticleTitle" content="${title}"></head><body>${report}</body></html>`;
    const record = await read('notice.html', Buffer.from(page));
    expect(record.issues).toContainEqual(expect.objectContaining({ code: 'not_annual_report', message: expect.stringMatching(/format notice/) }));
  });
});

describe('layout quirks', () => {
  it('keeps a nonstandard table-2 row under t2.ext.* with its label, not in a canonical id', async () => {
    const text = readFileSync(join(import.meta.dirname, '../data/samples/seeds/000_ee99eda0b851ed47.txt'), 'utf8').replace(
      '行政规范性文件\t2\t2\t11',
      '行政规范性文件\t2\t2\t11\n其他主动公开文件（含以本单位名义印发的文件）\t4\t0\t9',
    );
    const record = buildRecord(await extractDocument({ bytes: Buffer.from(text) }), ctx(text));
    expect(record.cells['t2.normative_docs.in_force'].value).toBe(11);
    expect(record.cells['t2.ext.row1.col1']).toMatchObject({ value: 4 });
    expect(record.cells['t2.ext.row1.col3']).toMatchObject({ value: 9 });
    expect(record.issues).toContainEqual(expect.objectContaining({ code: 't2_extra_row', message: expect.stringMatching(/其他主动公开文件/) }));
  });
});

describe('a 2019-template HTML report (S6 shape: colspan grids, blank 总计 on detail rows, （六）其他处理 as a data row)', () => {
  const read = async () => {
    const bytes = readFileSync(join(PAGES, 'v2019-report.html'));
    return buildRecord(await extractDocument({ bytes, fileName: 'v2019-report.html' }), ctx(bytes));
  };

  it('detects both tables as v2019 from their labels and reads all 22 table-2 cells', async () => {
    const record = await read();
    expect([record.meta.t2_layout, record.meta.t3_layout, record.meta.template_version]).toEqual(['v2019', 'v2019', 'v2019']);
    const t2 = Object.fromEntries(Object.entries(record.cells).filter(([id]) => id.startsWith('t2.')).map(([id, c]) => [id, c.value]));
    expect(Object.keys(t2)).toHaveLength(22);
    expect(t2).toMatchObject({
      't2.normative_docs.newly_made': 5, 't2.normative_docs.total_published': 120,
      't2.licensing.items_change': -1, 't2.licensing.decisions': 3400, 't2.other_services.decisions': 70,
      't2.penalty.items_change': 5, 't2.coercion.decisions': null, 't2.admin_fees.items_change': -1,
      't2.central_procurement.projects': 3, 't2.central_procurement.amount_yuan': 251000,
    });
  });

  it('reads （六）其他处理 as the v2019 data row and leaves blank totals blank when blanks sit beside them', async () => {
    const record = await read();
    expect(record.cells['t3.other_total.commercial_enterprise']).toMatchObject({ value: 8, status: 'reported' });
    expect(record.cells['t3.other_no_correction.total']).toBeUndefined();
    expect(record.cells['t3.granted.total']).toMatchObject({ value: null, status: 'blank' });
    expect(record.cells['t3.partially_granted.total']).toMatchObject({ value: 3, status: 'derived' });
    expect(record.checks.find((c) => c.rule === 'H3' && c.scope === 'natural_person')).toMatchObject({ passed: true, detail: expect.stringMatching(/^767 = /) });
    expect(record.checks.filter((c) => !c.passed)).toEqual([]);
    expect(record.cells['t4.admin_review.total'].value).toBe(7);
  });
});

describe('report titles seen on real sites (sites.md §1.3, templates.md §2)', () => {
  const titleDoc = (title: string): ParsedDocument => ({
    format: 'text', title: null, page: { metaTags: {}, catalog: {}, publishDate: null, publishDateSource: null, attachments: [] }, issues: [],
    blocks: [{ kind: 'text', text: title }, { kind: 'text', text: '一、总体情况' }, { kind: 'text', text: '2023年，宁强县民政局认真贯彻落实《条例》。' }],
  });
  it.each([
    ['下陆区民政局2024年政府信息公开工作年度报告', '下陆区民政局', 2024],
    ['县政府办2022年度政府信息公开工作年度报告', '县政府办', 2022],
    ['2022年临武县政府信息公开工作年度报告', '临武县', 2022],
    ['2023年金华市财政局政府信息公开工作年度报告', '金华市财政局', 2023],
    ['西咸新区底张街道办事处2023年度政府\n信息公开工作年度报告', '西咸新区底张街道办事处', 2023],
    ['安徽省人民政府2017年政府信息公开工作报告', '安徽省人民政府', 2017],
    ['建邺区民政局2019年度政府信息公开工作年报', '建邺区民政局', 2019],
    ['固阳县民政局2021年信息公开工作年度报告', '固阳县民政局', 2021],
    ['岭东区民政局 2023 年政府信息公开 工作年度报告', '岭东区民政局', 2023],
    ['市民政局2023年度政府信息公开工作年度报告', '宁强县民政局', 2023],
  ])('%j → %s, %i', (title, agency, year) => {
    const record = buildRecord(titleDoc(title), ctx(title));
    expect([record.meta.agency_name, record.meta.report_year]).toEqual([agency, year]);
  });
});
