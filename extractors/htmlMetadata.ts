// Page metadata around the report body: <meta> tags, the 信息公开目录 catalog block, the
// publication date, the title and attachment links (sites.md §1.5, §5).
import type { AnyNode, Element, Text } from 'domhandler';
import type { Block } from './document.ts';
import { attr, contains, isElement, isSkipped, isTextNode, LineBuffer, normalizeLine, orderOf, statsOf, textOf, walk, type PageIndex } from './htmlBody.ts';

// ---------------------------------------------------------------------------------------------
// <meta> tags

/** `<meta name|property content>` by lower-cased name; the first non-empty value wins. */
export function readMetaTags(index: PageIndex): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const el of index.metas) {
    const name = (el.attribs.name ?? el.attribs.property ?? '').trim().toLowerCase();
    const content = normalizeLine(el.attribs.content ?? '');
    if (name && content && !tags[name]) tags[name] = content;
  }
  return tags;
}

// ---------------------------------------------------------------------------------------------
// The 信息公开目录 block

/** Field labels of catalog blocks seen on gov sites (sites.md §5.1), longest first for matching. */
const CATALOG_LABELS = [
  '索引号', '主题分类', '发文机关', '发文机构', '发布机构', '成文日期', '发布日期', '公开日期', '发布时间', '发文字号', '文号',
  '标题', '名称', '信息名称', '文件名称', '分类', '信息分类', '文件分类', '组配分类', '体裁分类', '服务对象分类', '关键词', '关键字',
  '主题词', '有效性', '时效', '公文时效', '公开方式', '公开范围', '公开形式', '公开时限', '发布单位', '发文单位', '生成日期', '发文日期',
  '上载日期', '所属机构', '责任部门', '信息来源', '来源', '文件编号', '统一编号', '公文种类', '内容概述', '文件下载', '实施日期', '废止日期',
].sort((a, b) => b.length - a.length);

const LABEL_SET = new Set(CATALOG_LABELS);
/** Labels are printed with spaces (索 引 号) and ideographic spaces (标　　题) between the characters. */
const labelPattern = (label: string) => [...label].join('[\\s\\u3000]*');
const LABEL_ALTERNATION = CATALOG_LABELS.map(labelPattern).join('|');
/** A whole segment that is only a label (a label cell): `索 引 号：`, `发布机构`. */
const LABEL_ONLY = new RegExp(`^(${LABEL_ALTERNATION})[\\s\\u3000]*[:：]?$`);
/** Labels followed by a colon inside running text: `索引号：K28…  发文字号：武政规〔2026〕4号`. */
const LABEL_WITH_COLON = new RegExp(`(${LABEL_ALTERNATION})[\\s\\u3000]*[:：]`, 'g');
/** An unlisted short label with a colon at the start of a segment: `信息格式：文本`. */
const GENERIC_LABEL = /^([\u4e00-\u9fff][\u4e00-\u9fff\s\u3000]{0,9})[:：]\s*(.*)$/;

/** What a label is compared without: spacing inside it (`索 引 号`) and its colon. */
const LABEL_FILLER = '\\s\\u3000:：';
const LABEL_FILLERS = new RegExp(`[${LABEL_FILLER}]+`, 'g');
const FIRST_LABEL_CHARACTER = new RegExp(`[^${LABEL_FILLER}]`);
const compactLabel = (label: string) => label.replace(LABEL_FILLERS, '');

/** The characters labels start with: most short texts (table cells, numbers) start with none of them. */
const LABEL_STARTS = new Set(CATALOG_LABELS.map((label) => label[0]));
/** Whether the text, without what compactLabel removes, starts as a label does. */
function startsLikeLabel(text: string): boolean {
  const first = FIRST_LABEL_CHARACTER.exec(text);
  return first !== null && LABEL_STARTS.has(first[0]);
}

