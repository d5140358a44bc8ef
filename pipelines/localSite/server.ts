// A local imitation of government sites, one plain node:http server per loopback address
// (127.0.0.2, 127.0.0.3 … are all loopback on Linux), serving real reports from data/samples in the
// shapes and with the hostilities of ../shared/docs/sites.md §7:
//
//   TRS host     createPageHTML(4,0,"index","html") pagination with a 404 tail, a year sub-column,
//                t-date article URLs, inline HTML reports, an attachment-only report (./P0….pdf), an
//                attachment only inside a JS string, a GB2312-declared page (in <meta> only, bytes
//                GB18030), the 信息公开目录 block with 发布日期, decoys (解读, 法治政府建设年度报告, the
//                年度报告格式 notice, 预算, 工作要点), robots.txt disallowing /private/ (which holds a
//                report), a deleted report (404), a flaky report (500 then 200), a 429 with
//                Retry-After, a slow page and a page slower than any sane timeout, and a report whose
//                body changes between two runs (site.setGeneration(2)).
//   Hanweb host  /col/colN/index.html with the list in <datastore> CDATA records (pc and mobile units,
//                a decoy totalRecord), POST dataproxy.jsp groups overlapping by one record,
//                downfile.jsp?filename=… answering 302 → /attach/…, a 202 `$_ts` challenge page.
//   Guarded host the list page answers 412 with a 瑞数 `$_ts` challenge.
//   Dead host    nothing listens there.
// Every GET page carries ETag and Last-Modified and answers conditional requests with 304.
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import iconv from 'iconv-lite';
import { SAMPLES_DIR } from '../samples.ts';
import {
  challengePage,
  hanwebArticle,
  hanwebColumnPage,
  hanwebDataproxyAnswer,
  reportTextToHtml,
  trsArticle,
  trsListPage,
  type HanwebRecord,
  type ListItem,
} from './pages.ts';

export const DEFAULT_SAMPLES_DIR = SAMPLES_DIR;

export interface SiteRequest {
  host: string;
  method: string;
  path: string;
  url: string;
  /** Arrival time at the server, ms with sub-ms precision (performance clock + origin). */
  at: number;
  conditional: boolean;
  userAgent: string;
  status: number;
  /** The client gave up before the (delayed) answer was written: it never saw `status`. */
  abandoned: boolean;
}

export interface GovSiteOptions {
  samplesDir?: string;
  /** Added to every response (a distant server). */
  latencyMs?: number;
  /** Include the hostile behaviours (flaky, slow, 429, timeout). Off for benchmarks. */
  hostile?: boolean;
  /** Extra copies of the TRS host (benchmarks: several hosts). */
  extraTrsHosts?: number;
  /** Delay of the page that should time out (ms, default 4000). */
  timeoutPageDelayMs?: number;
  /** Delay of the slow page that should still arrive (ms, default 300). */
  slowPageDelayMs?: number;
  /** Listen on this port on every host when it is free (stable URLs across runs: the demo); default any. */
  port?: number;
}

/** What a correct crawl of the site finds, fails on and never touches. */
export interface SiteExpectations {
  /** Every report a crawler should fetch: the URL of the document holding it and the sample it serves. */
  reports: { url: string; sample: string; agency: string; via: 'page' | 'attachment' }[];
  /** Report pages whose reports are in attachments (the page itself is a stub). */
  attachmentPages: string[];
  /** Links that must never be requested: decoys and robots-disallowed paths. */
  neverFetched: string[];
  /** Report links that exist but must end as per-document failures, with the expected outcome. */
  failures: { url: string; outcome: 'failed' | 'blocked' }[];
  /** The report whose body changes with setGeneration(2). */
  changingReport: string;
}

