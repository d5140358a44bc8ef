// Agency identity and the analysts' views, on a warehouse built from every seed and corpus sample. Expected division
// codes are GB/T 2260 codes looked up by hand (新乡市 410700, 和田地区 653200, 灵武市 640181 under 银川市, 平桥区 411503
// under 信阳市, 岭东区 230503 under 双鸭山市, 平潭县 350128 for 平潭综合实验区, 沭阳县 321322 under 宿迁市, 上海市 310000,
// 淮安市 320800, 洪泽区 320813); view expectations are computed by hand from the printed tables of the two 洪泽区
// reports (data/samples/corpus/huaian-hongze-202{3,4}.pdf.expected.json).
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../pipelines/ingest.ts';
import { SAMPLES_DIR } from '../pipelines/samples.ts';
import { withWarehouse } from '../pipelines/warehouse.ts';
import { extractDocument } from '../extractors/extract.ts';
import { resolveAgency, type AgencyEvidence } from '../transforms/agencyIdentity.ts';
import { buildRecord } from '../transforms/record.ts';
import { makeTempDir, SAMPLE_FILES } from './helpers/warehouse.ts';

const temp = makeTempDir('agencies');
const dbPath = join(temp.dir, 'warehouse.duckdb');
const PDFS = ['huaian-city-2024.pdf', 'huaian-hongze-2023.pdf', 'huaian-hongze-2024.pdf'].map((f) => join(SAMPLES_DIR, 'corpus', f));

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return withWarehouse(dbPath, { readOnly: true }, async (w) => (await w.read(sql)).getRowObjectsJson() as Record<string, unknown>[]);
}

beforeAll(async () => {
  await ingest([...SAMPLE_FILES, ...PDFS], { dbPath, sourceRoot: SAMPLES_DIR });
});
afterAll(() => temp.cleanup());

const evidence = (name: string, extra: Partial<AgencyEvidence> = {}): AgencyEvidence => ({
  name,
  title: null,
  contactAddress: null,
  registry: [],
  reportYear: 2023,
  ...extra,
});

