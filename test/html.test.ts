import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeBytes } from '../extractors/decode.ts';
import type { Block, Grid, GridCell, ParsedDocument } from '../extractors/document.ts';
import { extractDocument } from '../extractors/extract.ts';
import { extractHtml } from '../extractors/html.ts';
import { normalizeLine } from '../extractors/htmlBody.ts';
import { buildRecord } from '../transforms/record.ts';
import { CORPUS, cellMatches, readExpected } from './support/corpus.ts';

// ---------------------------------------------------------------------------------------------
// Inputs: the two HTML reports of the corpus (bundled in data/samples), and page chrome (test/fixtures/html) to wrap them in.

const corpus = (name: string) => readFileSync(join(CORPUS, name), 'utf8');
const fixture = (name: string) => readFileSync(new URL(`./fixtures/html/${name}`, import.meta.url), 'utf8');
const wrap = (page: string, body: string) => page.replace('<!--REPORT_BODY-->', body);

const PINGTAN = corpus('pingtan-2023.html');
const SHUYANG = corpus('shuyang-fgj-2023.html');
/** The TRS_Editor div's content and the <ucapcontent> content: report bodies without their CMS container. */
const PINGTAN_INNER = PINGTAN.slice(PINGTAN.indexOf('>') + 1, PINGTAN.lastIndexOf('</div>'));
const SHUYANG_INNER = SHUYANG.slice(SHUYANG.indexOf('<ucapcontent>') + '<ucapcontent>'.length, SHUYANG.indexOf('</ucapcontent>'));

const utf8 = (html: string) => new Uint8Array(Buffer.from(html, 'utf8'));
const gbk = (html: string) => new Uint8Array(iconv.encode(html, 'gbk'));

/** Corpus bodies inside page chrome, served the way such sites serve them. */
const PAGES = {
  /** TRS (Fujian): GBK with <meta charset=gb2312>, the TRS_Editor div inside #zoom, catalog table, JS-string attachment. */
  trs: {
    corpus: 'pingtan-2023.html',
    html: wrap(fixture('trs-page.html'), PINGTAN),
    bytes: gbk,
    contentType: 'text/html',
    url: 'http://www.pingtan.gov.cn/zwgk/xxgknb/202401/t20240131_6368000.htm',
  },
  /** Hanweb (Jiangsu): UTF-8 served with a lying GBK header, body between ContentStart/ZJEG markers. */
  hanweb: {
    corpus: 'shuyang-fgj-2023.html',
    html: wrap(fixture('hanweb-page.html'), SHUYANG_INNER),
    bytes: utf8,
    contentType: 'text/html; charset=GBK',
    url: 'http://www.shuyang.gov.cn/col/col8899/art/2024/art_3286651.html',
  },
  /** gov.cn Template A: nested layout tables, the body in td#UCAP-CONTENT. */
  govcn: {
    corpus: 'pingtan-2023.html',
    html: wrap(fixture('govcn-layout-page.html'), PINGTAN_INNER),
    bytes: utf8,
    contentType: 'text/html; charset=utf-8',
    url: 'https://www.gov.cn/zhengce/content/2024-01/30/content_6929000.htm',
  },
  /** The same layout page with no known container anywhere. */
  layoutOnly: {
    corpus: 'pingtan-2023.html',
    html: wrap(fixture('govcn-layout-page.html'), PINGTAN_INNER).replace(' id="UCAP-CONTENT"', ''),
    bytes: utf8,
    contentType: 'text/html',
    url: 'https://www.gov.cn/zhengce/content/2024-01/30/content_6929001.htm',
  },
  /** An unknown CMS: sidebar with dated news, <h1> and a bare byline, <file href> attachment. */
  plainCms: {
    corpus: 'shuyang-fgj-2023.html',
    html: wrap(fixture('plain-cms-page.html'), SHUYANG_INNER),
    bytes: utf8,
    contentType: 'text/html',
    url: 'http://fgj.shuyang.gov.cn/xxgk/nb/2023.html',
  },
};
const pageDoc = (page: (typeof PAGES)[keyof typeof PAGES]) => extractHtml(page.html, { url: page.url });

// ---------------------------------------------------------------------------------------------
// Helpers over the document

