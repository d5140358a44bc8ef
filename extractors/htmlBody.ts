// The report body of a government web page: one pass indexes the page, the body is located
// inside the page chrome (CMS containers, content markers, or the element that holds the report),
// then read into text blocks and table grids in reading order.
import { DomUtils } from 'htmlparser2';
import type { AnyNode, Document, Element, Text } from 'domhandler';
import type { Block, Grid, Issue } from './document.ts';
import { MAX_COLSPAN, MAX_ROWSPAN, placeCells, spanValue, type RawCell } from './tableGrid.ts';

// ---------------------------------------------------------------------------------------------
// DOM primitives

export const isElement = (node: AnyNode): node is Element => DomUtils.isTag(node);
export const isTextNode = (node: AnyNode): node is Text => DomUtils.isText(node);

/** Never content: code, forms, embedded objects, the document head. */
const SKIP_TAGS = new Set([
  'script', 'style', 'noscript', 'template', 'head', 'title', 'meta', 'link', 'select', 'option', 'button',
  'input', 'textarea', 'object', 'embed', 'iframe', 'frame', 'frameset', 'svg', 'canvas', 'audio', 'video',
]);
/** Page chrome by tag. (<header> is not: article headers hold the title and the byline.) */
const CHROME_TAGS = new Set(['nav', 'footer', 'aside']);
/** Page chrome by class or id word (navigation, breadcrumbs 当前位置, share bars, footers). */
const CHROME_TOKEN = /(?:^|[\s_-])(?:nav|navbar|navigation|menu|footer|breadcrumbs?|crumbs?|position|location|dqwz|share|bdshare|bdsharebuttonbox|toolbar|sidebar|copyright|friendlink)(?:$|[\s_-]|\d)/i;
const HIDDEN_STYLE = /display\s*:\s*none|visibility\s*:\s*hidden/i;

/** Elements that start and end a line of text. */
const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'dialog', 'dir', 'div',
  'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header',
  'hgroup', 'hr', 'html', 'legend', 'li', 'main', 'menu', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table',
  'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
]);

export function attr(el: Element, name: string): string {
  return el.attribs[name] ?? '';
}

function isChromeElement(el: Element): boolean {
  if (CHROME_TAGS.has(el.name)) return true;
  const { class: cls, id } = el.attribs;
  return (cls !== undefined && CHROME_TOKEN.test(cls)) || (id !== undefined && CHROME_TOKEN.test(id));
}

/** Skipped everywhere: non-content tags and hidden elements. */
export function isSkipped(el: Element): boolean {
  const style = el.attribs.style;
  return SKIP_TAGS.has(el.name) || (style !== undefined && style.length >= 10 && HIDDEN_STYLE.test(style));
}

const CJK = '\\u2e80-\\u2fdf\\u3000-\\u303f\\u3040-\\u9fff\\uf900-\\ufaff\\ufe30-\\ufe4f\\uff00-\\uffef';
/**
 * A source line break between two CJK characters is editor formatting, not a space (CSS Text 3
 * segment-break transformation); elsewhere HTML whitespace and &nbsp; collapse to one space.
 */
const SEGMENT_BREAK_IN_CJK = new RegExp(`([${CJK}])[ \\t\\r\\f]*\\n[ \\t\\n\\r\\f]*(?=[${CJK}])`, 'g');

/** Whitespace-normalise one line of text; U+3000 inside the line is kept, at its ends trimmed. */
export function normalizeLine(raw: string): string {
  // Most lines are one word with source whitespace around it ("\n    予以公开\n  "): trimming is all
  // the four passes below would do, so they run only when whitespace or a zero-width character is inside.
  let start = 0;
  let end = raw.length;
  while (start < end && isJsSpace(raw.charCodeAt(start))) start++;
  while (end > start && isJsSpace(raw.charCodeAt(end - 1))) end--;
  let plain = true;
  for (let i = start; i < end && plain; i++) {
    const c = raw.charCodeAt(i);
    plain = !isJsSpace(c) && !isZeroWidth(c);
  }
  if (plain) return start === 0 && end === raw.length ? raw : raw.slice(start, end);
  return raw
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(SEGMENT_BREAK_IN_CJK, '$1')
    .replace(/[ \t\n\r\f\u00a0]+/g, ' ')
    .replace(/^\s+|\s+$/g, '');
}

