// List-page parsing (extractors/listPage.ts) on the page shapes of ../shared/docs/sites.md, and the
// sources registry (pipelines/crawl/registry.ts) with its per-line errors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyTitle, hanwebGroupRequests, isReportColumnTitle, parseHanwebGroup, parseListPage } from '../extractors/listPage.ts';
import { parseCsvRegistry, parseYamlRegistry, readRegistry, RegistryFileError } from '../pipelines/crawl/registry.ts';
import { testTempDir } from './helpers/warehouse.ts';

describe('annual-report titles', () => {
  it.each([
    '下陆区民政局2024年政府信息公开工作年度报告',
    '市民政局2024年度政府信息公开工作年度报告',
    '县政府办2022年度政府信息公开工作年度报告',
    '2022年临武县政府信息公开工作年度报告',
    '2023年金华市财政局政府信息公开工作年度报告',
    '西咸新区底张街道办事处2023年度政府\n信息公开工作年度报告',
    '安徽省人民政府2017年政府信息公开工作报告',
    '江蘇省衛生健康委2023年政府信息公開工作年度報告',
    '沭阳县发展和改革局2023年政府信息公开年度报告',
    '2023年政府信息公开年报',
    '示例县审计局2023年度报告',
  ])('accepts %s', (title) => {
    expect(classifyTitle(title)).toEqual({ isReport: true, reason: '' });
  });

  it.each([
    ['平潭综合实验区2023年政府信息公开工作年度报告解读', /解读/],
    ['图解：示例市卫生健康委2024年政府信息公开工作年度报告', /图解/],
    ['示例县2023年法治政府建设年度报告', /no annual-report wording/],
    ['示例县2023年法治政府建设暨政府信息公开工作年度报告', /法治政府建设/],
    ['国务院办公厅政府信息与政务公开办公室关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知', /格式/],
    ['示例县2024年部门预算公开', /no annual-report wording/],
    ['示例县2024年政务公开工作要点', /no annual-report wording/],
    ['关于做好2023年度政府信息公开工作年度报告编制工作的通知', /notice|format/],
    ['政府信息公开工作年度报告', /no report year/],
    ['示例市2023年国有资产管理情况年度报告', /no annual-report wording/],
  ])('rejects %s', (title, reason) => {
    const verdict = classifyTitle(title);
    expect(verdict.isReport).toBe(false);
    expect(verdict.reason).toMatch(reason);
  });

  it('recognises annual-report sub-columns', () => {
    for (const title of ['2024年', '2023年度', '2022', '部门年报', '乡镇（街道）年度报告', '政府信息公开年报']) expect(isReportColumnTitle(title), title).toBe(true);
    for (const title of ['政府信息公开指南', '2023年政府信息公开工作年度报告', '首页']) expect(isReportColumnTitle(title), title).toBe(false);
  });
});

