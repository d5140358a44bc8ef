// Link-level parsing of government list pages: which links are annual reports, how a column
// paginates (TRS scripts, pagers, Hanweb datastore groups). Pure functions over decoded HTML text;
// the crawler (pipelines/crawl/) fetches, and reads report pages with the HTML extractor.
// Platform notes: ../shared/docs/sites.md.
import * as cheerio from 'cheerio';
import { parseDate } from './htmlMetadata.ts';

/** A link found on a list page: absolute URL, its best title and the date printed beside it. */
export interface ListLink {
  url: string;
  title: string;
  /** ISO yyyy-mm-dd, when the list item shows one. */
  date: string | null;
}

/**
 * A Hanweb JCMS list unit: the first group of records is embedded in the page, the following
 * groups come from POSTs to `proxyUrl` with the unit's `param_<unitid>` fields as the form body.
 */
export interface HanwebUnit {
  unitId: string;
  columnId: string | null;
  proxyUrl: string;
  form: Record<string, string>;
  totalRecord: number;
  perPage: number;
  groupSize: number;
  embeddedRecords: number;
}

/** One follow-up POST for a Hanweb unit. */
export interface HanwebGroupRequest {
  url: string;
  body: string;
}

export interface ListPage {
  /** Every link of the page: DOM anchors, Hanweb CDATA records, anchors inside JS strings (de-duplicated). */
  links: ListLink[];
  /** Further pages of the same list (numbered pages, 下一页/尾页, createPageHTML), absolute, without this page. */
  pages: string[];
  hanwebUnits: HanwebUnit[];
  /** `location.href = "…"` of a stub page that only redirects by script. */
  scriptRedirect: string | null;
}

// ---------------------------------------------------------------------------------------------
// Titles

/** Annual-report wording; the classic and the pre-2008 forms ("政府信息公开工作报告"). */
const REPORT_WORDING = /(政府|政务)?信息公开(工作)?(年度报告|年报|工作报告)|政务公开(工作)?年度报告/;
/** Generic "<agency>2023年度报告" / "…2023年年报": accepted only when the year sits right before it. */
const YEAR_REPORT = /(19|20)\d{2}\s*年\s*度?\s*(年度报告|报告|年报)$/;
const HAS_YEAR = /(19|20)\d{2}|[〇零一二三四五六七八九]{4}\s*年/;

/** About a report but not the report: also how attachment links to them are told apart. */
const ABOUT_A_REPORT: [RegExp, string][] = [
  [/解读|答记者问|问答/, 'an interpretation (解读) of a report, not the report'],
  [/图解|图说|一图|读懂|长图/, 'a graphic summary (图解) of a report, not the report'],
];

/** Near misses that carry report words but are not reports (sites.md §1.4). Order: most specific first. */
const NEAR_MISSES: [RegExp, string][] = [
  ...ABOUT_A_REPORT,
  [/格式|模板|样本|编制说明|填报/, 'the report-format notice (年度报告格式), not a report'],
  [/法治政府/, 'a 法治政府建设 annual report, not an information-disclosure report'],
  [/预算|决算|财务/, 'a budget or final-accounts (预决算) document'],
  [/工作要点|要点/, 'a 政务公开工作要点 plan, not a report'],
  [/指南|制度|目录/, 'a 政府信息公开指南/制度/目录 page'],
  [/通知|通报|公告|关于|考核|评估|评议|检查|抽查|统计公报/, 'a notice or review about reports, not a report'],
];

const TRADITIONAL: Record<string, string> = { 開: '开', 報: '报', 務: '务', 資: '资', 訊: '讯', 條: '条', 門: '门', 區: '区', 縣: '县' };

/** Whitespace-free, simplified form of a title (titles break lines inside words on real lists). */
export function normalizeTitle(title: string): string {
  return title
    .replace(/[\s\u3000\u00a0]+/g, '')
    .replace(/[開報務資訊條門區縣]/g, (ch) => TRADITIONAL[ch] ?? ch)
    .replace(/[.…]{2,}$|…$/u, '');
}