const grids = (doc: ParsedDocument): Grid[] => doc.blocks.flatMap((b) => (b.kind === 'table' ? [b.grid] : []));
const texts = (doc: ParsedDocument): string[] => doc.blocks.flatMap((b) => (b.kind === 'text' ? [b.text] : []));
/** The cells of a row as printed: the positions of one colspan count once. */
const printed = (row: GridCell[]) => row.filter((c, i) => i === 0 || c.originRow !== row[i - 1].originRow || c.originCol !== row[i - 1].originCol);
const rowsWith = (grid: Grid, label: string) => grid.rows.filter((row) => row.some((c) => c.text.replace(/\n/g, '').includes(label)));
/** Blocks without provenance, to compare one body read from different pages. */
const withoutSource = (blocks: Block[]) => blocks.map((b) => (b.kind === 'table' ? { ...b, grid: { ...b.grid, source: undefined } } : b));

const T3_COLUMNS = ['natural_person', 'commercial_enterprise', 'research_institution', 'social_welfare_org', 'legal_service_org', 'other_org', 'total'];
/** A label fragment printed in exactly one row of table 3 (templates.md §7.2). */
const T3_ROWS: Record<string, string> = {
  new_received: '本年新收',
  carried_over: '上年结转',
  granted: '予以公开',
  partially_granted: '部分公开',
  denied_state_secret: '属于国家秘密',
  denied_law_prohibited: '其他法律行政法规禁止公开',
  denied_security_stability: '三安全一稳定',
  denied_third_party_rights: '保护第三方合法权益',
  denied_internal_affairs: '三类内部事务信息',
  denied_process_info: '四类过程性信息',
  denied_enforcement_file: '行政执法案卷',
  denied_admin_inquiry: '行政查询事项',
  unavailable_not_held: '本机关不掌握',
  unavailable_needs_creation: '没有现成信息',
  unavailable_unclear: '补正后申请内容仍不明确',
  not_processed_petition: '信访举报投诉',
  not_processed_duplicate: '重复申请',
  not_processed_publication: '公开出版物',
  not_processed_excessive: '大量反复申请',
  not_processed_confirmation: '确认或重新出具',
  other_no_correction: '逾期不补正',
  other_unpaid_fee: '逾期未按收费通知',
  other_misc: '3.其他',
  results_total: '（七）总计',
  carried_forward: '结转下年度继续办理',
};
const T4_CELLS = ['admin_review', 'litigation_direct', 'litigation_after_review'].flatMap((g) =>
  ['upheld', 'corrected', 'other', 'pending', 'total'].map((o) => `t4.${g}.${o}`),
);
/** A printed number as a cell shows it; a blank cell (null in the expected JSON) is ''. */
const shown = (v: number | null) => (v === null ? '' : String(v));

const SECTION_HEADINGS = [/^一、总体情况$/, /^二、主动公开政府信息情况$/, /^三、收到和处理政府信息公开申请情况$/, /^四、政府信息公开行政复议、行政诉讼情况$/, /^五、存在的主要问题及(改进情况|整改措施)$/, /^六、其他需要报告的事项$/];

/** The six headings appear once each, in order, with table 2, 3 and 4 right after headings 二, 三 and 四. */
function expectReportStructure(doc: ParsedDocument): void {
  const headingAt = SECTION_HEADINGS.map((re) => doc.blocks.findIndex((b) => b.kind === 'text' && re.test(b.text)));
  expect(headingAt.every((i) => i >= 0)).toBe(true);
  expect([...headingAt].sort((a, b) => a - b)).toEqual(headingAt);
  for (const h of [1, 2, 3]) {
    const between = doc.blocks.slice(headingAt[h] + 1, headingAt[h + 1]);
    expect(between.filter((b) => b.kind === 'table')).toHaveLength(1);
  }
  expect(grids(doc)).toHaveLength(3);
}

/** Every table-3 row carries the 7 values of the expected JSON at its end; table 4 has its 15-number row. */
function expectTablesMatch(doc: ParsedDocument, name: string): void {
  const cells = readExpected(name).cells;
  const [, t3, t4] = grids(doc);
  for (const [rowId, label] of Object.entries(T3_ROWS)) {
    const rows = rowsWith(t3, label);
    expect(rows, `${name}: one row labelled ${label}`).toHaveLength(1);
    const values = printed(rows[0]).slice(-7).map((c) => c.text);
    expect(values, `${name}: t3.${rowId}`).toEqual(T3_COLUMNS.map((col) => shown(cells[`t3.${rowId}.${col}`])));
  }
  const numberRows = t4.rows.filter((row) => row.length === 15 && row.every((c) => /^\d+$/.test(c.text)));
  expect(numberRows).toHaveLength(1);
  expect(numberRows[0].map((c) => c.text)).toEqual(T4_CELLS.map((id) => shown(cells[id])));
}