/** The characters of JavaScript's `\s` (what the trim in normalizeLine removes). */
function isJsSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
const isZeroWidth = (c: number) => (c >= 0x200b && c <= 0x200d) || c === 0x2060;

/** Accumulates inline text; `lineBreak()` closes the current line. */
export class LineBuffer {
  private parts: string[] = [];
  readonly lines: string[] = [];
  add(text: string): void {
    this.parts.push(text);
  }
  /** Close the current line; returns it when it is not empty. */
  lineBreak(): string | null {
    if (this.parts.length === 0) return null;
    const line = normalizeLine(this.parts.join(''));
    this.parts = [];
    if (!line) return null;
    this.lines.push(line);
    return line;
  }
  /** Close the line and return every line, joined by '\n'. */
  text(): string {
    this.lineBreak();
    return this.lines.join('\n');
  }
}

/**
 * Depth-first walk without recursion (junk pages nest thousands of unclosed <font> tags).
 * `enter` returns true to go into the node's children; `exit` then runs after them.
 */
export function walk(root: AnyNode, enter: (node: AnyNode) => boolean, exit?: (node: AnyNode) => void): void {
  if (!enter(root)) return;
  const nodes: AnyNode[] = [root];
  const childLists: AnyNode[][] = [childrenOf(root)];
  const next: number[] = [0];
  let depth = 0;
  while (depth >= 0) {
    const children = childLists[depth];
    const i = next[depth];
    if (i < children.length) {
      next[depth] = i + 1;
      const child = children[i];
      if (enter(child)) {
        depth++;
        nodes[depth] = child;
        childLists[depth] = childrenOf(child);
        next[depth] = 0;
      }
    } else {
      const top = nodes[depth];
      depth--;
      exit?.(top);
    }
  }
}

const NO_CHILDREN: AnyNode[] = [];
const childrenOf = (node: AnyNode): AnyNode[] => (DomUtils.hasChildren(node) ? node.children : NO_CHILDREN);

/** Text of an element as lines (block elements and <br> break lines), for labels, titles and small blocks. */
function linesOf(node: AnyNode): string[] {
  const buf = new LineBuffer();
  walk(
    node,
    (n) => {
      if (isTextNode(n)) buf.add(n.data);
      if (!isElement(n)) return DomUtils.hasChildren(n);
      if (isSkipped(n)) return false;
      if (n.name === 'br' || BLOCK_TAGS.has(n.name)) buf.lineBreak();
      return n.name !== 'br';
    },
    (n) => {
      if (isElement(n) && BLOCK_TAGS.has(n.name)) buf.lineBreak();
    },
  );
  buf.lineBreak();
  return buf.lines;
}

export const textOf = (node: AnyNode): string => linesOf(node).join(' ');

// ---------------------------------------------------------------------------------------------
// Page index: one walk over the whole document

/** Words of the report's section headings and tables, counted to recognise the report among page chrome. */
const REPORT_MARKS = /总体情况|主动公开|依申请|行政复议|第二十条|其他需要报告|主要问题|收到和处理/g;

function countMarks(text: string): number {
  let n = 0;
  REPORT_MARKS.lastIndex = 0;
  while (REPORT_MARKS.exec(text)) n++;
  return n;
}

/** Length of the text without leading and trailing whitespace, without allocating the trimmed string. */
function trimmedLength(text: string): number {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return end - start;
}
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x3000 || c === 0xfeff;