export interface TitleVerdict {
  isReport: boolean;
  /** Why not, for the crawl log; "" when accepted. */
  reason: string;
}

/**
 * Is this link text the title of an annual report (政府信息公开工作年度报告)? Requires report wording
 * and a year; rejects the near misses (解读, 法治政府建设年度报告, 年度报告格式, 预决算, 工作要点 …).
 */
export function classifyTitle(title: string): TitleVerdict {
  const t = normalizeTitle(title);
  const worded = REPORT_WORDING.test(t) || YEAR_REPORT.test(t);
  if (!worded) return { isReport: false, reason: 'no annual-report wording' };
  for (const [pattern, reason] of NEAR_MISSES) if (pattern.test(t)) return { isReport: false, reason };
  if (!HAS_YEAR.test(t)) return { isReport: false, reason: 'no report year' };
  return { isReport: true, reason: '' };
}

/** A sub-column of an annual-report column: "2024年", "2023年度", "部门年报", "乡镇（街道）年度报告". */
export function isReportColumnTitle(title: string): boolean {
  const t = normalizeTitle(title);
  if (/^(19|20)\d{2}(年度?)?(年报|年度报告)?$/.test(t)) return true;
  return /^(区|县|市)?(政府)?(部门|乡镇|街道|乡镇（街道）|乡镇\(街道\)|镇街|区直|县直|市直|单位|直属单位)(政府信息公开)?(工作)?(年报|年度报告)$/.test(t) ||
    /^(政府)?信息公开(工作)?(年报|年度报告)$/.test(t);
}

// ---------------------------------------------------------------------------------------------
// List pages

/** Parse a list (column) page: its links, its other pages, its Hanweb units, a script redirect. */
export function parseListPage(html: string, pageUrl: string): ListPage {
  const $ = cheerio.load(html);
  const base = baseUrlOf($, pageUrl);
  const links = new LinkSet();

  collectAnchors($, base, links);
  const hanwebUnits: HanwebUnit[] = [];
  const scripts = $('script').toArray();
  for (const script of scripts) {
    const el = $(script);
    const code = el.html() ?? '';
    if ((el.attr('type') ?? '').toLowerCase() === 'text/xml') {
      const records = datastoreRecords(code);
      for (const record of records) collectAnchors(cheerio.load(record), base, links);
      const unitId = el.parent().attr('id');
      if (unitId) hanwebUnits.push(...hanwebUnitsOf(html, unitId, records.length, base));
      continue;
    }
    collectScriptLinks(code, base, links);
  }

  const pages = new Set<string>();
  for (const script of scripts) {
    const code = $(script).html() ?? '';
    for (const page of scriptPagination(code, base)) pages.add(page);
  }
  for (const page of pagerLinks($, base)) pages.add(page);
  pages.delete(stripFragment(pageUrl));

  return {
    links: links.values(),
    pages: [...pages],
    hanwebUnits: dedupeUnits(hanwebUnits),
    scriptRedirect: scriptRedirect(html, base),
  };
}

/** Records of a Hanweb dataproxy response (or an embedded datastore): the list links they hold. */
export function parseHanwebGroup(xml: string, pageUrl: string): ListLink[] {
  const links = new LinkSet();
  for (const record of datastoreRecords(xml)) {
    collectAnchors(cheerio.load(record), pageUrl, links);
  }
  return links.values();
}

/**
 * The POSTs that fetch a Hanweb unit's remaining groups: `startrecord`/`endrecord` in groups of
 * perPage × groupSize after the embedded first group, form body from `param_<unitid>`.
 */