/** The rowspan-22 label 三、本年度办理结果 covers rows 予以公开 … 总计, all pointing at its first row. */
function expectResultsGroup(doc: ParsedDocument): void {
  const t3 = grids(doc)[1];
  const first = t3.rows.findIndex((row) => row.some((c) => c.text.includes('予以公开')));
  const last = t3.rows.findIndex((row) => row.some((c) => c.text.includes('（七）总计')));
  expect(last - first + 1).toBe(22);
  const covered = t3.rows.map((row, r) => [row[0], r] as const).filter(([c]) => c.text === '三、本年度办理结果');
  expect(covered.map(([, r]) => r)).toEqual(Array.from({ length: 22 }, (_, i) => first + i));
  for (const [cell] of covered) expect(cell).toEqual({ text: '三、本年度办理结果', originRow: first, originCol: 0 });
  // The nested rowspan 8 of （三）不予公开 in column 1.
  const denied = t3.rows.map((row, r) => [row[1], r] as const).filter(([c]) => c.text === '（三）不予公开');
  expect(denied).toHaveLength(8);
  const deniedFirst = denied[0][1];
  for (const [cell] of denied) expect([cell.originRow, cell.originCol]).toEqual([deniedFirst, 1]);
  expect(t3.rows[deniedFirst][2].text).toBe('1.属于国家秘密');
}

const CHROME_WORDS = ['网站地图', '版权所有', '主办单位', '当前位置', '位置：', '打印', '关闭', '分享到', '索引号', '相关信息', '最新动态', '上一篇', '无障碍', '星期'];
function expectNoChrome(doc: ParsedDocument): void {
  for (const t of texts(doc)) for (const w of CHROME_WORDS) expect(t, `block "${t.slice(0, 30)}" holds "${w}"`).not.toContain(w);
}

// ---------------------------------------------------------------------------------------------

describe('extractHtml: pingtan-2023.html (a bare TRS_Editor fragment)', () => {
  const doc = extractHtml(PINGTAN);

  it('reads the six sections with tables 2, 3 and 4 between them', () => {
    expect(doc.format).toBe('html');
    expectReportStructure(doc);
    expect(doc.issues).toEqual([]);
  });

  it('puts every table-3 and table-4 number in its grid row', () => {
    expectTablesMatch(doc, 'pingtan-2023.html');
    const fees = rowsWith(grids(doc)[0], '行政事业性收费')[0];
    expect(printed(fees).map((c) => c.text)).toEqual(['行政事业性收费', '5949.088667']);
  });

  it('expands rowspan 22 and the nested rowspans', () => expectResultsGroup(doc));

  it('keeps header cells split over two <p> and <br/> as one cell with a line break', () => {
    const [t2, t3, t4] = grids(doc);
    expect(t3.rows[2].map((c) => c.text)).toContain('商业\n企业');
    expect(t3.rows[2].map((c) => c.text)).toContain('科研\n机构');
    expect(t4.rows[2].slice(5, 10).map((c) => c.text)).toEqual(['结果\n维持', '结果\n纠正', '其他\n结果', '尚未\n审结', '总计']);
    // rowspan 2 headers of 行政复议 repeat in the second header row
    expect(t4.rows[2][1]).toEqual({ text: '结果\n纠正', originRow: 1, originCol: 1 });
    expect(t2.structured && t3.structured && t4.structured).toBe(true);
    expect(grids(doc).map((g) => [g.index, g.source])).toEqual([[0, 'table#0'], [1, 'table#1'], [2, 'table#2']]);
  });

  it('expands colspans: the 3-column label and the 第二十条 heading rows', () => {
    const [t2, t3] = grids(doc);
    expect(t2.rows[0]).toEqual([0, 1, 2, 3].map(() => ({ text: '第二十条第（一）项', originRow: 0, originCol: 0 })));
    const newRow = rowsWith(t3, '本年新收')[0];
    expect(newRow.slice(0, 3).every((c) => c.originCol === 0 && c.text === '一、本年新收政府信息公开申请数量')).toBe(true);
    expect(t3.rows.every((row) => row.length === 10)).toBe(true);
  });

  it('normalises &nbsp; and whitespace without touching the Chinese text', () => {
    expect(texts(doc)).toContain('一、总体情况'); // <strong>&nbsp;一、总体情况</strong>&nbsp;
    expect(texts(doc)[0]).toMatch(/^本报告根据《中华人民共和国政府信息公开条例》（国务院令第711号，以下简称《条例》）/);
    expect(texts(doc).some((t) => /\s{2,}|\u00a0/.test(t))).toBe(false);
  });

  it('has no title, catalog or date: none is printed and none is invented', () => {
    expect(doc.title).toBeNull();
    expect(doc.page).toEqual({ metaTags: {}, catalog: {}, publishDate: null, publishDateSource: null, attachments: [] });
  });
});