/** Catalog labels a text node carries: the whole node, or labels followed by a colon. */
function labelsIn(text: string): string[] {
  // A label is a short text of its own, or is followed by a colon.
  const hasColon = text.includes('：') || text.includes(':');
  if (text.length <= 24 && startsLikeLabel(text)) {
    const whole = compactLabel(text);
    if (LABEL_SET.has(whole)) return [whole];
  }
  return hasColon ? [...text.matchAll(LABEL_WITH_COLON)].map((m) => compactLabel(m[1])) : [];
}

/** A catalog block is short: a few dozen fields at most. */
const MAX_CATALOG_TEXT = 1500;

/** The smallest block holding the catalog fields, if the page has one. */
export function findCatalog(index: PageIndex, bodyContainer: AnyNode): Element | null {
  const labelsByElement = new Map<Element, Set<string>>();
  const firstQualifying = new Set<Element>();
  const qualifies = (labels: Set<string>) => labels.size >= 4 || (labels.size >= 3 && labels.has('索引号'));
  for (const node of index.shortTexts) {
    const labels = labelsIn(node.data);
    if (labels.length === 0) continue;
    let first: Element | null = null;
    for (let el = node.parent; el && isElement(el); el = el.parent) {
      let set = labelsByElement.get(el);
      if (!set) labelsByElement.set(el, (set = new Set()));
      for (const l of labels) set.add(l);
      if (!first && qualifies(set)) first = el;
    }
    if (first) firstQualifying.add(first);
  }
  // Only elements that qualify without a qualifying child: the catalog itself, not the page around it.
  // Inside the body, a table with 名称/文号/发布日期 columns may be part of the report: there the
  // catalog must have its 索引号.
  let best: Element | null = null;
  for (const el of firstQualifying) {
    const set = labelsByElement.get(el) as Set<string>;
    if (contains(el, bodyContainer) || [...firstQualifying].some((o) => o !== el && contains(el, o))) continue;
    if (statsOf(index, el).text > MAX_CATALOG_TEXT || (contains(bodyContainer, el) && !set.has('索引号'))) continue;
    if (!best || set.size > (labelsByElement.get(best) as Set<string>).size) best = el;
  }
  if (!best) return null;
  // Grow to the whole block when the rows hold labels of their own (six-cell row layouts).
  for (;;) {
    const parent: AnyNode | null = best.parent;
    if (!parent || !isElement(parent) || contains(parent, bodyContainer)) break;
    const gained = (labelsByElement.get(parent)?.size ?? 0) > (labelsByElement.get(best) as Set<string>).size;
    if (!gained || statsOf(index, parent).text > MAX_CATALOG_TEXT) break;
    best = parent;
  }
  return best;
}

/** Cells of a catalog block: each table cell / list item / dd as one segment (empty ones kept), other lines as segments. */
function catalogSegments(root: Element): string[] {
  const segments: string[] = [];
  const buf = new LineBuffer();
  const flush = () => {
    const line = buf.lineBreak();
    if (line) segments.push(line);
  };
  const breaksLine = (el: Element) => /^(br|p|div|tr|h\d|ul|ol|dl|table|tbody|section)$/.test(el.name);
  walk(
    root,
    (node) => {
      if (isTextNode(node)) buf.add(node.data);
      if (!isElement(node) || isSkipped(node)) return false;
      if (/^(td|th|li|dt|dd)$/.test(node.name)) {
        flush();
        segments.push(textOf(node));
        return false;
      }
      if (breaksLine(node)) flush();
      return true;
    },
    (node) => {
      if (isElement(node) && breaksLine(node)) flush();
    },
  );
  flush();
  return segments;
}