export function hanwebGroupRequests(unit: HanwebUnit): HanwebGroupRequest[] {
  const groupRecords = Math.max(1, unit.perPage * unit.groupSize);
  const first = Math.max(unit.embeddedRecords, groupRecords);
  const body = new URLSearchParams(unit.form).toString();
  const requests: HanwebGroupRequest[] = [];
  for (let start = first + 1; start <= unit.totalRecord; start += groupRecords) {
    const end = Math.min(unit.totalRecord, start + groupRecords - 1);
    const url = new URL(unit.proxyUrl);
    url.searchParams.set('startrecord', String(start));
    url.searchParams.set('endrecord', String(end));
    url.searchParams.set('perpage', String(unit.perPage));
    requests.push({ url: url.toString(), body });
  }
  return requests;
}

/** An attachment whose link text says it is a near miss (附件：…年报解读.pdf, 图解): not worth fetching. */
export function isNearMissLink(text: string): boolean {
  const t = normalizeTitle(text);
  return ABOUT_A_REPORT.some(([pattern]) => pattern.test(t));
}

// ---------------------------------------------------------------------------------------------
// Internals

class LinkSet {
  private readonly byUrl = new Map<string, ListLink>();

  add(base: string, href: string, text: string, date: string | null): void {
    const url = resolveHref(base, href);
    if (!url) return;
    const title = cleanText(text);
    const existing = this.byUrl.get(url);
    // Keep the longest title seen (pc and mobile units, a truncated text and a full title attribute).
    if (!existing) this.byUrl.set(url, { url, title, date });
    else {
      if (title.length > existing.title.length) existing.title = title;
      existing.date ??= date;
    }
  }

  values(): ListLink[] {
    return [...this.byUrl.values()];
  }
}

/** Every `<a>` of a parsed document (a page, or one Hanweb record). */
function collectAnchors($: cheerio.CheerioAPI, base: string, links: LinkSet): void {
  $('a').each((_, el) => {
    const a = $(el);
    const href = hrefOf(a.attr('href'), a.attr('onclick'));
    if (!href) return;
    links.add(base, href, anchorTitle(a.text(), a.attr('title')), itemDate($, el));
  });
}

/** The visible text, or the title attribute when the text is truncated ("…") or empty. */
function anchorTitle(text: string, titleAttr: string | undefined): string {
  const visible = cleanText(text);
  const attr = cleanText(titleAttr ?? '');
  if (!attr) return visible;
  const stem = visible.replace(/(\.{2,}|…+)$/u, '');
  if (!visible || stem !== visible || (attr.startsWith(stem) && attr.length > stem.length)) return attr;
  return visible;
}