describe('agency resolution (pure)', () => {
  it('reads place chain and body, expanding abbreviations', () => {
    expect(resolveAgency(evidence('上海市科委'))).toMatchObject({
      agency_id: '310000:科学技术委员会', canonical_name: '上海市科学技术委员会', level: 'provincial', kind: 'department', department_type: '科技',
      province: '上海市', prefecture: null, resolution: 'resolved',
    });
    expect(resolveAgency(evidence('淮安市人民政府办公室'))).toMatchObject({ agency_id: '320800:人民政府办公室', kind: 'general_office', level: 'prefectural' });
    expect(resolveAgency(evidence('洪泽区岔河镇人民政府'))).toMatchObject({
      agency_id: '320813:岔河镇人民政府', level: 'township', kind: 'township_government', township: '岔河镇', county: '洪泽区',
    });
  });

  it('reads short names of autonomous divisions, district branches of city bureaus, zones and ministries', () => {
    expect(resolveAgency(evidence('甘南州卫生健康委员会'))).toMatchObject({ division_code: '623000', department_type: '卫健', level: 'prefectural' });
    expect(resolveAgency(evidence('张家川县财政局'))).toMatchObject({ division_code: '620525', county: '张家川回族自治县' });
    expect(resolveAgency(evidence('莆田市公安局城厢分局'))).toMatchObject({ division_code: '350302', county: '城厢区', evidence: 'name+branch' });
    expect(resolveAgency(evidence('石家庄高新技术产业开发区管理委员会'))).toMatchObject({ agency_id: '130171:管理委员会', kind: 'people_government' });
    expect(resolveAgency(evidence('商务部'))).toMatchObject({ agency_id: 'national:商务部', level: 'national', resolution: 'resolved' });
  });

  it('gives name variants of one body one id', () => {
    const ids = (names: string[]) => new Set(names.map((n) => resolveAgency(evidence(n)).agency_id));
    expect(ids(['淮安市洪泽区人民政府', '洪泽区人民政府', '江苏省淮安市洪泽区人民政府'])).toEqual(new Set(['320813:人民政府']));
    expect(ids(['平潭综合实验区', '平潭综合实验区管委会', '平潭综合实验区党工委管委会', '平潭综合实验区管理委员会'])).toEqual(new Set(['350128:管理委员会']));
    expect(ids(['上海市科委', '上海市科学技术委员会'])).toEqual(new Set(['310000:科学技术委员会']));
  });

  it('resolves a repeated district name by other evidence, or flags it without guessing', () => {
    const bare = resolveAgency(evidence('鼓楼区人民政府'));
    expect(bare).toMatchObject({ resolution: 'ambiguous', division_code: null, agency_id: 'unresolved:鼓楼区人民政府' });
    expect(bare.candidate_codes).toEqual(['320106', '320302', '350102', '410204']);
    expect(resolveAgency(evidence('鼓楼区人民政府', { contactAddress: '福州市鼓楼区八一七北路' }))).toMatchObject({
      agency_id: '350102:人民政府', canonical_name: '福州市鼓楼区人民政府', evidence: 'name+contact_address', prefecture: '福州市',
    });
    expect(resolveAgency(evidence('鼓楼区人民政府', { title: '江苏省徐州市鼓楼区人民政府2023年政府信息公开工作年度报告' }))).toMatchObject({ division_code: '320302' });
    expect(resolveAgency(evidence('鼓楼区人民政府', { registry: [{ agency: '南京市人民政府', regionCode: '320100' }] }))).toMatchObject({
      division_code: '320106', evidence: 'name+registry',
    });
  });

  it('never takes a pronoun or generic word for a name', () => {
    for (const word of ['我区', '本机关', '我局', '本单位', '我委']) {
      expect(resolveAgency(evidence(word))).toMatchObject({ resolution: 'unresolved', division_code: null });
    }
  });

  it('takes a county renamed into a district by the year the report covers', () => {
    expect(resolveAgency(evidence('洪泽县人民政府', { reportYear: 2015 }))).toMatchObject({ division_code: '320813' });
    expect(resolveAgency(evidence('洪泽县人民政府', { reportYear: 2023 })).resolution).toBe('unresolved');
  });
});