interface NodeStats {
  /** Characters of visible text outside links and chrome. */
  text: number;
  /** REPORT_MARKS occurrences in that text. */
  marks: number;
  /** <table> elements inside. */
  tables: number;
}

/** Containers that content management systems put the article body in, most specific first. */
const BODY_CONTAINERS: { label: string; key: string }[] = [
  { label: 'div.TRS_Editor', key: 'class:trs_editor' },
  { label: '.trs_editor_view', key: 'class:trs_editor_view' },
  { label: '.TRS_UEDITOR', key: 'class:trs_ueditor' },
  { label: '#zoom', key: 'id:zoom' },
  { label: '#UCAP-CONTENT', key: 'id:ucap-content' },
  { label: 'ucapcontent', key: 'tag:ucapcontent' },
  { label: '.Article_content', key: 'class:article_content' },
  { label: '#ivs_content', key: 'id:ivs_content' },
  { label: 'div.artile_zw', key: 'class:artile_zw' },
  { label: '.article-content', key: 'class:article-content' },
  { label: '.pages_content', key: 'class:pages_content' },
];
const containerIndexes = (kind: string) => new Map(BODY_CONTAINERS.flatMap((c, i) => (c.key.startsWith(`${kind}:`) ? [[c.key.slice(kind.length + 1), i] as const] : [])));
const CONTAINER_TAGS = containerIndexes('tag');
const CONTAINER_IDS = containerIndexes('id');
const CONTAINER_CLASSES = containerIndexes('class');
/** Quick filter before the exact lookup: most class attributes (MsoNormal, …) name no container. */
const CONTAINER_CLASS = new RegExp(`(?:^|\\s)(?:${[...CONTAINER_CLASSES.keys()].join('|')})(?:\\s|$)`, 'i');
const NO_CONTAINERS: number[] = [];

/** Indexes of the BODY_CONTAINERS this element matches (class names and ids compared case-insensitively). */
function containerMatches(el: Element): number[] {
  const { id, class: cls } = el.attribs;
  const tag = CONTAINER_TAGS.get(el.name);
  if (tag === undefined && !id && !(cls && CONTAINER_CLASS.test(cls))) return NO_CONTAINERS;
  const found: number[] = [];
  if (tag !== undefined) found.push(tag);
  const byId = id ? CONTAINER_IDS.get(id.trim().toLowerCase()) : undefined;
  if (byId !== undefined) found.push(byId);
  if (cls) {
    for (const token of cls.toLowerCase().split(/\s+/)) {
      const byClass = CONTAINER_CLASSES.get(token);
      if (byClass !== undefined) found.push(byClass);
    }
  }
  return found;
}

/** Comment markers some CMSs put around the body (Zhejiang 集约化 pages). */
const COMMENT_START = /^\s*ZJEG_RSS\.content\.begin\s*$/i;
const COMMENT_END = /^\s*ZJEG_RSS\.content\.end\s*$/i;

export interface PageIndex {
  doc: Document;
  stats: Map<Element, NodeStats>;
  /** Stats of the whole page. */
  pageStats: NodeStats;
  /** Tables that contain another table: page layout, not data. */
  layoutTables: Set<Element>;
  /** Position of each <table> element among all tables of the page (provenance). */
  tableOrdinal: Map<Element, number>;
  metas: Element[];
  titles: Element[];
  /** `<a href>` and non-standard `<file href>` outside chrome. */
  links: Element[];
  /** Inline <script> elements (attachment links written by document.write live in their strings). */
  scripts: Element[];
  baseHref: string | null;
  /** Matches of BODY_CONTAINERS, by container. */
  containerHits: Element[][];
  markers: { start: AnyNode | null; end: AnyNode | null };
  /** Visible text nodes outside chrome with at most 200 characters (labels, bylines, dates). */
  shortTexts: Text[];
  bodyElement: Element | null;
}