/** Field label → value. Labels lose all whitespace and colons (索 引 号： → 索引号); the first non-empty value wins. */
export function readCatalog(root: Element): Record<string, string> {
  const catalog: Record<string, string> = {};
  const put = (label: string, value: string) => {
    const key = compactLabel(label);
    const v = normalizeLine(value);
    if (key && (catalog[key] === undefined || (!catalog[key] && v))) catalog[key] = v;
  };
  const isLabelCell = (s: string) => LABEL_ONLY.test(s) || /^[\u4e00-\u9fff][\u4e00-\u9fff\s\u3000]{0,9}[:：]$/.test(s);
  const segments = catalogSegments(root);
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (isLabelCell(seg)) {
      const next = segments[i + 1];
      if (next !== undefined && !isLabelCell(next) && !startsWithLabel(next)) {
        put(seg, next);
        i++;
      } else put(seg, '');
      continue;
    }
    const marks = [...seg.matchAll(LABEL_WITH_COLON)];
    if (marks.length > 0) {
      marks.forEach((m, k) => {
        const start = (m.index ?? 0) + m[0].length;
        const end = k + 1 < marks.length ? (marks[k + 1].index ?? seg.length) : seg.length;
        put(m[1], seg.slice(start, end));
      });
      continue;
    }
    const generic = GENERIC_LABEL.exec(seg);
    if (generic) put(generic[1], generic[2]);
  }
  return catalog;
}

const startsWithLabel = (s: string) => {
  LABEL_WITH_COLON.lastIndex = 0;
  const m = LABEL_WITH_COLON.exec(s);
  LABEL_WITH_COLON.lastIndex = 0;
  return m !== null && m.index === 0;
};

// ---------------------------------------------------------------------------------------------
// Dates

const DATE = /(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)/;

/** First calendar date in the text as ISO yyyy-mm-dd (2024-01-17, 2024/1/17, 2018年12月29日). */
export function parseDate(text: string): string | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1990 || y > 2100 || mo < 1 || mo > 12 || d < 1) return null;
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCMonth() !== mo - 1) return null;
  return date.toISOString().slice(0, 10);
}

const CATALOG_DATE_LABELS = ['发布日期', '公开日期', '发布时间'];
const PUBDATE_META = ['pubdate', 'publishdate'];
/** `发布时间：2024-01-05 11:19`, `时间:2024-01-22 17:28`; not 采集时间, 成文日期, 更新时间 (a CJK character before 时间/日期). */
const LABELLED_BYLINE = /(?<![\u4e00-\u9fff])(?:发布|公开|发表)?(?:时间|日期)\s*[:：]/;
/** `2025-02-05 17:21 武汉市民政局`: a date with a clock time. */
const TIMESTAMP = /(?<!\d)\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}/;
const CHINESE_DATE = /(?<!\d)\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?!\s*(?:星期|周[一二三四五六日天]))/;
const SIGNATURE_DATE = /^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$/;

export interface PublishDate {
  date: string;
  source: string;
}

/**
 * The publication date: catalog 发布日期/公开日期/发布时间, then <meta name=PubDate>, then a byline
 * near the body, then a Chinese date near the body, then the signature date at the end of the body.
 * Never the URL (sites.md §5.3).
 */
export function findPublishDate(
  index: PageIndex,
  catalog: Record<string, string>,
  metaTags: Record<string, string>,
  near: { roots: AnyNode[]; catalogBlock: Element | null; blocks: Block[] },
): PublishDate | null {
  for (const label of CATALOG_DATE_LABELS) {
    const date = catalog[label] ? parseDate(catalog[label]) : null;
    if (date) return { date, source: `catalog:${label}` };
  }
  for (const name of PUBDATE_META) {
    const date = metaTags[name] ? parseDate(metaTags[name]) : null;
    if (date) return { date, source: `meta:${name}` };
  }
  const candidates = textsByDistance(index, near.roots, near.catalogBlock);
  for (const node of candidates) {
    if (!LABELLED_BYLINE.test(node.data)) continue;
    // The label and the date are often in separate elements: <span>发布时间：</span><span>2024-01-05</span>
    const text = node.parent ? textOf(node.parent) : node.data;
    const m = LABELLED_BYLINE.exec(text);
    const date = m ? parseDate(text.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 40)) : null;
    if (date) return { date, source: 'byline' };
  }
  const outsideBody = candidates.filter((n) => !near.roots.some((r) => contains(r, n)));
  for (const [pattern, source] of [[TIMESTAMP, 'byline'], [CHINESE_DATE, 'page text']] as const) {
    for (const node of outsideBody) {
      const m = pattern.exec(node.data);
      const date = m ? parseDate(m[0]) : null;
      if (date) return { date, source };
    }
  }
  return signatureDate(near.blocks);
}