describe('agencies on the seeds and the corpus', () => {
  it('resolves every report to the right division, name variants to one id', async () => {
    const rows = await query(`SELECT agency_id, canonical_name, name_variants, division_code, province, prefecture, county, level, kind, department_type, resolution, report_count
                                FROM agencies ORDER BY agency_id`);
    expect(rows).toEqual([
      { agency_id: '230503:民政局', canonical_name: '岭东区民政局', name_variants: ['岭东区民政局'], division_code: '230503', province: '黑龙江省', prefecture: '双鸭山市', county: '岭东区', level: 'county', kind: 'department', department_type: '民政', resolution: 'resolved', report_count: '1' },
      { agency_id: '310000:科学技术委员会', canonical_name: '上海市科学技术委员会', name_variants: ['上海市科委'], division_code: '310000', province: '上海市', prefecture: null, county: null, level: 'provincial', kind: 'department', department_type: '科技', resolution: 'resolved', report_count: '1' },
      { agency_id: '320800:人民政府', canonical_name: '淮安市人民政府', name_variants: ['淮安市人民政府'], division_code: '320800', province: '江苏省', prefecture: '淮安市', county: null, level: 'prefectural', kind: 'people_government', department_type: null, resolution: 'resolved', report_count: '1' },
      { agency_id: '320813:人民政府', canonical_name: '洪泽区人民政府', name_variants: ['洪泽区人民政府', '淮安市洪泽区人民政府'], division_code: '320813', province: '江苏省', prefecture: '淮安市', county: '洪泽区', level: 'county', kind: 'people_government', department_type: null, resolution: 'resolved', report_count: '2' },
      { agency_id: '321322:发展和改革局', canonical_name: '沭阳县发展和改革局', name_variants: ['沭阳县发展和改革局'], division_code: '321322', province: '江苏省', prefecture: '宿迁市', county: '沭阳县', level: 'county', kind: 'department', department_type: '发改', resolution: 'resolved', report_count: '1' },
      { agency_id: '350128:管理委员会', canonical_name: '平潭综合实验区管理委员会', name_variants: ['平潭综合实验区'], division_code: '350128', province: '福建省', prefecture: '福州市', county: '平潭综合实验区', level: 'county', kind: 'people_government', department_type: null, resolution: 'resolved', report_count: '1' },
      { agency_id: '410700:民政局', canonical_name: '新乡市民政局', name_variants: ['新乡市民政局'], division_code: '410700', province: '河南省', prefecture: '新乡市', county: null, level: 'prefectural', kind: 'department', department_type: '民政', resolution: 'resolved', report_count: '1' },
      { agency_id: '411503:民政局', canonical_name: '平桥区民政局', name_variants: ['平桥区民政局'], division_code: '411503', province: '河南省', prefecture: '信阳市', county: '平桥区', level: 'county', kind: 'department', department_type: '民政', resolution: 'resolved', report_count: '1' },
      { agency_id: '640181:民政局', canonical_name: '灵武市民政局', name_variants: ['灵武市民政局'], division_code: '640181', province: '宁夏回族自治区', prefecture: '银川市', county: '灵武市', level: 'county', kind: 'department', department_type: '民政', resolution: 'resolved', report_count: '1' },
      { agency_id: '653200:民政局', canonical_name: '和田地区民政局', name_variants: ['和田地区民政局'], division_code: '653200', province: '新疆维吾尔自治区', prefecture: '和田地区', county: null, level: 'prefectural', kind: 'department', department_type: '民政', resolution: 'resolved', report_count: '1' },
    ]);
  });
});