/** Position of a node in the source, which is document order (the page is parsed with start indices). */
export const orderOf = (node: AnyNode): number => node.startIndex ?? 0;

export function indexPage(doc: Document): PageIndex {
  const index: PageIndex = {
    doc,
    stats: new Map(),
    pageStats: { text: 0, marks: 0, tables: 0 },
    layoutTables: new Set(),
    tableOrdinal: new Map(),
    metas: [],
    titles: [],
    links: [],
    scripts: [],
    baseHref: null,
    containerHits: BODY_CONTAINERS.map(() => []),
    markers: { start: null, end: null },
    shortTexts: [],
    bodyElement: null,
  };
  const openTables: Element[] = [];
  /** The elements being walked: their stats, and whether their text is chrome or link text. */
  const open: { stats: NodeStats; chrome: boolean; link: boolean; counted: boolean }[] = [];
  const top = () => open[open.length - 1];

  const enter = (node: AnyNode): boolean => {
    if (isTextNode(node)) {
      const { chrome, link, stats } = top();
      if (chrome) return false;
      const length = trimmedLength(node.data);
      if (length > 0 && length <= 200) index.shortTexts.push(node);
      if (link) return false;
      stats.text += length;
      if (length >= 3) stats.marks += countMarks(node.data);
      return false;
    }
    if (DomUtils.isComment(node)) {
      if (COMMENT_START.test(node.data)) index.markers.start ??= node;
      else if (COMMENT_END.test(node.data)) index.markers.end ??= node;
      return false;
    }
    if (!isElement(node)) {
      if (node === doc) open.push({ stats: index.pageStats, chrome: false, link: false, counted: false });
      return node === doc;
    }
    const el = node;
    const parent = top();
    switch (el.name) {
      case 'meta': {
        index.metas.push(el);
        const name = attr(el, 'name').toLowerCase();
        if (name === 'contentstart') index.markers.start ??= el;
        else if (name === 'contentend') index.markers.end ??= el;
        return false;
      }
      case 'title':
        index.titles.push(el);
        return false;
      case 'base':
        index.baseHref ??= el.attribs.href ?? null;
        return false;
      case 'script':
        if (el.children.length > 0) index.scripts.push(el);
        return false;
      case 'body':
        index.bodyElement ??= el;
        break;
      case 'table':
        index.tableOrdinal.set(el, index.tableOrdinal.size);
        if (openTables.length > 0) index.layoutTables.add(openTables[openTables.length - 1]);
        openTables.push(el);
        break;
    }
    if (isSkipped(el)) {
      // <head> and the like: scanned for <meta>/<title>, but their text is not page text.
      open.push({ stats: { text: 0, marks: 0, tables: 0 }, chrome: true, link: parent.link, counted: false });
      return true;
    }
    const containers = containerMatches(el);
    for (const i of containers) index.containerHits[i].push(el);
    // A content container is never chrome, whatever its ancestors are called.
    const chrome = containers.length === 0 && (parent.chrome || isChromeElement(el));
    if (!chrome && (el.name === 'a' || el.name === 'file') && el.attribs.href) index.links.push(el);
    const stats = { text: 0, marks: 0, tables: 0 };
    index.stats.set(el, stats);
    open.push({ stats, chrome, link: parent.link || el.name === 'a', counted: true });
    return true;
  };
  const exit = (node: AnyNode): void => {
    if (!isElement(node) && node !== doc) return;
    const done = open.pop() as (typeof open)[number];
    if (isElement(node) && node.name === 'table') openTables.pop();
    if (!done.counted) return;
    const sum = top().stats;
    sum.text += done.stats.text;
    sum.marks += done.stats.marks;
    sum.tables += done.stats.tables + ((node as Element).name === 'table' ? 1 : 0);
  };
  walk(doc, enter, exit);
  return index;
}

export const statsOf = (index: PageIndex, el: Element): NodeStats => index.stats.get(el) ?? { text: 0, marks: 0, tables: 0 };