export interface GovSite {
  hosts: { trs: string; hanweb: string; guarded: string; dead: string; extra: string[] };
  sources: { trs: string; hanweb: string; guarded: string; dead: string; extra: string[] };
  requests: SiteRequest[];
  expected: SiteExpectations;
  /** 1 (default) or 2: the changing report's body. */
  setGeneration(generation: number): void;
  /** Forget request logs and flaky-page state (a fresh site for the next scenario). */
  reset(): void;
  /** A sources registry (CSV) for this site; `withBadRows` adds an invalid URL and an empty agency. */
  registryCsv(options?: { withBadRows?: boolean; extraHosts?: boolean }): string;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** GET pages that carry validators and answer conditional requests. */
  cacheable?: boolean;
  lastModified?: string;
  delayMs?: number;
}

type Handler = (req: IncomingMessage, path: string, body: string) => Answer | null;

const HTML = 'text/html; charset=utf-8';
const TRS_SITE = '示例县人民政府';
const HANWEB_SITE = '示例市卫生健康委员会';
const LAST_MODIFIED = 'Mon, 05 Feb 2024 08:00:00 GMT';
const CORRECTED = 'Fri, 01 Mar 2024 08:00:00 GMT';

export async function startGovSite(options: GovSiteOptions = {}): Promise<GovSite> {
  const samplesDir = options.samplesDir ?? DEFAULT_SAMPLES_DIR;
  const sample = (name: string) => readFileSync(join(samplesDir, name));
  const sampleText = (name: string) => sample(name).toString('utf8');
  if (!existsSync(join(samplesDir, 'seeds'))) throw new Error(`no samples at ${samplesDir}`);
  const hostile = options.hostile ?? true;
  let generation = 1;
  const flakyServed = new Set<string>();
  const requests: SiteRequest[] = [];

  // ------------------------------------------------------------------ TRS host
  const trsBase = '/zwgk/zfxxgknb/';
  const trsReports = {
    pingtan: { path: `${trsBase}202401/t20240118_1001.html`, title: '平潭综合实验区2023年政府信息公开工作年度报告', date: '2024-01-18' },
    xinxiang: { path: `${trsBase}202401/t20240122_1002.html`, title: '新乡市民政局2023年政府信息公开工作年度报告', date: '2024-01-22' },
    hongze2023: { path: `${trsBase}2023n/202401/t20240126_1003.html`, title: '淮安市洪泽区人民政府2023年政府信息公开工作年度报告', date: '2024-01-26' },
    hongze2024: { path: `${trsBase}202501/t20250120_1004.html`, title: '淮安市洪泽区人民政府2024年政府信息公开工作年度报告', date: '2025-01-20' },
    shuyang: { path: `${trsBase}202401/t20240125_1005.html`, title: '沭阳县发展和改革局2023年政府信息公开年度报告', date: '2024-01-25' },
    hetian: { path: `${trsBase}202402/t20240201_1006.html`, title: '和田地区民政局2023年度政府信息公开工作年度报告', date: '2024-02-01' },
    pingqiao: { path: `/private/202401/t20240130_1007.html`, title: '平桥区民政局2024年政府信息公开工作年度报告', date: '2024-01-30' },
    deleted: { path: `${trsBase}202401/t20240110_1008.html`, title: '示例县统计局2023年政府信息公开工作年度报告', date: '2024-01-10' },
    lingdong: { path: `${trsBase}202402/t20240205_1009.html`, title: '岭东区民政局2023年政府信息公开工作年度报告', date: '2024-02-05' },
    stalled: { path: `${trsBase}202401/t20240115_1010.html`, title: '示例县审计局2023年政府信息公开工作年度报告', date: '2024-01-15' },
  };
  const trsAttachments = {
    hongze2023: `${trsBase}2023n/202401/P020240126375309063825.pdf`,
    hongze2024: `${trsBase}202501/P020250120331244219901.pdf`,
    hongze2024Decoy: `${trsBase}202501/P020250120331244219902.pdf`,
  };
  const trsDecoys = {
    jiedu: { path: `${trsBase}202401/t20240119_2001.html`, title: '平潭综合实验区2023年政府信息公开工作年度报告解读', date: '2024-01-19' },
    fazhi: { path: `${trsBase}202402/t20240220_2002.html`, title: '示例县2023年法治政府建设年度报告', date: '2024-02-20' },
    format: { path: `${trsBase}202112/t20211220_2003.html`, title: '国务院办公厅政府信息与政务公开办公室关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知', date: '2021-12-20' },
    budget: { path: `${trsBase}202401/t20240105_2004.html`, title: '示例县2024年部门预算公开', date: '2024-01-05' },
    keyPoints: { path: `${trsBase}202401/t20240128_2005.html`, title: '示例县2024年政务公开工作要点', date: '2024-01-28' },
    tujie: { path: `${trsBase}2023n/202401/t20240127_2006.html`, title: '洪泽区2023年政府信息公开工作年度报告图解', date: '2024-01-27' },
    news: { path: `/zwgk/tzgg/202401/t20240112_2007.html`, title: '关于开展2024年安全生产月活动的通知', date: '2024-01-12' },
  };
  const relative = (from: string, to: string) => {
    const dir = from.replace(/[^/]*$/, '');
    return to.startsWith(dir) ? `./${to.slice(dir.length)}` : to;
  };
  const item = (entry: { path: string; title: string; date: string }, listPath: string): ListItem => ({ href: relative(listPath, entry.path), title: entry.title, date: entry.date });
  const listPages: ListItem[][] = [
    [trsReports.hongze2024, trsDecoys.fazhi, trsReports.lingdong, trsReports.hetian, trsReports.pingqiao, trsDecoys.keyPoints].map((e) => item(e, `${trsBase}index.html`)),
    [trsReports.shuyang, trsReports.xinxiang, trsDecoys.jiedu, trsReports.pingtan].map((e) => item(e, `${trsBase}index_1.html`)),
    [trsReports.stalled, trsDecoys.news, trsReports.deleted, trsDecoys.budget, trsDecoys.format].map((e) => item(e, `${trsBase}index_2.html`)),
  ];
  const trsArticlePage = (entry: { title: string; date: string }, publisher: string, bodyHtml: string, extra: Partial<Parameters<typeof trsArticle>[0]> = {}) =>
    trsArticle({ siteName: TRS_SITE, title: entry.title, publisher, pubDateTime: `${entry.date} 09:30:00`, indexNo: `11410700005578226M/${entry.date.slice(0, 4)}-00012`, bodyHtml, ...extra });

  const pdfLink = (href: string, text: string) => `<p class="insertfileTag"><a appendix="true" href="${href}">${text}</a></p>`;
  const trsPages = new Map<string, () => Answer>();
  const page = (path: string, build: () => Answer) => trsPages.set(path, build);
  const html = (body: string | Buffer, extra: Partial<Answer> = {}): Answer => ({ status: 200, headers: { 'content-type': HTML }, body, cacheable: true, ...extra });

  page('/robots.txt', () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'User-agent: *\nDisallow: /private/\nDisallow: /search/\n', cacheable: true }));
  page(`${trsBase}index.html`, () =>
    html(trsListPage({ siteName: TRS_SITE, columnName: '政府信息公开年报', items: listPages[0], page: 0, totalPages: 4, subColumns: [{ href: './2023n/index.html', text: '2023年' }, { href: './2022n/index.html', text: '2022年' }, { href: '/zwgk/zfxxgkzn/', text: '政府信息公开指南' }] })),
  );
  page(`${trsBase}index_1.html`, () => html(trsListPage({ siteName: TRS_SITE, columnName: '政府信息公开年报', items: listPages[1], page: 1, totalPages: 4 })));
  page(`${trsBase}index_2.html`, () => html(trsListPage({ siteName: TRS_SITE, columnName: '政府信息公开年报', items: listPages[2], page: 2, totalPages: 4 })));
  // index_3.html is announced by createPageHTML(4, …) but missing: the 404 tail.
  page(`${trsBase}2023n/index.html`, () =>
    html(trsListPage({ siteName: TRS_SITE, columnName: '2023年', items: [trsReports.hongze2023, trsDecoys.tujie].map((e) => item(e, `${trsBase}2023n/index.html`)), page: 0, totalPages: 1 })),
  );
  page(`${trsBase}2022n/index.html`, () => html(trsListPage({ siteName: TRS_SITE, columnName: '2022年', items: [], page: 0, totalPages: 1 })));

  page(trsReports.pingtan.path, () => html(trsArticlePage(trsReports.pingtan, '平潭综合实验区管委会办公室', sampleText('corpus/pingtan-2023.html'))));
  page(trsReports.xinxiang.path, () => {
    // Declared GB2312 in <meta> only (the header names no charset); the bytes are GB18030.
    const text = trsArticlePage(trsReports.xinxiang, '新乡市民政局', reportTextToHtml(sampleText('seeds/000_ee99eda0b851ed47.txt')), { charset: 'gb2312' });
    return html(iconv.encode(text, 'gb18030'), { headers: { 'content-type': 'text/html' }, delayMs: hostile ? options.slowPageDelayMs ?? 300 : 0 });
  });
  page(trsReports.hongze2023.path, () =>
    html(trsArticlePage(trsReports.hongze2023, '淮安市洪泽区人民政府办公室', `<p>${trsReports.hongze2023.title}全文见附件。</p>${pdfLink('./P020240126375309063825.pdf', `附件：${trsReports.hongze2023.title}.pdf`)}`)),
  );
  page(trsAttachments.hongze2023, () => ({ status: 200, headers: { 'content-type': 'application/pdf' }, body: sample('corpus/huaian-hongze-2023.pdf'), cacheable: true }));
  page(trsReports.hongze2024.path, () =>
    html(
      trsArticlePage(trsReports.hongze2024, '淮安市洪泽区人民政府办公室', `<p>现将${trsReports.hongze2024.title}予以公布。</p><div id="fj"></div>`, {
        extraScript: `<script>var att = '<a href="./P020250120331244219901.pdf">${trsReports.hongze2024.title}</a>';
var rel_appendix = '<a href="./P020250120331244219902.pdf">洪泽区2024年政府信息公开工作年度报告解读</a>';
document.write('附件：<br /><p>' + att + '</p>');</script>`,
      }),
    ),
  );
  page(trsAttachments.hongze2024, () => ({ status: 200, headers: { 'content-type': 'application/pdf' }, body: sample('corpus/huaian-hongze-2024.pdf'), cacheable: true }));
  page(trsAttachments.hongze2024Decoy, () => ({ status: 200, headers: { 'content-type': 'application/pdf' }, body: '%PDF-1.4 decoy interpretation', cacheable: true }));
  page(trsReports.shuyang.path, () => html(sample('corpus/shuyang-fgj-2023.html')));
  page(trsReports.hetian.path, () => {
    if (hostile && !flakyServed.has('hetian')) {
      flakyServed.add('hetian');
      return { status: 500, headers: { 'content-type': HTML }, body: '<html><body>500 Internal Server Error</body></html>' };
    }
    return html(trsArticlePage(trsReports.hetian, '和田地区民政局', reportTextToHtml(sampleText('seeds/001_b4512be360909492.txt'))));
  });
  page(trsReports.pingqiao.path, () => html(trsArticlePage(trsReports.pingqiao, '平桥区民政局', reportTextToHtml(sampleText('seeds/003_5f6bec8eadb51f9b.txt')))));
  page(trsReports.lingdong.path, () => {
    const text = sampleText('seeds/004_4d27c7cf704db1e1.txt');
    const corrected = generation >= 2 ? `${text}\n\n（本报告于2024年3月1日更正：联系电话更正为0469-4025006。）\n` : text;
    return html(trsArticlePage(trsReports.lingdong, '岭东区民政局', reportTextToHtml(corrected)), { lastModified: generation >= 2 ? CORRECTED : LAST_MODIFIED });
  });
  page(trsReports.stalled.path, () => html(trsArticlePage(trsReports.stalled, '示例县审计局', '<p>（正文）</p>'), { delayMs: hostile ? options.timeoutPageDelayMs ?? 4000 : 0 }));
  for (const decoy of Object.values(trsDecoys)) {
    page(decoy.path, () => html(trsArticlePage(decoy, TRS_SITE, `<p>${decoy.title}</p><p>现就有关内容解读如下。</p>`)));
  }
  const trsHandler: Handler = (_req, path) => {
    if (hostile && path === `${trsBase}index_1.html` && !flakyServed.has('index_1')) {
      flakyServed.add('index_1');
      return { status: 429, headers: { 'retry-after': '1', 'content-type': 'text/plain' }, body: 'Too Many Requests' };
    }
    const build = trsPages.get(path);
    return build ? build() : null;
  };

  // ------------------------------------------------------------------ Hanweb host
  const columnId = '1229000001';
  const hanwebCol = `/col/col${columnId}/index.html`;
  const art = (date: string, id: number) => {
    const [y, m, d] = date.split('-').map(Number);
    return `/art/${y}/${m}/${d}/art_${columnId}_${id}.html`;
  };
  const hanwebReports = {
    lingwu: { href: art('2025-01-13', 3001), title: '灵武市民政局2024年政府信息公开工作年度报告', date: '2025-01-13' },
    huaian: { href: art('2025-01-20', 3002), title: '淮安市人民政府2024年政府信息公开工作年度报告', date: '2025-01-20' },
    stcsm: { href: art('2025-01-22', 3003), title: '上海市科学技术委员会2024年政府信息公开工作年度报告', date: '2025-01-22' },
    guarded: { href: art('2025-01-23', 3004), title: '示例市疾控中心2024年政府信息公开工作年度报告', date: '2025-01-23' },
  };
  const downfile = `/module/download/downfile.jsp?classid=0&filename=c3c762128f0e47dd8d5954e4808028ff.pdf`;
  const attachPath = '/attach/0/c3c762128f0e47dd8d5954e4808028ff.pdf';
  const news = (n: number, date: string, title: string): HanwebRecord => ({ href: art(date, 4000 + n), title, date });
  const hanwebDecoys = {
    jiedu: { href: art('2025-01-24', 3101), title: '图解：示例市卫生健康委2024年政府信息公开工作年度报告', date: '2025-01-24' },
    fazhi: { href: art('2025-01-10', 3102), title: '示例市卫生健康委员会2024年法治政府建设年度报告', date: '2025-01-10' },
    reading: { href: art('2025-01-14', 3103), title: '《灵武市民政局2024年政府信息公开工作年度报告》解读', date: '2025-01-14' },
  };
  // Newest first, 14 records; the first group (8) is embedded, dataproxy serves the rest.
  const hanwebRecords: HanwebRecord[] = [
    news(1, '2025-02-10', '关于做好2025年春季传染病防控工作的通知'),
    hanwebDecoys.jiedu,
    hanwebReports.guarded,
    news(2, '2025-01-21', '示例市2025年卫生健康工作会议召开'),
    hanwebReports.lingwu,
    hanwebDecoys.reading,
    news(3, '2025-01-12', '示例市卫生健康委员会关于公布2025年第一批医疗机构名单的公告'),
    hanwebReports.stcsm, // record 8: the last embedded one, repeated by the next group
    news(4, '2025-01-09', '示例市开展冬季爱国卫生运动'),
    hanwebReports.huaian,
    hanwebDecoys.fazhi,
    news(5, '2024-12-30', '示例市卫生健康委员会2025年部门预算'),
    news(6, '2024-12-20', '关于征求《示例市医疗卫生服务体系规划》意见的公告'),
    news(7, '2024-12-01', '示例市卫生健康委员会政府信息公开指南'),
  ];
  const perPage = 4;
  const groupSize = 2;
  const hanwebPages = new Map<string, () => Answer>();
  const hpage = (path: string, build: () => Answer) => hanwebPages.set(path, build);
  hpage(hanwebCol, () =>
    html(
      hanwebColumnPage({
        siteName: HANWEB_SITE,
        columnId,
        columnName: '政府信息公开年报',
        units: ['5001', '5002'],
        embedded: hanwebRecords.slice(0, perPage * groupSize),
        totalRecord: hanwebRecords.length,
        perPage,
        groupSize,
      }),
    ),
  );
  const hanwebArticlePage = (entry: HanwebRecord, publisher: string, bodyHtml: string) =>
    hanwebArticle({ siteName: HANWEB_SITE, title: entry.title, publisher, date: entry.date, indexNo: `00248984X/${entry.date.slice(0, 4)}-00227`, bodyHtml });
  hpage(hanwebReports.lingwu.href, () => html(hanwebArticlePage(hanwebReports.lingwu, '灵武市民政局', reportTextToHtml(sampleText('seeds/002_7051039651d1a08e.txt')))));
  hpage(hanwebReports.stcsm.href, () => html(hanwebArticlePage(hanwebReports.stcsm, '上海市科学技术委员会', reportTextToHtml(sampleText('corpus/shanghai-stcsm-2024.md')))));
  hpage(hanwebReports.huaian.href, () =>
    html(hanwebArticlePage(hanwebReports.huaian, '淮安市人民政府办公室', `<p>淮安市人民政府2024年政府信息公开工作年度报告见附件。</p><p><a href="${downfile.replace(/&/g, '&amp;')}">淮安市人民政府2024年政府信息公开工作年度报告.pdf</a></p>`)),
  );
  hpage(hanwebReports.guarded.href, () => ({ status: 202, headers: { 'content-type': HTML }, body: challengePage() }));
  hpage(attachPath, () => ({ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: sample('corpus/huaian-city-2024.pdf'), cacheable: true }));
  for (const decoy of Object.values(hanwebDecoys)) hpage(decoy.href, () => html(hanwebArticlePage(decoy, HANWEB_SITE, `<p>${decoy.title}</p>`)));
  for (const record of hanwebRecords.filter((r) => r.href.includes('_40'))) hpage(record.href, () => html(hanwebArticlePage(record, HANWEB_SITE, `<p>${record.title}</p>`)));

  const hanwebHandler: Handler = (req, path, body) => {
    if (req.method === 'POST' && path === '/module/web/jpage/dataproxy.jsp') {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const form = new URLSearchParams(body);
      const start = Number(query.get('startrecord'));
      const end = Number(query.get('endrecord'));
      // Without the unit's parameters real sites answer an empty body (sites.md §2.2).
      if (form.get('columnid') !== columnId || !form.get('unitid') || !(start >= 1) || !(end >= start)) return { status: 200, headers: { 'content-type': 'text/xml' }, body: '' };
      // Each group repeats the previous group's last record.
      const records = hanwebRecords.slice(Math.max(0, start - 2), end);
      return { status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body: hanwebDataproxyAnswer(records, hanwebRecords.length, perPage) };
    }
    if (path === '/module/download/downfile.jsp') {
      const filename = new URL(req.url ?? '/', 'http://x').searchParams.get('filename');
      return filename === 'c3c762128f0e47dd8d5954e4808028ff.pdf' ? { status: 302, headers: { location: attachPath } } : { status: 404, body: 'no such file' };
    }
    const build = hanwebPages.get(path);
    return build ? build() : null;
  };

  // ------------------------------------------------------------------ Guarded host
  const guardedList = '/zwgk/xxgknb/index.html';
  const guardedHandler: Handler = (_req, path): Answer => {
    if (path === '/robots.txt') return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'User-agent: *\nAllow: /\n', cacheable: true };
    return { status: 412, headers: { 'content-type': HTML, 'set-cookie': '__jsluid_s=6f1e2a; path=/' }, body: challengePage() };
  };

  // ------------------------------------------------------------------ Servers
  const servers: Server[] = [];
  const listen = async (address: string, handler: Handler): Promise<string> => {
    const server = createServer((req, res) => void serve(req, res, handler));
    servers.push(server);
    return bind(server, address, options.port ?? 0);
  };
  const serve = async (req: IncomingMessage, res: ServerResponse, handler: Handler) => {
    const at = performance.timeOrigin + performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const conditional = Boolean(req.headers['if-none-match'] || req.headers['if-modified-since']);
    let answer = handler(req, url.pathname, Buffer.concat(chunks).toString('utf8')) ?? { status: 404, headers: { 'content-type': HTML }, body: '<html><body>404 Not Found</body></html>' };
    const delay = (answer.delayMs ?? 0) + (options.latencyMs ?? 0);
    if (answer.cacheable && answer.body !== undefined) {
      const bytes = Buffer.isBuffer(answer.body) ? answer.body : Buffer.from(answer.body);
      const etag = `"${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}"`;
      const lastModified = answer.lastModified ?? LAST_MODIFIED;
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      const notModified = inm ? inm.split(/\s*,\s*/).includes(etag) : ims ? Date.parse(ims) >= Date.parse(lastModified) : false;
      answer = notModified
        ? { status: 304, headers: { etag, 'last-modified': lastModified } }
        : { ...answer, headers: { ...answer.headers, etag, 'last-modified': lastModified } };
    }
    const entry: SiteRequest = { host: req.headers.host ?? '', method: req.method ?? 'GET', path: url.pathname + url.search, url: url.toString(), at, conditional, userAgent: String(req.headers['user-agent'] ?? ''), status: answer.status, abandoned: false };
    requests.push(entry);
    res.on('close', () => {
      if (!res.writableFinished) entry.abandoned = true;
    });
    if (delay > 0) await sleep(delay);
    if (entry.abandoned || res.destroyed) return;
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.status === 304 ? undefined : answer.body);
  };

  const trsHost = await listen('127.0.0.2', trsHandler);
  const hanwebHost = await listen('127.0.0.3', hanwebHandler);
  const guardedHost = await listen('127.0.0.4', guardedHandler);
  const extraHosts: string[] = [];
  for (let i = 0; i < (options.extraTrsHosts ?? 0); i++) extraHosts.push(await listen(`127.0.0.${10 + i}`, trsHandler));
  const deadHost = await unusedAddress(trsHost);

  const trsUrl = (path: string) => `http://${trsHost}${path}`;
  const hanwebUrl = (path: string) => `http://${hanwebHost}${path}`;
  const expected: SiteExpectations = {
    reports: [
      { url: trsUrl(trsReports.pingtan.path), sample: 'corpus/pingtan-2023.html', agency: '平潭综合实验区', via: 'page' },
      { url: trsUrl(trsReports.xinxiang.path), sample: 'seeds/000_ee99eda0b851ed47.txt', agency: '新乡市民政局', via: 'page' },
      { url: trsUrl(trsAttachments.hongze2023), sample: 'corpus/huaian-hongze-2023.pdf', agency: '淮安市洪泽区人民政府', via: 'attachment' },
      { url: trsUrl(trsAttachments.hongze2024), sample: 'corpus/huaian-hongze-2024.pdf', agency: '淮安市洪泽区人民政府', via: 'attachment' },
      { url: trsUrl(trsReports.shuyang.path), sample: 'corpus/shuyang-fgj-2023.html', agency: '沭阳县发展和改革局', via: 'page' },
      { url: trsUrl(trsReports.hetian.path), sample: 'seeds/001_b4512be360909492.txt', agency: '和田地区民政局', via: 'page' },
      { url: trsUrl(trsReports.lingdong.path), sample: 'seeds/004_4d27c7cf704db1e1.txt', agency: '岭东区民政局', via: 'page' },
      { url: hanwebUrl(hanwebReports.lingwu.href), sample: 'seeds/002_7051039651d1a08e.txt', agency: '灵武市民政局', via: 'page' },
      { url: hanwebUrl(hanwebReports.stcsm.href), sample: 'corpus/shanghai-stcsm-2024.md', agency: '上海市科学技术委员会', via: 'page' },
      { url: hanwebUrl(downfile), sample: 'corpus/huaian-city-2024.pdf', agency: '淮安市人民政府', via: 'attachment' },
    ],
    attachmentPages: [trsUrl(trsReports.hongze2023.path), trsUrl(trsReports.hongze2024.path), hanwebUrl(hanwebReports.huaian.href)],
    neverFetched: [
      trsUrl(trsReports.pingqiao.path),
      trsUrl(trsAttachments.hongze2024Decoy),
      ...Object.values(trsDecoys).map((d) => trsUrl(d.path)),
      ...Object.values(hanwebDecoys).map((d) => hanwebUrl(d.href)),
      ...hanwebRecords.filter((r) => r.href.includes('_40')).map((r) => hanwebUrl(r.href)),
    ],
    failures: [
      { url: trsUrl(trsReports.deleted.path), outcome: 'failed' },
      { url: trsUrl(trsReports.stalled.path), outcome: 'failed' },
      { url: hanwebUrl(hanwebReports.guarded.href), outcome: 'blocked' },
    ],
    changingReport: trsUrl(trsReports.lingdong.path),
  };
  if (!hostile) expected.failures = expected.failures.filter((f) => !f.url.endsWith(trsReports.stalled.path));

  const sources = {
    trs: trsUrl(`${trsBase}index.html`),
    hanweb: hanwebUrl(hanwebCol),
    guarded: `http://${guardedHost}${guardedList}`,
    dead: `http://${deadHost}${guardedList}`,
    extra: extraHosts.map((h) => `http://${h}${trsBase}index.html`),
  };

  return {
    hosts: { trs: trsHost, hanweb: hanwebHost, guarded: guardedHost, dead: deadHost, extra: extraHosts },
    sources,
    requests,
    expected,
    setGeneration(n) {
      generation = n;
    },
    reset() {
      requests.length = 0;
      flakyServed.clear();
      generation = 1;
    },
    registryCsv({ withBadRows = false, extraHosts: withExtra = false } = {}) {
      const rows = [
        'agency,url,region_code,region,level,department',
        `示例县人民政府,${sources.trs},410700,河南省/新乡市/示例县,county,`,
        `示例市卫生健康委员会,${sources.hanweb},330400,浙江省/示例市,city,卫生健康`,
        `示例县疾病预防控制中心,${sources.guarded},,,county,卫生健康`,
        `示例乡人民政府,${sources.dead},,,township,`,
      ];
      if (withBadRows) rows.push('示例镇人民政府,not-a-url,,,township,', `,${sources.trs.replace('index.html', 'index_9.html')},,,county,`);
      if (withExtra) rows.push(...sources.extra.map((url, i) => `镜像站点${i + 1},${url},,,county,`));
      return `${rows.join('\n')}\n`;
    },
    async close() {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); })));
    },
  };
}

/**
 * Listen on a loopback address (127.0.0.x) on `port` if it is free, else on any port; where only
 * 127.0.0.1 exists (macOS), use it with a port of its own.
 */
async function bind(server: Server, address: string, port = 0): Promise<string> {
  const attempt = (host: string, p = 0) =>
    new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, host, () => {
        server.off('error', reject);
        const bound = server.address();
        resolve(`${host}:${typeof bound === 'object' && bound ? bound.port : 0}`);
      });
    });
  try {
    return await attempt(address, port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && port !== 0) return bind(server, address);
    if (code !== 'EADDRNOTAVAIL') throw error;
    return attempt('127.0.0.1');
  }
}

/** An address where nothing listens: 127.0.0.9 on the same port, or a port just released on 127.0.0.1. */
async function unusedAddress(like: string): Promise<string> {
  if (!like.startsWith('127.0.0.1:')) return `127.0.0.9:${like.split(':')[1]}`;
  const probe = createServer();
  const address = await bind(probe, '127.0.0.1');
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return address;
}