describe('extractHtml: shuyang-fgj-2023.html (a saved whole page)', () => {
  const doc = extractHtml(SHUYANG, { url: 'http://www.shuyang.gov.cn/sygfj/gknb/202401/2ecfb31a335f4d689220a3a23e24a986.shtml' });

  it('finds the body inside <ucapcontent> and reads the six sections in order', () => {
    expectReportStructure(doc);
    expect(texts(doc)).toContain('五、存在的主要问题及整改措施');
    expect(texts(doc).slice(-2)).toEqual(['沭阳县发展和改革局', '2024年1月17日']);
  });

  it('puts every table-3 and table-4 number in its grid row, blank 法人 cells as empty cells', () => {
    expectTablesMatch(doc, 'shuyang-fgj-2023.html');
    const newRow = printed(rowsWith(grids(doc)[1], '本年新收')[0]);
    expect(newRow.map((c) => c.text)).toEqual(['一、本年新收政府信息公开申请数量', '26', '', '', '', '', '', '26']);
  });

  it('joins labels split into single-character spans without spaces', () => {
    expectResultsGroup(doc);
    const [t2, t3, t4] = grids(doc);
    expect(rowsWith(t2, '规范性文件')[0][0].text).toBe('规范性文件');
    expect(t3.rows[1][3].text).toBe('自然人'); // an empty <p><o:p> </o:p></p> above it is dropped
    expect(t3.rows[1][9].text).toBe('总计');
    expect(t3.rows[2].slice(4, 9).map((c) => c.text)).toEqual(['商业\n企业', '科研\n机构', '社会公益组织', '法律服务机构', '其他']);
    expect(t4.rows[0][0].text).toBe('行政复议');
    expect(t4.rows[2].slice(5, 10).map((c) => c.text)).toEqual(['结果维持', '结果纠正', '其他结果', '尚未审结', '总计']);
  });

  it('leaves the site header, the capture banner, the catalog and the footer scripts out of the body', () => {
    expectNoChrome(doc);
    for (const w of ['繁體版', '智能问答', '走进沭阳', '数据开放', '采集时间', '沭阳县发改局', '014314799', 'xggj']) {
      expect(texts(doc).some((t) => t.includes(w)), w).toBe(false);
    }
    expect(texts(doc)).not.toContain('政府信息公开');
    expect(doc.issues).toEqual([]);
  });

  it('reads the metadata table into page.catalog and the date from 公开日期', () => {
    expect(doc.page.catalog).toMatchObject({
      名称: '沭阳县发展和改革局2023年政府信息公开年度报告',
      索引号: '014314799/2024-00002',
      发布机构: '沭阳县发展和改革局',
      公开日期: '2024-01-17',
      文号: '',
      关键词: '',
    });
    expect(doc.page.publishDate).toBe('2024-01-17');
    expect(doc.page.publishDateSource).toBe('catalog:公开日期');
    expect(doc.title).toBe('沭阳县发展和改革局2023年政府信息公开年度报告');
    expect(doc.page.metaTags).toMatchObject({ sitename: '沭阳县人民政府', siteidcode: '3213220037' });
    expect(doc.page.attachments).toEqual([]);
  });
});