/** An anchor's target: its href, or the URL quoted in an onclick handler when href is empty or script. */
function hrefOf(href: string | undefined, onclick: string | undefined): string | null {
  const h = (href ?? '').trim();
  if (h && !/^(javascript:|#|mailto:|tel:)/i.test(h)) return h;
  if (onclick) {
    const quoted = /['"]((?:https?:)?\/{0,2}[^'"\s]*\.(?:s?html?|jsp|php|aspx?)(?:\?[^'"]*)?)['"]/i.exec(onclick);
    if (quoted) return quoted[1];
  }
  return null;
}

/** The date printed in the same list item (li, tr, dd) as the anchor, outside the anchor text. */
function itemDate($: cheerio.CheerioAPI, el: Parameters<cheerio.CheerioAPI>[0]): string | null {
  const item = $(el).closest('li, tr, dd, dl, p');
  if (item.length === 0) return null;
  const clone = item.clone();
  clone.find('a').remove();
  return parseDate(clone.text());
}

/** The CDATA payloads of `<record>` elements (Hanweb datastore and dataproxy responses). */
function datastoreRecords(xml: string): string[] {
  const records: string[] = [];
  const re = /<record>\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*<\/record>/gi;
  for (let m = re.exec(xml); m; m = re.exec(xml)) records.push(m[1]);
  return records;
}

/** Anchors written by scripts: `var att = '<a href="./P0….pdf">…</a>'` and TRS `var url = "…"; var title = "…"`. */
function collectScriptLinks(code: string, base: string, links: LinkSet): void {
  if (!/href|var\s+(url|str_1)\b/i.test(code)) return;
  const unescaped = code.replace(/\\(["'/])/g, '$1');
  const anchor = /<a\s[^>]*?href\s*=\s*["']([^"']+)["'][^>]*>([\s\S]*?)<\/a>/gi;
  for (let m = anchor.exec(unescaped); m; m = anchor.exec(unescaped)) {
    const titleAttr = /title\s*=\s*["']([^"']*)["']/i.exec(m[0])?.[1];
    links.add(base, m[1], anchorTitle(stripTags(m[2]), titleAttr), parseDate(unescaped.slice(m.index + m[0].length, m.index + m[0].length + 200)));
  }
  // Wuhan-style lists: each item is a block of `var url = "…"; var title = "…";` before document.writeln.
  const pair = /var\s+url\s*=\s*["']([^"']+)["'];?[\s\S]{0,300}?var\s+title\s*=\s*["']([^"']+)["']/g;
  for (let m = pair.exec(unescaped); m; m = pair.exec(unescaped)) links.add(base, m[1], m[2], null);
}

/** Page URLs announced by TRS pagination scripts. */
function scriptPagination(code: string, base: string): string[] {
  const pages: string[] = [];
  const call = /createPage(?:HTML)?\s*\(([^)]*)\)/g;
  for (let m = call.exec(code); m; m = call.exec(code)) {
    if (/function\s+createPage/.test(code.slice(Math.max(0, m.index - 10), m.index + 15))) continue;
    const args = m[1].split(',').map((a) => a.trim().replace(/^["']|["']$/g, ''));
    if (args.length >= 4 && /^\d+$/.test(args[0])) {
      // createPageHTML(totalPages, currentPage0, "index", "html"): index.html, index_1.html … 0-based.
      pages.push(...numberedPages(base, args[2], args[3], Number(args[0]), 0));
    } else if (args.length >= 5 && /^\d+$/.test(args[1])) {
      // createPageHTML('page_div', totalPages, currentPage1, 'list', 'shtml', total): list.shtml, list_2.shtml … 1-based.
      pages.push(...numberedPages(base, args[3], args[4], Number(args[1]), 1));
    }
  }
  // Inlined pager: var countPage = 17 … "index"+"_" + nextPage + "."+"html"
  const count = /var\s+countPage\s*=\s*(\d+)/.exec(code);
  if (count) {
    const stem = /["']([\w-]+)["']\s*\+\s*["']_["']/.exec(code)?.[1] ?? 'index';
    const ext = /["']\.["']\s*\+\s*["'](\w+)["']/.exec(code)?.[1] ?? extensionOf(base) ?? 'html';
    pages.push(...numberedPages(base, stem, ext, Number(count[1]), 0));
  }
  return pages;
}

const MAX_ANNOUNCED_PAGES = 500;

function numberedPages(base: string, stem: string, ext: string, total: number, firstSuffix: 0 | 1): string[] {
  const pages: string[] = [];
  const n = Math.min(total, MAX_ANNOUNCED_PAGES);
  for (let i = 0; i < n; i++) {
    const suffix = firstSuffix === 0 ? i : i + 1;
    const name = i === 0 ? `${stem}.${ext}` : `${stem}_${suffix}.${ext}`;
    const url = resolveHref(base, name);
    if (url) pages.push(url);
  }
  return pages;
}

/** 下一页 / 尾页 links and numbered page links ("2", "3" …, `?page=N`, `index_N.html`). */
function pagerLinks($: cheerio.CheerioAPI, base: string): string[] {
  const pages: string[] = [];
  $('a').each((_, el) => {
    const a = $(el);
    const text = cleanText(a.text());
    const label = `${text}${a.attr('title') ?? ''}`;
    const href = hrefOf(a.attr('href'), a.attr('onclick'));
    if (!href) return;
    const url = resolveHref(base, href);
    if (!url) return;
    const isNext = /下一?页|后一页|尾页|末页|最后一页/.test(label);
    const isNumber = /^\d{1,4}$/.test(text) && looksLikePageOf(url, base);
    if (isNext || isNumber) pages.push(url);
  });
  return pages;
}

/** A numbered link is a page of this list when it differs from it only by a page number. */
function looksLikePageOf(url: string, base: string): boolean {
  const a = new URL(url);
  const b = new URL(base);
  if (a.host !== b.host) return false;
  if (/[?&](page|pageNum|pageNo|pageIndex|cur_page|p)=\d+/i.test(a.search)) return true;
  const dir = (p: string) => p.replace(/[^/]*$/, '');
  return dir(a.pathname) === dir(b.pathname) && /_\d+\.\w+$|\/\d+\.s?html?$/.test(a.pathname);
}

function hanwebUnitsOf(html: string, unitId: string, embeddedRecords: number, base: string): HanwebUnit[] {
  const param = new RegExp(`var\\s+param_${unitId}\\s*=\\s*\\{([^}]*)\\}`).exec(html);
  if (!param) return [];
  const form: Record<string, string> = {};
  const pair = /(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,}\s]+))/g;
  for (let m = pair.exec(param[1]); m; m = pair.exec(param[1])) form[m[1]] = m[2] ?? m[3] ?? m[4] ?? '';

  // Every jpage call on this unit; the last totalRecord wins (the search-form handler carries a decoy).
  const calls = html.split(new RegExp(`\\$\\(\\s*['"]#${unitId}['"]\\s*\\)\\.jpage\\(`)).slice(1);
  let totalRecord: number | null = null;
  let perPage = 10;
  let groupSize = 3;
  let proxyUrl = '/module/web/jpage/dataproxy.jsp';
  for (const call of calls) {
    const body = call.split(/\.jpage\(/)[0];
    const total = /totalRecord\s*:\s*(\d+)/.exec(body);
    if (total) totalRecord = Number(total[1]);
    perPage = Number(/perPage\s*:\s*(\d+)/.exec(body)?.[1] ?? perPage);
    groupSize = Number(/groupSize\s*:\s*(\d+)/.exec(body)?.[1] ?? groupSize);
    proxyUrl = /proxyUrl\s*:\s*['"]([^'"]+)['"]/.exec(body)?.[1] ?? proxyUrl;
  }
  if (totalRecord === null) return [];
  const proxy = resolveHref(base, proxyUrl);
  if (!proxy) return [];
  return [{ unitId, columnId: form.columnid ?? null, proxyUrl: proxy, form, totalRecord, perPage, groupSize, embeddedRecords }];
}

/** The pc and mobile units of one column carry the same records: page through one of them. */
function dedupeUnits(units: HanwebUnit[]): HanwebUnit[] {
  const seen = new Set<string>();
  return units.filter((u) => {
    const key = `${u.columnId ?? u.unitId}|${u.totalRecord}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `location.href = "/col/col91477/index.html"` on a page with nothing else to offer. */
function scriptRedirect(html: string, base: string): string | null {
  if (html.length > 4096) return null;
  const m = /(?:window\.)?location(?:\.href)?\s*=\s*["']([^"']+)["']/.exec(html);
  return m ? resolveHref(base, m[1]) : null;
}

function baseUrlOf($: cheerio.CheerioAPI, pageUrl: string): string {
  const href = $('base[href]').first().attr('href');
  return (href && resolveHref(pageUrl, href)) || pageUrl;
}

function resolveHref(base: string, href: string): string | null {
  const h = href.trim().replace(/&amp;/g, '&');
  if (!h || /^(javascript:|#|mailto:|tel:|data:)/i.test(h)) return null;
  try {
    const url = new URL(h, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    url.hash = '';
    return url.toString();
  } catch {
    return null;
  }
}

function stripFragment(url: string): string {
  return resolveHref(url, url) ?? url;
}

function extensionOf(url: string): string | null {
  return /\.(\w+)$/.exec(new URL(url).pathname)?.[1] ?? null;
}

function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, '');
}

function cleanText(text: string): string {
  return text.replace(/[\s\u3000\u00a0]+/g, ' ').trim();
}