describe('TRS list pages', () => {
  const ndrc = `<ul class="u-list">
<li><a href="./202608/t20260828_1407232.html" target="_blank" title="关于印发《物流网建设实施方案》的通知(发改经贸〔2026〕1241号)">关于印发…</a>
    <script>var jdFlag=0;</script><div class="popbox"><a href="../../jd/jd/202608/t20260830_1.html">相关解读</a></div>
    <span>2026/08/27</span></li>
<li><a href="./202601/t20260115_1400001.html" title="国家发展改革委2025年政府信息公开工作年度报告">国家发展改革委2025年政府信息公开工作年度...</a><span>2026/01/15</span></li>
</ul>
<div class="page"><ul><script type="text/javascript">
    createPageHTML(20, 0, "index", "html");
</script></ul></div>`;

  it('takes the full title from title="" when the text is cut, and the list date beside the link', () => {
    const page = parseListPage(ndrc, 'https://www.ndrc.gov.cn/xxgk/zcfb/tz/index.html');
    const report = page.links.find((l) => l.url.endsWith('t20260115_1400001.html'))!;
    expect(report).toEqual({
      url: 'https://www.ndrc.gov.cn/xxgk/zcfb/tz/202601/t20260115_1400001.html',
      title: '国家发展改革委2025年政府信息公开工作年度报告',
      date: '2026-01-15',
    });
  });

  it('announces index_1 … index_19 from createPageHTML(20, 0, "index", "html"), 0-based', () => {
    const { pages } = parseListPage(ndrc, 'https://www.ndrc.gov.cn/xxgk/zcfb/tz/index.html');
    expect(pages).toHaveLength(19);
    expect(pages[0]).toBe('https://www.ndrc.gov.cn/xxgk/zcfb/tz/index_1.html');
    expect(pages[18]).toBe('https://www.ndrc.gov.cn/xxgk/zcfb/tz/index_19.html');
  });

  it("reads the 1-based createPageHTML('page_div', 5, 1, 'fg', 'shtml', 89) form", () => {
    const { pages } = parseListPage(`<script>createPageHTML('page_div', 5, 1, 'fg', 'shtml', 89);</script>`, 'http://www.csrc.gov.cn/csrc/c101954/fg.shtml');
    expect(pages.map((p) => p.split('/').pop())).toEqual(['fg_2.shtml', 'fg_3.shtml', 'fg_4.shtml', 'fg_5.shtml']);
  });

  it('reads the inlined pager (var countPage = 3)', () => {
    const html = `<SCRIPT>var currentPage = 0;//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = 3//共多少页
document.write("<a href=\\"index"+"_" + nextPage + "."+"shtml\\">下一页</a>");</SCRIPT>`;
    const { pages } = parseListPage(html, 'http://hrss.example.gov.cn/xxgk/index.shtml');
    expect(pages.map((p) => p.split('/').pop())).toEqual(['index_1.shtml', 'index_2.shtml']);
  });

  it('finds links written by scripts (Wuhan var url/title) and onclick-only links', () => {
    const html = `<script>var url = "./202602/t20260214_2730572.shtml"; var title = "武汉市民政局2025年政府信息公开工作年度报告"; document.writeln(url);</script>
      <a onclick="isDownLoad(this,'https://fzgg.example.gov.cn/xxgk/202609/t20260911_7372816.html')">天津市发改委2025年政府信息公开工作年度报告</a>`;
    const { links } = parseListPage(html, 'http://mzj.wuhan.gov.cn/zwgk_918/xxgknb/index.shtml');
    expect(links.map((l) => [l.url, l.title])).toEqual([
      ['https://fzgg.example.gov.cn/xxgk/202609/t20260911_7372816.html', '天津市发改委2025年政府信息公开工作年度报告'],
      ['http://mzj.wuhan.gov.cn/zwgk_918/xxgknb/202602/t20260214_2730572.shtml', '武汉市民政局2025年政府信息公开工作年度报告'],
    ]);
  });

  it('follows 下一页 and numbered ?page=N links, and a script redirect stub', () => {
    const html = `<a href="?page=2">2</a><a href="?page=3">3</a><a href="list.jsp?page=2" title="下一页">&gt;</a><a href="/about/">12</a>`;
    const { pages } = parseListPage(html, 'http://www.example.gov.cn/xxgk/list.jsp?page=1');
    expect(pages).toEqual(['http://www.example.gov.cn/xxgk/list.jsp?page=2', 'http://www.example.gov.cn/xxgk/list.jsp?page=3']);
    const stub = parseListPage('<SCRIPT> location.href="/col/col91477/index.html";</SCRIPT>', 'http://fgw.example.gov.cn/col/col91475/index.html');
    expect(stub.scriptRedirect).toBe('http://fgw.example.gov.cn/col/col91477/index.html');
  });
});

describe('Hanweb column pages', () => {
  const record = (id: number, title: string) =>
    `<record><![CDATA[\n<li class="clearfix bt-list-new"><a title='${title}' target="_blank" href="/art/2026/1/${id}/art_284_${id}.html">  ${title.slice(0, 10)}...</a><span class="bt-list-time">2026-01-${String(id).padStart(2, '0')}</span>    </li>    ]]></record>`;
  const unit = (id: string) => `<div id="${id}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&appid=1&webid=3&path=/&columnid=284&unitid=${id}&webname=%25E6%25B1%259F&permissiontype=0"></a>]]></nextgroup>
<recordset>${[1, 2, 3].map((i) => record(i, `江苏省发展和改革委员会202${i}年政府信息公开工作年度报告`)).join('\n')}</recordset></datastore></script></div>
<script>var param_${id} = {col:1,appid:'1',webid:3,path:'/',columnid:284,sourceContentType:1,unitid:'${id}',webname:'江苏省发展和改革委员会',permissiontype:0};
function jpage_${id}(){ $('#${id}').jpage({ totalRecord:1000, groupSize:3, proxyUrl:'/module/web/jpage/dataproxy.jsp', perPage:10 }); };
$(function(){ $('#${id}').jpage({ dataStore:$('#${id}').children('script').html(), totalRecord:138, groupSize:3, proxyUrl:'/module/web/jpage/dataproxy.jsp', perPage:10 }); });</script>`;
  const html = `<div class="pclist">${unit('423656')}</div><div class="moblist">${unit('427101')}</div>`;
  const pageUrl = 'https://fzggw.jiangsu.gov.cn/col/col284/index.html';

  it('reads the records inside the CDATA of the embedded datastore, once for the pc and mobile units', () => {
    const { links } = parseListPage(html, pageUrl);
    expect(links.map((l) => l.url)).toEqual([1, 2, 3].map((i) => `https://fzggw.jiangsu.gov.cn/art/2026/1/${i}/art_284_${i}.html`));
    expect(links[0]).toMatchObject({ title: '江苏省发展和改革委员会2021年政府信息公开工作年度报告', date: '2026-01-01' });
  });

  it('pages one unit per column with the last totalRecord (138, not the search form 1000), posting param_<unitid>', () => {
    const { hanwebUnits } = parseListPage(html, pageUrl);
    expect(hanwebUnits).toHaveLength(1);
    expect(hanwebUnits[0]).toMatchObject({ unitId: '423656', columnId: '284', totalRecord: 138, perPage: 10, groupSize: 3, embeddedRecords: 3 });
    const requests = hanwebGroupRequests(hanwebUnits[0]);
    expect(requests.map((r) => new URL(r.url).search)).toEqual([
      '?startrecord=31&endrecord=60&perpage=10',
      '?startrecord=61&endrecord=90&perpage=10',
      '?startrecord=91&endrecord=120&perpage=10',
      '?startrecord=121&endrecord=138&perpage=10',
    ]);
    expect(new URLSearchParams(requests[0].body).get('unitid')).toBe('423656');
    expect(new URLSearchParams(requests[0].body).get('webname')).toBe('江苏省发展和改革委员会');
    expect(requests[0].url.startsWith('https://fzggw.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp?')).toBe(true);
  });

  it('reads a dataproxy answer', () => {
    const answer = `<datastore><nextgroup><![CDATA[]]></nextgroup><recordset>${record(30, '江苏省发展和改革委员会2019年政府信息公开工作年度报告')}</recordset><totalrecord>138</totalrecord></datastore>`;
    expect(parseHanwebGroup(answer, pageUrl).map((l) => l.url)).toEqual(['https://fzggw.jiangsu.gov.cn/art/2026/1/30/art_284_30.html']);
  });
});