describe('extractHtml: corpus bodies inside realistic page chrome', () => {
  const bare = { pingtan: extractHtml(PINGTAN), shuyang: extractHtml(SHUYANG) };

  it('TRS page in GBK: decoded from its <meta>, same body, catalog, attachments incl. a JS-string link', () => {
    const { html, bytes, contentType, url } = PAGES.trs;
    const decoded = decodeBytes(bytes(html), { contentType });
    expect(decoded).toMatchObject({ encoding: 'gb18030', source: 'meta', text: html, issues: [] });
    const doc = extractHtml(decoded.text, { url });

    expect(withoutSource(doc.blocks)).toEqual(withoutSource(bare.pingtan.blocks));
    expectNoChrome(doc);
    expect(doc.title).toBe('平潭综合实验区2023年政府信息公开工作年度报告');
    expect(doc.page.metaTags).toMatchObject({ articletitle: '平潭综合实验区2023年政府信息公开工作年度报告', pubdate: '2024-01-31 16:42', contentsource: '综合实验区管委会办公室' });
    expect(doc.page.catalog).toEqual({
      索引号: 'FJ00131-0200-2024-00003',
      所属机构: '综合实验区管委会办公室',
      所属主题: '综合政务',
      发文日期: '2024-01-30',
      标题: '平潭综合实验区2023年政府信息公开工作年度报告',
      文号: '',
      发布日期: '2024-01-31',
    });
    expect([doc.page.publishDate, doc.page.publishDateSource]).toEqual(['2024-01-31', 'catalog:发布日期']);
    // The related-links list (…申请表.doc) is not the article's attachment.
    expect(doc.page.attachments).toEqual([
      { url: 'http://www.pingtan.gov.cn/zwgk/xxgknb/202401/P020240131592318841232.pdf', text: '平潭综合实验区2023年政府信息公开工作年度报告.pdf' },
      { url: 'http://www.pingtan.gov.cn/zwgk/xxgknb/202401/P020240131592318845577.xlsx', text: '2023年政府信息公开工作统计表' },
    ]);
  });

  it('Hanweb page served with a lying GBK header: UTF-8 wins, ContentStart/ZJEG markers give the body', () => {
    const { html, bytes, contentType, url } = PAGES.hanweb;
    const decoded = decodeBytes(bytes(html), { contentType });
    expect(decoded).toMatchObject({ encoding: 'utf-8', source: 'meta', text: html });
    expect(decoded.issues.map((i) => i.code)).toEqual(['charset_mismatch']);
    const doc = extractHtml(decoded.text, { url });

    expect(withoutSource(doc.blocks)).toEqual(withoutSource(bare.shuyang.blocks));
    expectNoChrome(doc);
    expect(doc.page.catalog).toEqual({ 索引号: '014314799/2024-00002', 组配分类: '政府信息公开年报', 发布机构: '沭阳县发展和改革局', 生成日期: '2024-01-17', 文件编号: '', 统一编号: '', 有效性: '有效' });
    expect([doc.page.publishDate, doc.page.publishDateSource]).toEqual(['2024-01-18', 'meta:pubdate']);
    expect(doc.page.attachments).toEqual([
      { url: 'http://www.shuyang.gov.cn/module/download/downfile.jsp?classid=0&filename=c3c762128f0e47dd8d5954e4808028ff.pdf', text: '沭阳县发展和改革局2023年政府信息公开年度报告' },
    ]);
  });

  it('gov.cn layout tables: the report inside td#UCAP-CONTENT of a nested layout table is not swallowed', () => {
    const doc = pageDoc(PAGES.govcn);
    expect(withoutSource(doc.blocks)).toEqual(withoutSource(bare.pingtan.blocks));
    expectNoChrome(doc);
    expect(doc.page.catalog).toMatchObject({ 索引号: '000014349/2024-00011', 发文机关: '平潭综合实验区管理委员会', 成文日期: '2024年01月26日', 标题: '平潭综合实验区2023年政府信息公开工作年度报告', 发文字号: '' });
    expect([doc.page.publishDate, doc.page.publishDateSource]).toEqual(['2024-01-30', 'catalog:发布日期']);
    expect(doc.title).toBe('平潭综合实验区2023年政府信息公开工作年度报告');
  });

  it('the same layout page without any known container: the body is found by its report content', () => {
    const doc = pageDoc(PAGES.layoutOnly);
    expect(withoutSource(doc.blocks)).toEqual(withoutSource(bare.pingtan.blocks));
    expect(doc.issues.map((i) => i.code)).toEqual(['body_container_guessed']);
  });

  it('an unknown CMS with a short report, table 3 holding most of the text: the guess keeps the headings', () => {
    // shuyang's body without its long prose paragraphs: the <div> around table 3 then holds most of the text.
    const short = SHUYANG_INNER.replace(/<p\b[^>]*>(?:(?!<\/p>)[\s\S])*<\/p>/g, (p) => (p.replace(/<[^>]+>/g, '').trim().length > 40 ? '' : p));
    const doc = extractHtml(wrap(fixture('plain-cms-page.html'), short));
    expectReportStructure(doc);
    expectNoChrome(doc);
    expect(texts(doc)).not.toContain('沭阳县发展和改革局2023年政府信息公开年度报告'); // the <h1> stays out of the body
  });

  it('an unknown CMS: body guessed past the sidebar, byline date, <file href> attachment', () => {
    const doc = pageDoc(PAGES.plainCms);
    expect(withoutSource(doc.blocks)).toEqual(withoutSource(bare.shuyang.blocks));
    expectNoChrome(doc);
    expect(doc.issues.map((i) => i.code)).toEqual(['body_container_guessed']);
    expect(doc.title).toBe('沭阳县发展和改革局2023年政府信息公开年度报告');
    expect(doc.page.catalog).toEqual({});
    // 2024-01-19 10:05 under the title, not the sidebar's news dates nor the 今天是 widget.
    expect([doc.page.publishDate, doc.page.publishDateSource]).toEqual(['2024-01-19', 'byline']);
    expect(doc.page.attachments).toEqual([{ url: 'http://fgj.shuyang.gov.cn/uploads/2024/01/19/sygfj-2023-ndbg.pdf', text: '沭阳县发展和改革局2023年政府信息公开年度报告（PDF版）' }]);
  });
});