/** The date line of the signature, among the last blocks of a report (2024年1月16日). */
export function signatureDate(blocks: Block[]): PublishDate | null {
  const tail = blocks.slice(-4).filter((b) => b.kind === 'text');
  for (const b of tail.reverse()) {
    if (b.kind === 'text' && SIGNATURE_DATE.test(b.text)) {
      const date = parseDate(b.text);
      if (date) return { date, source: 'signature' };
    }
  }
  return null;
}

/** Short texts outside the catalog, nearest to the start of the body first (texts before the body win ties). */
function textsByDistance(index: PageIndex, roots: AnyNode[], catalogBlock: Element | null): Text[] {
  const start = orderOf(roots[0]);
  const dist = (n: Text) => {
    const o = orderOf(n);
    return o < start ? (start - o) * 2 : (o - start) * 2 + 1;
  };
  return index.shortTexts
    .filter((n) => /\d{4}/.test(n.data) || LABELLED_BYLINE.test(n.data))
    .filter((n) => !catalogBlock || !contains(catalogBlock, n))
    .sort((a, b) => dist(a) - dist(b));
}

// ---------------------------------------------------------------------------------------------
// Title

/** Heading-like elements near the body, by preference. */
const TITLE_CLASS = /(?:^|[\s_-])(?:title|tit|bt|biaoti|article-title|detail-title|con-title)(?:$|[\s_-])/i;
const headingRank = (el: Element): number => {
  if (el.name === 'h1' || el.name === 'ucaptitle') return 0;
  if (TITLE_CLASS.test(`${attr(el, 'class')} ${attr(el, 'id')}`)) return 1;
  if (el.name === 'h2') return 2;
  return -1;
};
/** How many ancestor levels above the body to look for its heading. */
const TITLE_SEARCH_LEVELS = 4;

export interface FoundTitle {
  title: string;
  source: string;
}

/** ArticleTitle meta, else a heading just before the body, else the catalog 标题/名称, else <title> without the site name. */
export function findTitle(index: PageIndex, metaTags: Record<string, string>, roots: AnyNode[], catalog: Record<string, string>): FoundTitle | null {
  if (metaTags.articletitle) return { title: metaTags.articletitle, source: 'meta:ArticleTitle' };
  const heading = headingBefore(roots[0]);
  if (heading) return { title: heading, source: 'heading' };
  for (const label of ['标题', '名称', '信息名称', '文件名称']) {
    if (catalog[label]) return { title: catalog[label], source: `catalog:${label}` };
  }
  for (const el of index.titles) {
    // textOf skips <title> itself (page chrome for body text): read its children.
    const title = siteSuffixRemoved(el.children.map(textOf).join(' ').trim());
    if (title) return { title, source: '<title>' };
  }
  return null;
}

function headingBefore(start: AnyNode): string | null {
  let child: AnyNode = start;
  for (let level = 0; level < TITLE_SEARCH_LEVELS && child.parent; level++) {
    for (let sib = child.prev; sib; sib = sib.prev) {
      const found = bestHeading(sib);
      if (found) return found;
    }
    child = child.parent;
  }
  return null;
}

/** The best-ranked heading in a subtree (the last one of that rank, the nearest to the body). */
function bestHeading(root: AnyNode): string | null {
  let best: { rank: number; text: string } | null = null;
  walk(root, (n) => {
    if (!isElement(n) || isSkipped(n)) return false;
    const rank = headingRank(n);
    if (rank < 0) return true;
    const text = textOf(n);
    if (text.length >= 4 && text.length <= 200 && (!best || rank <= best.rank)) best = { rank, text };
    return rank > 0;
  });
  return best ? (best as { text: string }).text : null;
}