describe('views, by hand for 洪泽区人民政府 (320813:人民政府)', () => {
  it('report_panel: one row per agency-year with the headline figures and the change on the year before', async () => {
    const rows = await query(`SELECT report_year, canonical_name, division_code, level, template_version, normative_docs_issued, normative_docs_in_force,
                                     applications_received, applications_granted, applications_partially_granted, applications_denied,
                                     applications_processed, admin_reviews, admin_reviews_corrected, lawsuits,
                                     applications_received_prev_year, applications_received_change, applications_received_change_pct, reports_in_year
                                FROM report_panel WHERE agency_id = '320813:人民政府' ORDER BY report_year`);
    expect(rows).toEqual([
      // 2023: denied = 国家秘密 1 + 过程性 1 + 执法案卷 1; table 4 prints 纠正 1 under a 总计 of 0 (kept as printed).
      { report_year: 2023, canonical_name: '洪泽区人民政府', division_code: '320813', level: 'county', template_version: 'hybrid', normative_docs_issued: '0', normative_docs_in_force: '5',
        applications_received: '21', applications_granted: '0', applications_partially_granted: '4', applications_denied: '3', applications_processed: '21',
        admin_reviews: '0', admin_reviews_corrected: '1', lawsuits: '0', applications_received_prev_year: null, applications_received_change: null, applications_received_change_pct: null, reports_in_year: '1' },
      // 2024: denied = 三安全一稳定 1 + 过程性 1 + 执法案卷 1; lawsuits = 直接起诉 1 + 复议后起诉 3; change 95 − 21 = 74 = 352.4 %.
      { report_year: 2024, canonical_name: '洪泽区人民政府', division_code: '320813', level: 'county', template_version: 'hybrid', normative_docs_issued: '3', normative_docs_in_force: '8',
        applications_received: '95', applications_granted: '50', applications_partially_granted: '9', applications_denied: '3', applications_processed: '95',
        admin_reviews: '2', admin_reviews_corrected: '1', lawsuits: '4', applications_received_prev_year: '21', applications_received_change: '74', applications_received_change_pct: 352.4, reports_in_year: '1' },
    ]);
  });

  it('t3_outcome_shares and t4_reviews_lawsuits', async () => {
    const shares = await query(`SELECT outcome_category, applications, results_total, share FROM t3_outcome_shares
                                  WHERE agency_id = '320813:人民政府' AND report_year = 2024 ORDER BY outcome_category`);
    const byCategory = Object.fromEntries(shares.map((r) => [r.outcome_category, [r.applications, r.results_total, r.share]]));
    expect(byCategory.granted).toEqual(['50', '95', 0.5263]);
    expect(byCategory.partially_granted).toEqual(['9', '95', 0.0947]);
    expect(byCategory.denied).toEqual(['3', '95', 0.0316]);
    const t4 = await query(`SELECT proceeding, cases FROM t4_reviews_lawsuits WHERE agency_id = '320813:人民政府' AND report_year = 2024 AND outcome = 'total' ORDER BY proceeding`);
    expect(t4).toEqual([
      { proceeding: 'admin_review', cases: '2' },
      { proceeding: 'litigation_after_review', cases: '3' },
      { proceeding: 'litigation_direct', cases: '1' },
    ]);
  });

  it('cross_year_checks pairs the two names through agency_id', async () => {
    const s2 = await query(`SELECT agency_name, prev_agency_name, item, expected, actual, passed FROM cross_year_checks
                              WHERE agency_id = '320813:人民政府' AND rule = 'S-2' ORDER BY item`);
    // normative_docs: 5 in force (2023) + 3 issued − 0 repealed = 8 in force (2024).
    expect(s2).toEqual([
      { agency_name: '淮安市洪泽区人民政府', prev_agency_name: '洪泽区人民政府', item: 'normative_docs', expected: 8, actual: 8, passed: true },
      { agency_name: '淮安市洪泽区人民政府', prev_agency_name: '洪泽区人民政府', item: 'regulations', expected: 0, actual: 0, passed: true },
    ]);
    const s1 = await query(`SELECT count(*) AS n, bool_and(passed) AS all_passed FROM cross_year_checks WHERE agency_id = '320813:人民政府' AND rule = 'S-1'`);
    expect(s1).toEqual([{ n: '8', all_passed: true }]);
  });

  it('coverage and duplicate_reports', async () => {
    const coverage = await query(`SELECT agency_id, report_year, report_found FROM coverage WHERE agency_id IN ('320813:人民政府', '320800:人民政府') ORDER BY 1, 2`);
    expect(coverage).toEqual([
      { agency_id: '320800:人民政府', report_year: 2023, report_found: false },
      { agency_id: '320800:人民政府', report_year: 2024, report_found: true },
      { agency_id: '320813:人民政府', report_year: 2023, report_found: true },
      { agency_id: '320813:人民政府', report_year: 2024, report_found: true },
    ]);
    expect(await query('SELECT * FROM duplicate_reports')).toEqual([]);
    // The same 2024 report downloaded again under another name: one report, two locations.
    const copy = join(temp.dir, 'hongze-2024-download.pdf');
    copyFileSync(PDFS[2], copy);
    await ingest([copy], { dbPath, sourceRoot: SAMPLES_DIR });
    const duplicates = await query('SELECT agency_id, report_year, report_count, location_count FROM duplicate_reports');
    expect(duplicates).toEqual([{ agency_id: '320813:人民政府', report_year: 2024, report_count: '1', location_count: '2' }]);
  });
});