describe('normalizeLine', () => {
  // The definition: drop zero-width characters, join CJK across a source line break, collapse HTML
  // whitespace, trim. normalizeLine skips the passes when only the ends hold whitespace.
  const definition = (raw: string) =>
    raw
      .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
      .replace(/([\u2e80-\u2fdf\u3000-\u303f\u3040-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef])[ \t\r\f]*\n[ \t\n\r\f]*(?=[\u2e80-\u2fdf\u3000-\u303f\u3040-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef])/g, '$1')
      .replace(/[ \t\n\r\f\u00a0]+/g, ' ')
      .replace(/^\s+|\s+$/g, '');

  it('equals its definition on 20,000 random lines of cell text, whitespace and invisible characters', () => {
    const alphabet = ['予', '以', '公', '开', '1', '2', 'a', '（', '）', '　', ' ', '\n', '\t', '\r', '\f', '\v', '\u00a0', '\u200b', '\u200d', '\u2060', '\ufeff', '\u2028', '\u1680', '\u202f'];
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let n = 0; n < 20000; n++) {
      const length = Math.floor(random() * 8);
      const raw = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect(normalizeLine(raw), JSON.stringify(raw)).toBe(definition(raw));
    }
  });

  it('returns a one-word line trimmed, and keeps an ideographic space inside a line', () => {
    expect(normalizeLine('\n      予以公开\n    ')).toBe('予以公开');
    expect(normalizeLine('\u3000\u3000一、总体情况')).toBe('一、总体情况');
    expect(normalizeLine('标\u3000\u3000题')).toBe('标\u3000\u3000题');
  });
});

describe('extractHtml: titles and dates', () => {
  it('falls back to <title> without the site name', () => {
    const page = SHUYANG.replace(/<h1>[\s\S]*?<\/h1>/, '').replace(/<tr>\s*<td[^>]*>名称[\s\S]*?<\/tr>/, '');
    const doc = extractHtml(page);
    expect(doc.page.catalog.名称).toBeUndefined();
    expect(doc.title).toBe('沭阳县发展和改革局2023年政府信息公开年度报告');
  });

  it('takes a byline split over elements, 发布时间：</span><span>2024-01-05 11:19', () => {
    const page = `<html><body><div class="info"><span>信息来源:白银区人民路街道办事处</span><span>发布时间：</span><span>2024-01-05 11:19</span></div><div class="TRS_Editor">${PINGTAN_INNER}</div></body></html>`;
    expect(extractHtml(page).page).toMatchObject({ publishDate: '2024-01-05', publishDateSource: 'byline' });
  });

  it('takes a Chinese date near the title and skips a 今天是…星期 widget and 采集时间', () => {
    const page = `<html><body><div class="top"><span id="utime">2025年12月30日\t星期二</span></div><div><strong>采集时间：</strong>2025-12-30T21:37:37+08:00</div><h1>平潭综合实验区2023年政府信息公开工作年度报告</h1><div class="source">2024年1月31日 来源：综合实验区管委会办公室</div><div class="TRS_Editor">${PINGTAN_INNER}</div></body></html>`;
    expect(extractHtml(page).page).toMatchObject({ publishDate: '2024-01-31', publishDateSource: 'page text' });
  });

  it('uses the signature date at the end of the body when the page states nothing else', () => {
    const doc = extractHtml(`<html><body><div class="TRS_Editor">${SHUYANG_INNER}</div></body></html>`);
    expect(doc.page).toMatchObject({ publishDate: '2024-01-17', publishDateSource: 'signature' });
  });

  it('never takes the date from the URL', () => {
    const doc = extractHtml(PINGTAN, { url: 'http://www.pingtan.gov.cn/zwgk/xxgknb/202401/t20240131_6368000.htm' });
    expect(doc.page.publishDate).toBeNull();
  });
});