/** True when `inner` is `outer` or lies inside it. */
export function contains(outer: AnyNode, inner: AnyNode): boolean {
  for (let n: AnyNode | null = inner; n; n = n.parent) if (n === outer) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Locating the body

export interface BodyLocation {
  /** The nodes holding the body, in document order (one container, or a marked range of siblings). */
  roots: AnyNode[];
  /** The container element (for a marked range: the lowest element holding the range). */
  container: Element | Document;
  /** How it was found: 'div.TRS_Editor', 'ContentStart/ContentEnd', 'guess: div#main', … */
  how: string;
  guessed: boolean;
}

/** A container must hold at least this much text (or a table) to be the body. */
const MIN_CONTAINER_TEXT = 20;

export function locateBody(index: PageIndex): BodyLocation {
  const ranged = markedRange(index);
  if (ranged) return ranged;

  const pageMarks = index.pageStats.marks;
  for (let i = 0; i < BODY_CONTAINERS.length; i++) {
    let best: Element | null = null;
    for (const el of index.containerHits[i]) {
      const s = statsOf(index, el);
      if (s.text < MIN_CONTAINER_TEXT && s.tables === 0) continue;
      if (!best || s.text > statsOf(index, best).text) best = el;
    }
    // A summary box can carry a container class while the report itself sits elsewhere on the page.
    if (best && (statsOf(index, best).marks > 0 || pageMarks < 3)) {
      return { roots: [best], container: best, how: BODY_CONTAINERS[i].label, guessed: false };
    }
  }
  return guessBody(index);
}

/** Body between `<meta name="ContentStart">`/`ContentEnd` or the ZJEG_RSS comments. */
function markedRange(index: PageIndex): BodyLocation | null {
  const { start, end } = index.markers;
  if (!start || !end) return null;
  const endAncestors = new Set<AnyNode>();
  for (let n: AnyNode | null = end; n; n = n.parent) endAncestors.add(n);
  const roots: AnyNode[] = [];
  // Walk forward from the start marker: whole subtrees before the end marker are taken,
  // subtrees holding the end marker are entered.
  let node: AnyNode = start;
  let enter = false;
  for (;;) {
    let next: AnyNode | null = enter && DomUtils.hasChildren(node) ? (node.children[0] ?? null) : null;
    if (!next && enter) {
      enter = false;
      continue;
    }
    if (!next) {
      let climb: AnyNode | null = node;
      while (climb && !climb.next) climb = climb.parent;
      if (!climb) break;
      next = climb.next;
    }
    if (!next || next === end) break;
    node = next;
    enter = endAncestors.has(node);
    if (!enter) roots.push(node);
  }
  if (roots.length === 0) return null;
  let container: AnyNode | null = roots[0].parent;
  while (container && !roots.every((r) => contains(container as AnyNode, r))) container = container.parent;
  const holder = container && (isElement(container) || DomUtils.isDocument(container)) ? container : index.doc;
  const how = isElement(start) ? 'ContentStart/ContentEnd' : 'ZJEG_RSS.content comments';
  return { roots, container: holder, how, guessed: false };
}

/**
 * No known container: walk down from <body> into the child that holds the report, as long as one
 * child holds all the report's headings and tables and most of the text (or, with no report words
 * on the page, nearly all the text). Navigation and footers are left behind at the level where the
 * article column splits off from them.
 */
function guessBody(index: PageIndex): BodyLocation {
  let node: Element | Document = index.bodyElement ?? index.doc;
  for (;;) {
    const total = isElement(node) ? statsOf(index, node) : index.pageStats;
    let best: Element | null = null;
    for (const c of node.children) {
      if (isElement(c) && !isSkipped(c) && (!best || statsOf(index, c).text > statsOf(index, best).text)) best = c;
    }
    if (!best) break;
    const s = statsOf(index, best);
    const dominant = total.marks > 0 ? s.marks === total.marks && s.text >= 0.5 * total.text : s.text >= 0.8 * total.text;
    if (!dominant || s.text === 0) break;
    node = best;
  }
  const label = isElement(node) ? describe(node) : 'document';
  return { roots: [node], container: node, how: `guess: ${label}`, guessed: true };
}

/** A short CSS-like description of an element, for provenance messages. */
function describe(el: Element): string {
  const id = el.attribs.id ? `#${el.attribs.id}` : '';
  const cls = el.attribs.class ? `.${el.attribs.class.trim().split(/\s+/).join('.')}` : '';
  return `${el.name}${id}${cls}`;
}

// ---------------------------------------------------------------------------------------------
// Reading the body into blocks

/** A line that is only page controls: 【打印】【关闭】, [打印本页] [关闭窗口], 【字体：大 中 小】, 分享到： … */
const CONTROL_LINE =
  /^(?:[【\[(（]?\s*(?:打印(?:本页|此页|正文|文章|该页)?|关闭(?:窗口|本页|页面)?|返回(?:顶部|首页|上一页)?|收藏(?:本页)?|加入收藏|分享(?:到)?|字号|字体|[大中小]|默认|保存(?:本页)?|视力保护色|扫一扫在手机(?:打开|上查看)当前页)\s*[:：]?\s*[】\])）]?\s*[|｜/]?\s*)+$/;

export interface BodyContent {
  blocks: Block[];
  issues: Issue[];
  /** <img> elements in the body (a report with images and no tables may be scanned). */
  images: number;
  /** Their src attributes, in body order (unresolved; data: URIs too, as a converted Word document has them). */
  imageSources: string[];
}

export function readBody(roots: AnyNode[], index: PageIndex, excluded: Set<Element>): BodyContent {
  const reader = new BodyReader(index, excluded, new Set(roots));
  for (const r of roots) reader.visit(r);
  reader.lineBreak();
  return { blocks: reader.blocks, issues: reader.issues, images: reader.images, imageSources: reader.imageSources };
}

class BodyReader {
  readonly blocks: Block[] = [];
  readonly issues: Issue[] = [];
  images = 0;
  readonly imageSources: string[] = [];
  private readonly buf = new LineBuffer();
  private preDepth = 0;
  private gridCount = 0;

  constructor(
    private readonly index: PageIndex,
    private readonly excluded: Set<Element>,
    private readonly roots: Set<AnyNode>,
  ) {}

  lineBreak(): void {
    const line = this.buf.lineBreak();
    if (line && !CONTROL_LINE.test(line)) this.blocks.push({ kind: 'text', text: line });
  }

  visit(root: AnyNode): void {
    walk(root, (n) => this.enter(n), (n) => this.exit(n));
  }

  private enter(node: AnyNode): boolean {
    if (isTextNode(node)) {
      if (this.preDepth === 0) this.buf.add(node.data);
      else {
        node.data.split('\n').forEach((l, i) => {
          if (i > 0) this.lineBreak();
          this.buf.add(l);
        });
      }
      return false;
    }
    if (!isElement(node)) return DomUtils.hasChildren(node);
    const el = node;
    if (this.excluded.has(el) || isSkipped(el)) return false;
    if (el.name === 'br' || el.name === 'hr') {
      this.lineBreak();
      return false;
    }
    if (el.name === 'img') {
      this.images++;
      const src = el.attribs.src?.trim();
      if (src) this.imageSources.push(src);
      return false;
    }
    // Chrome inside the body (share bars, print links) — but never the located container itself.
    if (isChromeElement(el) && !this.roots.has(el)) return false;
    if (el.name === 'table') {
      this.table(el);
      return false;
    }
    if (BLOCK_TAGS.has(el.name)) this.lineBreak();
    if (el.name === 'pre') this.preDepth++;
    return true;
  }

  private exit(node: AnyNode): void {
    if (!isElement(node)) return;
    if (node.name === 'pre') this.preDepth--;
    if (BLOCK_TAGS.has(node.name)) this.lineBreak();
  }

  /** A data table becomes a grid; a layout table (holding tables, or a single column) is read as blocks. */
  private table(el: Element): void {
    this.lineBreak();
    if (!this.index.layoutTables.has(el)) {
      const read = readTable(el, this.gridCount, this.index.tableOrdinal.get(el) ?? -1);
      if (read.width > 1) {
        for (const line of read.before) this.blocks.push({ kind: 'text', text: line });
        this.blocks.push({ kind: 'table', grid: read.grid });
        this.gridCount++;
        if (read.repairs.length > 0) {
          this.issues.push({ code: 'table_repaired', severity: 'info', message: `${read.grid.source}: ${read.repairs.join('; ')}` });
        }
        return;
      }
    }
    for (const c of el.children) this.visit(c);
    this.lineBreak();
  }
}

// ---------------------------------------------------------------------------------------------
// Tables → grids

/** Table structure that does not break lines inside a cell's text. */
const CELL_STRUCTURE = /^(td|th|tbody|thead|tfoot)$/;

interface TableRead {
  grid: Grid;
  width: number;
  /** Caption and stray text found in the table outside any cell (browsers show it before the table). */
  before: string[];
  repairs: string[];
}

/**
 * Read a leaf table. Cells are taken in document order rather than from the tree shape, so cells
 * mis-nested by an unclosed <p> or <font> (`<td><p>1<td>2`) still come out as siblings, and cells
 * outside any <tr> form a row of their own.
 */
function readTable(table: Element, gridIndex: number, ordinal: number): TableRead {
  const rows: RawCell[][] = [];
  const before = new LineBuffer();
  const repairs: string[] = [];
  let row: RawCell[] | null = null;
  let cell: RawCell | null = null;
  let inCaption = false;

  const target = () => (cell && !inCaption ? cell.buf : before);
  const enter = (node: AnyNode): boolean => {
    if (isTextNode(node)) {
      target().add(node.data);
      return false;
    }
    if (!isElement(node)) return DomUtils.hasChildren(node);
    if (node === table) return true;
    const el = node;
    if (isSkipped(el)) return false;
    switch (el.name) {
      case 'table':
        return false; // not reached for leaf tables
      case 'tr':
        row = [];
        cell = null;
        rows.push(row);
        return true;
      case 'td':
      case 'th':
        if (!row) {
          row = [];
          rows.push(row);
          repairs.push('cells outside a <tr> read as a row');
        }
        cell = { buf: new LineBuffer(), rowspan: spanValue(el.attribs.rowspan, MAX_ROWSPAN, 0), colspan: spanValue(el.attribs.colspan, MAX_COLSPAN, 1) };
        row.push(cell);
        return true;
      case 'caption':
        before.lineBreak();
        inCaption = true;
        return true;
      case 'br':
        target().lineBreak();
        return false;
    }
    if (BLOCK_TAGS.has(el.name) && !CELL_STRUCTURE.test(el.name)) target().lineBreak();
    return true;
  };
  const exit = (node: AnyNode): void => {
    if (!isElement(node) || node === table) return;
    if (node.name === 'tr') {
      row = null;
      cell = null;
    } else if (node.name === 'caption') {
      before.lineBreak();
      inCaption = false;
    } else if (BLOCK_TAGS.has(node.name) && !CELL_STRUCTURE.test(node.name)) target().lineBreak();
  };
  walk(table, enter, exit);
  before.lineBreak();

  const grid = placeCells(rows, repairs);
  const width = grid.reduce((w, r) => Math.max(w, r.length), 0);
  return { grid: { index: gridIndex, rows: grid, structured: true, source: `table#${ordinal}` }, width, before: before.lines, repairs };
}