/** `沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局` → the report title (the longest part). */
function siteSuffixRemoved(title: string): string {
  const parts = title.split(/\s*[-_|｜—–－]+\s*/).map((p) => p.trim()).filter(Boolean);
  return parts.reduce((best, p) => (p.length > best.length ? p : best), '');
}

// ---------------------------------------------------------------------------------------------
// Attachments

const ATTACHMENT_EXT = /\.(pdf|docx?|wps|xlsx?|et|zip|rar|ofd)$/i;
/** Query parameters that carry the real file name (Hanweb downfile.jsp?filename=…, Hubei …zip?fileName=…). */
const FILE_NAME_PARAMS = /^(filename|file|name|fn)$/i;
/** `<a href="./P020160711317006236449.xlsx">上海市印花税应税凭证清单</a>` inside a JS string. */
const SCRIPT_LINK = /<a\b[^>]*?\bhref\s*=\s*\\?["']([^"'\\]+)\\?["'][^>]*>([\s\S]*?)<\\?\/a>/gi;

export function isAttachmentHref(href: string): boolean {
  const [beforeHash] = href.split('#');
  const [path, query = ''] = beforeHash.split('?');
  if (ATTACHMENT_EXT.test(path.trim())) return true;
  for (const pair of query.split('&')) {
    const [k, v = ''] = pair.split('=');
    if (FILE_NAME_PARAMS.test(k) && ATTACHMENT_EXT.test(safeDecode(v).trim())) return true;
  }
  return false;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Attachment links in the article area (the body, the catalog block, and the elements just around
 * the body), from <a href>, <file href> and `<a href>` markup inside inline scripts; resolved
 * against <base href> and the page URL when known.
 */
export function findAttachments(index: PageIndex, areas: AnyNode[], pageUrl: string | undefined): { url: string; text: string }[] {
  const base = resolveBase(index.baseHref, pageUrl);
  const found = new Map<string, string>();
  const add = (href: string, text: string) => {
    const h = href.trim();
    if (!h || /^(javascript|mailto|tel):/i.test(h) || !isAttachmentHref(h)) return;
    const url = resolve(h, base);
    const t = normalizeLine(text);
    if (!found.has(url) || (!found.get(url) && t)) found.set(url, t);
  };
  const inArea = (n: AnyNode) => areas.some((a) => contains(a, n));
  for (const el of index.links) {
    if (!inArea(el)) continue;
    const text = textOf(el) || attr(el, 'title') || attr(el, 'download');
    add(el.attribs.href, text);
  }
  for (const script of index.scripts) {
    if (!inArea(script)) continue;
    for (const c of script.children) {
      if (isTextNode(c)) for (const m of c.data.matchAll(SCRIPT_LINK)) add(m[1], m[2].replace(/<[^>]*>/g, ''));
    }
  }
  return [...found].map(([url, text]) => ({ url, text: text || fileName(url) }));
}

/** Links of the page (image sources) made absolute against its <base href> or URL; duplicates dropped. */
export function resolveLinks(index: PageIndex, hrefs: string[], pageUrl: string | undefined): string[] {
  const base = resolveBase(index.baseHref, pageUrl);
  return [...new Set(hrefs.map((h) => resolve(h, base)))];
}

function resolveBase(baseHref: string | null, pageUrl: string | undefined): URL | null {
  try {
    if (baseHref) return new URL(baseHref, pageUrl);
    return pageUrl ? new URL(pageUrl) : null;
  } catch {
    return null;
  }
}

function resolve(href: string, base: URL | null): string {
  try {
    return new URL(href, base ?? undefined).href;
  } catch {
    return href;
  }
}

function fileName(url: string): string {
  const [path, query = ''] = url.split('#')[0].split('?');
  const param = query.split('&').map((p) => p.split('=')).find(([k]) => FILE_NAME_PARAMS.test(k));
  return safeDecode(param?.[1] ?? path.slice(path.lastIndexOf('/') + 1));
}