describe('extractHtml: catalog layouts from sites.md §5.1', () => {
  const withCatalog = (catalogHtml: string) => extractHtml(`<html><body>${catalogHtml}<div class="TRS_Editor">${PINGTAN_INNER}</div></body></html>`);

  it('Wuhan <li> list', () => {
    const doc = withCatalog(`<div class="sub"><ul><li>索引号： K28044908/2026-04277</li><li>发文机构： 武汉市人民政府</li><li>发文字号： 武政规〔2026〕4号</li><li>主题分类： 科技</li><li>成文日期： 2026年02月13日</li><li>发布日期： 2026年02月14日</li><li>有效性： 有效</li></ul></div>`);
    expect(doc.page.catalog).toEqual({ 索引号: 'K28044908/2026-04277', 发文机构: '武汉市人民政府', 发文字号: '武政规〔2026〕4号', 主题分类: '科技', 成文日期: '2026年02月13日', 发布日期: '2026年02月14日', 有效性: '有效' });
    expect(doc.page.publishDate).toBe('2026-02-14');
    expectReportStructure(doc);
  });

  it('mem.gov.cn six-cell rows', () => {
    const doc = withCatalog(`<div class="scy_main_detail"><table>
 <tr><td>标题：</td><td>应急管理部关于印发《样例规定》的通知</td></tr>
 <tr><td>索引号：</td><td>4/2026-00001</td><td>发文字号：</td><td>应急〔2026〕88号</td><td>发文单位：</td><td>应急管理部</td></tr>
 <tr><td>所属机构：</td><td>…</td><td>主题分类：</td><td>安全执法</td><td>公文种类：</td><td>通知</td></tr>
 <tr><td>成文日期：</td><td>2026年03月01日</td><td>发布日期：</td><td>2026年03月05日</td></tr>
</table></div>`);
    expect(doc.page.catalog).toEqual({ 标题: '应急管理部关于印发《样例规定》的通知', 索引号: '4/2026-00001', 发文字号: '应急〔2026〕88号', 发文单位: '应急管理部', 所属机构: '…', 主题分类: '安全执法', 公文种类: '通知', 成文日期: '2026年03月01日', 发布日期: '2026年03月05日' });
    expect(doc.page.publishDate).toBe('2026-03-05');
    expect(grids(doc)).toHaveLength(3); // the catalog table is not a body table
  });

  it('Hangzhou rendered text lines, with an empty 文号', () => {
    const doc = withCatalog(`<div class="xxgk-info">索引号: 00248984X/2024-00227 公开方式: 主动公开<br>文号: 公开日期: 2024-01-22<br>发布单位: 杭州市卫生健康委员会 主题分类: 政务公开</div><div class="byline">时间:2024-01-22 17:28 来源:杭州市卫生健康委员会 浏览次数:</div>`);
    expect(doc.page.catalog).toEqual({ 索引号: '00248984X/2024-00227', 公开方式: '主动公开', 文号: '', 公开日期: '2024-01-22', 发布单位: '杭州市卫生健康委员会', 主题分类: '政务公开' });
    expect([doc.page.publishDate, doc.page.publishDateSource]).toEqual(['2024-01-22', 'catalog:公开日期']);
  });

  it('Deyang #attribute spans', () => {
    const doc = withCatalog(`<div id="attribute"><span>索引号：115106000087365462/2023-00012</span><span>文号：</span><span>发文日期：2023-01-18</span><span>信息来源：德阳市发展和改革委员会</span><span>关键词：年报</span></div>`);
    expect(doc.page.catalog).toEqual({ 索引号: '115106000087365462/2023-00012', 文号: '', 发文日期: '2023-01-18', 信息来源: '德阳市发展和改革委员会', 关键词: '年报' });
  });
});

describe('extractHtml: chrome inside the content container', () => {
  const bare = extractHtml(PINGTAN);

  it('drops 【打印】【关闭】 lines and share bars inside #zoom', () => {
    const page = `<html><body><div id="zoom">${PINGTAN_INNER}<p>【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</p><div class="bdsharebuttonbox">分享到：<a class="bds_weixin">微信</a><a class="bds_tsina">微博</a></div><p>[打印本页] [关闭窗口]</p></div></body></html>`;
    const doc = extractHtml(page);
    expect(withoutSource(doc.blocks)).toEqual(withoutSource(bare.blocks));
  });

  it('a catalog table pasted at the top of the container goes to page.catalog, not to the body', () => {
    const catalog = '<table><tr><td><b>索 引 号：</b></td><td>000014349/2024-00011</td><td><b>发布机构：</b></td><td>平潭综合实验区管理委员会</td></tr><tr><td><b>标　　题：</b></td><td colspan="3">平潭综合实验区2023年政府信息公开工作年度报告</td></tr><tr><td><b>发布日期：</b></td><td>2024-01-31</td></tr></table>';
    const doc = extractHtml(`<div class="TRS_Editor">${catalog}${PINGTAN_INNER}</div>`);
    expect(withoutSource(doc.blocks)).toEqual(withoutSource(bare.blocks));
    expect(doc.page.catalog).toEqual({ 索引号: '000014349/2024-00011', 发布机构: '平潭综合实验区管理委员会', 标题: '平潭综合实验区2023年政府信息公开工作年度报告', 发布日期: '2024-01-31' });
    expect(doc.page.publishDate).toBe('2024-01-31');
  });
});