describe('sources registry', () => {
  it('reads quoted CSV fields (commas, quotes, line breaks) and names the line of each bad row', () => {
    const csv = [
      '\uFEFFagency,url,region_code,region,level,department,platform',
      '"示例县人民政府, 办公室",http://www.example.gov.cn/zwgk/nb/index.html,410700,"河南省/新乡市",county,,TRS',
      '"带""引号""的机关",http://b.example.gov.cn/col/col1/index.html,,,,,Hanweb',
      '"两行',
      '的名称",ftp://c.example.gov.cn/nb/,,,,,',
      ',http://d.example.gov.cn/nb/,,,,,',
      '示例局,http://e.example.gov.cn/nb/,12345,,,,',
      '示例局二,http://www.example.gov.cn/zwgk/nb/index.html,,,,,',
      '只有报告页,,,,,,',
    ].join('\r\n');
    const registry = parseCsvRegistry(csv, 'sources.csv');
    expect(registry.sources.map((s) => [s.agency, s.url, s.line])).toEqual([
      ['示例县人民政府, 办公室', 'http://www.example.gov.cn/zwgk/nb/index.html', 2],
      ['带"引号"的机关', 'http://b.example.gov.cn/col/col1/index.html', 3],
    ]);
    expect(registry.sources[0]).toMatchObject({ regionCode: '410700', region: '河南省/新乡市', level: 'county', department: null });
    expect(registry.errors.map((e) => `${e.line}: ${e.message}`)).toEqual([
      '4: url is not an absolute http(s) URL (got "ftp://c.example.gov.cn/nb/")',
      '6: agency is empty',
      '7: region_code must be a 6-digit 行政区划代码 (got "12345")',
      '8: url http://www.example.gov.cn/zwgk/nb/index.html repeats line 2',
      '9: url is empty (and no report_url is given)',
    ]);
  });

  it('reads YAML (a list, or a map with sources) with line numbers', () => {
    const yaml = `sources:
  - agency: 嘉兴市民政局
    url: https://www.jiaxing.gov.cn/col/col1229849768/index.html
    region_code: "330400"
  - agency: 武汉市民政局
    url: not a url
  - agency: 广元市昭化区民政局
    report_url: https://cnzh.gov.cn/News/Detail/20250121084835871.html
`;
    const registry = parseYamlRegistry(yaml, 'sources.yaml');
    expect(registry.sources.map((s) => [s.agency, s.url, s.reportUrls, s.line])).toEqual([
      ['嘉兴市民政局', 'https://www.jiaxing.gov.cn/col/col1229849768/index.html', [], 2],
      ['广元市昭化区民政局', null, ['https://cnzh.gov.cn/News/Detail/20250121084835871.html'], 7],
    ]);
    expect(registry.errors).toEqual([{ file: 'sources.yaml', line: 5, message: 'url is not an absolute http(s) URL (got "not a url")' }]);
  });

  it('refuses a file it cannot use as a whole, saying why', () => {
    const dir = testTempDir('registry');
    const gbk = join(dir, 'gbk.csv');
    writeFileSync(gbk, Buffer.from([0x61, 0x67, 0x65, 0x6e, 0x63, 0x79, 0x2c, 0x75, 0x72, 0x6c, 0x0a, 0xca, 0xbe, 0xc0, 0xfd, 0x2c, 0x0a]));
    expect(() => readRegistry(gbk)).toThrow(/is not UTF-8/);
    expect(() => parseCsvRegistry('name,link\nx,http://a.gov.cn/\n')).toThrow(RegistryFileError);
    expect(() => readRegistry(join(dir, 'missing.csv'))).toThrow(/cannot read sources registry/);
    expect(() => parseYamlRegistry('sources: [a, b')).toThrow(/line \d+/);
  });
});