describe('agency name of a report whose body calls it 我区 (issue 10 item 6)', () => {
  // The pingtan-2023 body with every 平潭综合实验区 replaced by 我区: the body then names no agency at all.
  const body = readFileSync(join(SAMPLES_DIR, 'corpus', 'pingtan-2023.html'), 'utf8').replaceAll('平潭综合实验区', '我区');
  const read = async (html: string) => {
    const doc = await extractDocument({ bytes: Buffer.from(html), fileName: 'report.html' });
    return buildRecord(doc, { source: 'report.html', sha256: '0'.repeat(64) });
  };

  it('takes the page title outside the body', async () => {
    const record = await read(`<html><head><title>平潭综合实验区2023年政府信息公开工作年度报告</title></head><body>${body}</body></html>`);
    expect([record.meta.agency_name, record.meta.agency_name_source]).toEqual(['平潭综合实验区', 'title']);
  });

  it('takes a <meta> tag or the catalog block when the page title is only the site name', async () => {
    const meta = await read(`<html><head><title>门户网站</title><meta name="ContentSource" content="平潭综合实验区管委会"></head><body>${body}</body></html>`);
    expect([meta.meta.agency_name, meta.meta.agency_name_source]).toEqual(['平潭综合实验区管委会', 'page']);
    const catalog = await read(
      `<html><head><title>门户网站</title></head><body><table><tr><td>索引号：</td><td>FZ-123</td><td>发布机构：</td><td>平潭综合实验区党工委管委会</td></tr><tr><td>发布日期：</td><td>2024-01-31</td></tr></table>${body}</body></html>`,
    );
    expect([catalog.meta.agency_name, catalog.meta.agency_name_source]).toEqual(['平潭综合实验区党工委管委会', 'page']);
  });

  it('says agency_not_found rather than taking 我区', async () => {
    const record = await read(`<html><head><title>门户网站</title></head><body>${body}</body></html>`);
    expect(record.meta.agency_name).toBeNull();
    expect(record.issues.map((i) => i.code)).toContain('agency_not_found');
  });
});

describe('agency names of 365 real agencies (test/fixtures/registry-agencies.csv, the starting registry with its province, city and county labels)', () => {
  it('resolves them to the labelled division or leaves them unresolved, never to another place', () => {
    const rows = readFileSync(join(import.meta.dirname, 'fixtures', 'registry-agencies.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    const outcome = { agree: 0, unresolved: 0, ambiguous: 0, contradicts: [] as string[] };
    for (const [agency, year, province, city, county] of rows) {
      const r = resolveAgency(evidence(agency, { reportYear: Number(year) || null }));
      if (r.resolution !== 'resolved') {
        outcome[r.resolution] += 1;
        continue;
      }
      // Labels are short (湖北, 黄石市, 下陆区; 高新区 for a development zone): compare by prefix, zones by their kind.
      const place = [r.province, r.prefecture, r.county, r.township].filter(Boolean).join('/');
      const agrees =
        (r.level === 'national' || (r.province ?? '').startsWith(province)) &&
        (!city || place.includes(city.replace(/市$/, ''))) &&
        (!county || place.includes(county.replace(/(区|县|市|旗)$/, '')) || (/高新区|开发区/.test(county) && /开发区|高新/.test(place)));
      if (agrees) outcome.agree += 1;
      else outcome.contradicts.push(`${agency} [${province}/${city}/${county}] → ${place}`);
    }
    console.log(`registry agencies: ${outcome.agree} of ${rows.length} resolved to the labelled division, ${outcome.unresolved} unresolved, ${outcome.ambiguous} ambiguous, ${outcome.contradicts.length} elsewhere`);
    // 武汉市东湖生态旅游风景区 is a scenic area the dataset does not list: it resolves to 武汉市, one level up.
    expect(outcome.contradicts).toEqual(['武汉市东湖生态旅游风景区管理委员会办公室 [湖北/武汉市/东湖风景区] → 湖北省/武汉市']);
    expect(outcome.agree).toBeGreaterThanOrEqual(349);
  });
});