describe('extractHtml: junk markup', () => {
  it('20000 unclosed <font> tags around the body neither overflow the stack nor change the body', () => {
    const junk = PINGTAN.replace('<div class=TRS_Editor>', `<div class=TRS_Editor>${'<font face="宋体">'.repeat(20000)}`);
    expect(junk).not.toBe(PINGTAN);
    const doc = extractHtml(junk);
    expect(withoutSource(doc.blocks)).toEqual(withoutSource(extractHtml(PINGTAN).blocks));
  });
});

describe('extractHtml: damaged tables (pingtan table 4 with real damage applied)', () => {
  const t4Html = PINGTAN.slice(PINGTAN.lastIndexOf('<table'), PINGTAN.lastIndexOf('</table>') + '</table>'.length);
  const t4 = (html: string) => {
    const doc = extractHtml(`<div class="TRS_Editor"><p>四、政府信息公开行政复议、行政诉讼情况</p>${html}</div>`);
    return { grid: grids(doc)[0], issues: doc.issues };
  };
  const original = t4(t4Html).grid;

  it('a first row without <tr>', () => {
    const damaged = t4Html.replace(/<tr[^>]*>/, '');
    expect(t4(damaged).grid.rows).toEqual(original.rows);
  });

  it('cells with unclosed <p> and no </td> (mis-nested by the parser) stay siblings', () => {
    const lastRow = t4Html.slice(t4Html.lastIndexOf('<tr'));
    const damaged = t4Html.replace(lastRow, lastRow.replace(/<\/p><\/td>/g, ''));
    expect(damaged).not.toBe(t4Html);
    expect(t4(damaged).grid.rows).toEqual(original.rows);
  });

  it('a stray <td> after the last row becomes a row of its own', () => {
    const damaged = t4Html.replace('</tbody>', '<td>注：无</td></tbody>');
    const { grid, issues } = t4(damaged);
    expect(grid.rows.slice(0, 4)).toEqual(original.rows);
    expect(grid.rows[4]).toEqual([{ text: '注：无', originRow: 4, originCol: 0 }]);
    expect(issues.map((i) => i.code)).toEqual(['table_repaired']);
  });

  it('rowspan past the end is clamped; colspan=0 counts as 1', () => {
    const damaged = t4Html.replace('rowspan="2"', 'rowspan="9"').replace('colspan="5"', 'colspan="0"');
    const { grid, issues } = t4(damaged);
    expect(grid.rows).toHaveLength(4);
    expect(grid.rows[3][0]).toEqual({ text: '结果维持', originRow: 1, originCol: 0 });
    expect(grid.rows[0][0]).toEqual({ text: '行政复议', originRow: 0, originCol: 0 });
    expect(grid.rows[0][1]).toEqual({ text: '行政诉讼', originRow: 0, originCol: 1 });
    expect(issues[0].message).toMatch(/rowspan 9 at row 1 clamped to 3/);
  });
});

describe('end to end: wrapped pages through the dispatcher and buildRecord', () => {
  for (const [name, page] of Object.entries(PAGES)) {
    it(`${name}: every expected cell of ${page.corpus}, the agency and the year`, async () => {
      const bytes = page.bytes(page.html);
      const doc = await extractDocument({ bytes, contentType: page.contentType, url: page.url });
      const record = buildRecord(doc, { source: page.url, sourceUrl: page.url, sha256: createHash('sha256').update(bytes).digest('hex') });
      const expectedRecord = readExpected(page.corpus);
      const misses = Object.entries(expectedRecord.cells).filter(([id, value]) => !cellMatches(value, record.cells[id]));
      expect(misses).toEqual([]);
      expect(expectedRecord.agency).toContain(record.meta.agency_name);
      expect(record.meta.report_year).toBe(expectedRecord.year);
    });
  }
});
