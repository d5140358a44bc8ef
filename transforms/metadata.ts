// Report metadata and prose fields (spec/templates.md §11): title, agency, year, dates, period,
// cited format notice, contact block, the 信息处理费 statement and the counts stated in prose.
import type { ParsedDocument } from '../extractors/document.ts';
import { GENERIC_AGENCY_NAMES, resolveAgency } from './agencyIdentity.ts';
import type { Contact, ReportMeta, ReportProse } from './recordSchema.ts';
import { readStatedCounts } from './statedCounts.ts';

const CJK = '\\u4e00-\\u9fff';
const PLACE_SUFFIX = '省|市|州|盟|地区|县|区|旗|镇|乡|街道';
const HAS_PLACE = new RegExp(`[${CJK}](?:${PLACE_SUFFIX})`);

/** Body text: every text block, in order, one line each. */
export function bodyText(doc: ParsedDocument): string {
  return doc.blocks.flatMap((b) => (b.kind === 'text' ? [b.text] : [])).join('\n').normalize('NFKC');
}

const squash = (s: string) => s.replace(/[\s\u3000]+/g, '');

const REPORT_SUFFIX = /(年度报告|年报|工作报告)$/;

/** A report title: the first lines naming a 报告/年报, with a title wrapped over two lines joined. */
export function findTitle(doc: ParsedDocument): string | null {
  const lines = doc.blocks
    .filter((b) => b.kind === 'text')
    .slice(0, 12)
    .flatMap((b) => (b.kind === 'text' ? b.text.split('\n') : []))
    .map((l) => l.normalize('NFKC').trim())
    .filter((l) => l.length > 0);
  for (let i = 0; i < Math.min(lines.length, 12); i++) {
    const line = lines[i];
    if (line.length > 60) continue;
    // A title wrapped over two lines: "…2023年度政府" + "信息公开工作年度报告".
    const next = lines[i + 1] ?? '';
    const wrapped = !REPORT_SUFFIX.test(squash(line)) && next.length <= 30 && REPORT_SUFFIX.test(squash(line + next));
    const joined = wrapped ? line + next : line;
    if (REPORT_SUFFIX.test(squash(joined)) && /20\d\d|信息公开/.test(joined)) return squash(joined);
  }
  const pageTitle = doc.page.metaTags['articletitle'] ?? doc.title;
  return pageTitle ? squash(pageTitle.normalize('NFKC')) : null;
}

/** "新乡市民政局 2023 年政府信息公开工作年度报告", "2024年上海市科委政府信息公开工作年度报告". */
function parseTitle(title: string): { agency: string | null; year: number | null } {
  const t = squash(title).replace(/^关于/, '').replace(/[《》]/g, '');
  const agencyFirst = /^(.*?)(20\d\d)年度?(?:的)?(?:政府|政务)?信息公开/.exec(t);
  const agency = agencyFirst ? cleanAgency(agencyFirst[1]) : null;
  if (agencyFirst && agency) return { agency, year: Number(agencyFirst[2]) };
  const yearFirst = /^(20\d\d)年度?(.*?)(?:政府|政务)?信息公开/.exec(t);
  if (yearFirst) return { agency: cleanAgency(yearFirst[2]), year: Number(yearFirst[1]) };
  const year = /(20\d\d)年/.exec(t);
  return { agency: null, year: year ? Number(year[1]) : null };
}

function cleanAgency(name: string): string | null {
  const cleaned = name.replace(/^[#\s、，,：:]+|[的\s，,：:]+$/g, '').replace(/^关于|关于$/g, '');
  return cleaned.length >= 2 && cleaned.length <= 40 ? cleaned : null;
}

/** "民政局", "市民政局": a title that lost its place name is completed from the body (seed 003). */
function completeWithPlace(candidate: string, text: string): string {
  if (HAS_PLACE.test(candidate.replace(/^(市|区|县|州|旗)/, ''))) return candidate;
  const base = candidate.replace(/^(市|区|县|州|旗|本|我)/, '');
  if (base.length < 2) return candidate;
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`([${CJK}]{1,10}?(?:${PLACE_SUFFIX}))${escaped}`, 'g');
  const counts = new Map<string, number>();
  for (const m of text.matchAll(re)) {
    const full = m[1] + base;
    if (HAS_PLACE.test(m[1]) || m[1].length >= 2) counts.set(full, (counts.get(full) ?? 0) + 1);
  }
  const best = [...counts.entries()].filter(([name]) => HAS_PLACE.test(name.slice(0, -base.length))).sort((a, b) => b[1] - a[1])[0];
  return best ? best[0] : candidate;
}

const SUBJECT_VERBS = '坚持|认真|深入|围绕|以|紧紧|持续|全面|高度|严格|按照|进一步|扎实|不断|积极|始终|共|在|依法|聚焦|着力|切实|紧扣';

type AgencyCandidate = { name: string; source: NonNullable<ReportMeta['agency_name_source']> };

/** Names the body gives, most reliable first: book title 《…》, "由…编制", the opening subject, signature, contact. */
function agencyCandidatesFromBody(text: string): AgencyCandidate[] {
  const found: AgencyCandidate[] = [];
  const book = new RegExp(`《([^《》]{2,40}?)(20\\d\\d)年度?(?:政府|政务)?信息公开[^《》]*?(?:年度报告|年报)》`).exec(text);
  const bookName = book ? cleanAgency(squash(book[1])) : null;
  if (bookName) found.push({ name: bookName, source: 'book_title' });
  const compiled = new RegExp(`(?:汇总|由)([${CJK}]{2,20}?)(?:各有关单位|所属各|全面总结|编制)`).exec(text);
  if (compiled) found.push({ name: compiled[1], source: 'body' });
  const subject = new RegExp(`(?:^|\\n)\\s*20\\d\\d\\s*年度?\\s*[，,]\\s*([${CJK}]{2,20}?)(?:${SUBJECT_VERBS})`).exec(text);
  if (subject) found.push({ name: subject[1], source: 'body' });
  const signature = new RegExp(`\\n([${CJK}（）()]{3,30})\\n\\s*(20\\d\\d)\\s*年\\s*\\d{1,2}\\s*月\\s*\\d{1,2}\\s*日\\s*$`).exec(text.trimEnd());
  if (signature) found.push({ name: signature[1], source: 'signature' });
  const contact = new RegExp(`请与([${CJK}]{2,30}?)(?:办公室|政务公开办|综合科)?联系`).exec(text);
  if (contact) found.push({ name: contact[1], source: 'contact' });
  return found;
}

/** Catalog fields (信息公开目录) and <meta> tags that name the publishing body. */
const CATALOG_AGENCY_FIELDS = ['发文机关', '发文机构', '发布机构', '所属机构', '信息来源', '来源'];
const META_AGENCY_TAGS = ['contentsource', 'author'];
/** 我区政府, 本局办公室: a name that starts by pointing at itself (but 本溪市 is a city). */
const SELF_REFERENCE = /^(我|本|该)(区|县|市|州|盟|旗|镇|乡|街道|局|委|办|厅|部|院|机关|单位|部门|中心|政府)/;
const AGENCY_SHAPED = new RegExp(`[${CJK}]{2,}(?:人民政府|政府|管委会|管理委员会|办公室|办公厅|局|委员会|委|厅|办|中心|院|署|街道办事处)$`);

/**
 * The agency, from the first source that names one, most reliable first: the report title, the page title
 * outside the body, the page's <meta> tags and catalog block, then the body (book title, preamble), the
 * signature and the contact block. A pronoun or generic word (我区, 本机关, 我局) is never a name: the search
 * goes on, and ends with null (an agency_not_found issue) rather than with a pronoun.
 */
function findAgency(doc: ParsedDocument, text: string, title: string | null): AgencyCandidate | null {
  const pageTitle = doc.page.metaTags['articletitle'] ?? doc.title;
  const fromPage = [
    ...META_AGENCY_TAGS.map((tag) => doc.page.metaTags[tag]),
    ...CATALOG_AGENCY_FIELDS.map((field) => doc.page.catalog[field]),
  ]
    .map((value) => (value ? squash(value.normalize('NFKC')) : ''))
    .filter((value) => AGENCY_SHAPED.test(value) && value.length <= 30);
  const candidates: (AgencyCandidate | null)[] = [
    title ? withSource(parseTitle(title).agency, 'title') : null,
    pageTitle ? withSource(parseTitle(squash(pageTitle.normalize('NFKC'))).agency, 'page') : null,
    ...fromPage.map((name) => withSource(name, 'page')),
    ...agencyCandidatesFromBody(text),
  ];
  return candidates.find((c): c is AgencyCandidate => c !== null && !GENERIC_AGENCY_NAMES.test(c.name) && !SELF_REFERENCE.test(c.name)) ?? null;
}

function withSource(name: string | null, source: AgencyCandidate['source']): AgencyCandidate | null {
  return name ? { name, source } : null;
}

const pad = (n: string | number) => String(n).padStart(2, '0');
const isoDate = (y: string | number, m: string | number, d: string | number) => `${y}-${pad(m)}-${pad(d)}`;

function statisticsPeriod(text: string): { start: string | null; end: string | null } {
  const m = /统计(?:期限|数据|日期|周期|时限|时间)[^。]{0,20}?(20\d\d)\s*年?\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[^。]{0,8}?(?:至|到|—|-|~)\s*(?:(20\d\d)\s*年?)?\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日/.exec(
    text.replace(/\n/g, ''),
  );
  if (!m) return { start: null, end: null };
  return { start: isoDate(m[1], m[2], m[3]), end: isoDate(m[4] ?? m[1], m[5], m[6]) };
}

function signatureDate(text: string): string | null {
  const m = /(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$/.exec(text.trimEnd());
  return m ? isoDate(m[1], m[2], m[3]) : null;
}

function contactBlock(text: string): Contact {
  const flat = text.replace(/\n/g, '');
  const first = (re: RegExp) => re.exec(flat)?.[1]?.trim() ?? null;
  return {
    address: first(/(?:通讯地址|联系地址|地址)[:：]\s*(.{4,60}?)(?=\s*(?:邮编|邮政编码|电话|联系电话|传真|[，,。；;（()）]))/),
    postcode: first(/(?:邮编|邮政编码)[:：]?\s*(\d{6})/),
    phone: first(/(?:电话|联系电话|咨询电话)[:：]?\s*((?:0\d{2,3}[-—－]?)?\d{7,8})/),
    fax: first(/传真[:：]?\s*((?:0\d{2,3}[-—－]?)?\d{7,8})/),
    email: first(/([A-Za-z0-9._-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/),
    person: first(/(?:负责人|联系人)[:：]\s*([\u4e00-\u9fff]{2,4})(?=[，,。；;\s)）]|电话|$)/),
    url: first(/((?:https?:\/\/|www\.)[A-Za-z0-9./_-]+[A-Za-z0-9/])/),
  };
}

function feeStatement(text: string): ReportProse['info_processing_fee'] {
  // Headings sit on their own lines: split on them as well as on sentence ends.
  const sentences = text.split(/[。；;\n]/);
  const about = sentences.filter((s) => /处理费|信息公开收费|收费事项|收取.{0,6}费用/.test(s) && !/行政事业性收费/.test(s));
  for (const s of about) {
    const amount = /(?:收取|收缴)[^。]{0,20}?(?:处理费|费用)[^。]{0,10}?(\d+(?:\.\d+)?)\s*元|处理费[^。]{0,10}?(?:共计|合计)?\s*(\d+(?:\.\d+)?)\s*元/.exec(s);
    if (amount && !/(?:没有|未|无|不)(?:收取|产生|发生)/.test(s)) {
      const yuan = Number(amount[1] ?? amount[2]);
      return { status: yuan > 0 ? 'collected' : 'none', amount_yuan: yuan, text: s.trim() };
    }
  }
  for (const s of about) {
    if (/(?:没有|未|无|不|暂未)[^。]{0,12}(?:收取|产生|发生|收费)|收费[^。]{0,4}(?:为0|为零|0元)|无收取/.test(s)) {
      return { status: 'none', amount_yuan: 0, text: s.trim() };
    }
  }
  return { status: 'not_mentioned', amount_yuan: null, text: null };
}

const COUNT = '(\\d+)\\s*(余|多)?\\s*(条|篇|件|个)';

function proseCounts(text: string): Pick<ReportProse, 'proactive_items_total' | 'proactive_items_by_channel'> {
  const flat = text.replace(/\n/g, '');
  const total = new RegExp(`主动公开(?:政府)?(?:信息|政务信息)(?:共计|共)?\\s*${COUNT}`).exec(flat);
  const byChannel: ReportProse['proactive_items_by_channel'] = [];
  const channel = new RegExp(`([\\u4e00-\\u9fff“”"]{2,12}?)(?:全年)?(?:累计)?(?:公开|发布|编发)(?:政府|政务|工作)?(?:信息|文章|动态)?(?:共)?\\s*${COUNT}`, 'g');
  for (const m of flat.matchAll(channel)) {
    // "全年共通过门户网站公开信息 303 条" names the channel after its verb; keep the channel itself.
    const name = m[1].replace(/^.*?(?:通过|依托|利用|借助|在|^过)/, '').replace(/^(?:\d*年|全年|共|累计|其中)+/, '').replace(/主动$/, '');
    byChannel.push({ channel: name || m[1], count: Number(m[2]), unit: m[4], approx: Boolean(m[3]), text: m[0] });
  }
  return { proactive_items_total: total ? Number(total[1]) : null, proactive_items_by_channel: byChannel };
}

export function readProse(text: string): ReportProse {
  const flat = text.replace(/\n/g, '');
  const received = /(?:受理|收到|接收)[^。，,；]{0,24}?政府信息公开申请(?:共计|共)?\s*(\d+)\s*(?:条|件|个|份)/.exec(flat);
  const none = /(?:未|暂未|没有)收到[^。，,；]{0,20}?申请|未收到依申请公开[^。，,；]{0,6}/.exec(flat);
  const noReview = /(?:未|没有|无)(?:发生|收到|出现|产生)?[^。；]{0,20}?行政复议[^。；]{0,10}?行政诉讼|(?:未|没有|无)(?:发生|出现)[^。；]{0,10}?行政诉讼[^。；]{0,10}?行政复议/.exec(flat);
  return {
    ...proseCounts(text),
    applications_received: received ? Number(received[1]) : null,
    no_applications_statement: none ? none[0] : null,
    no_review_litigation_statement: noReview ? noReview[0] : null,
    stated: readStatedCounts(text),
    info_processing_fee: feeStatement(text),
  };
}

export type MetaFields = Omit<ReportMeta, 't2_layout' | 't3_layout' | 'template_version' | 'truncated_tables' | 'tables' | 'document_format'>;

export function readMetadata(doc: ParsedDocument, text: string): MetaFields {
  const title = findTitle(doc);
  const fromTitle = title ? parseTitle(title) : { agency: null, year: null };
  const agency = findAgency(doc, text, title);
  const period = statisticsPeriod(text);
  const bookYear = /《[^《》]*?(20\d\d)年度?(?:政府|政务)?信息公开[^《》]*?》/.exec(text);
  const year = fromTitle.year
    ? { year: fromTitle.year, source: 'title' }
    : bookYear
      ? { year: Number(bookYear[1]), source: 'book_title' }
      : period.start
        ? { year: Number(period.start.slice(0, 4)), source: 'statistics_period' }
        : null;
  const signed = signatureDate(text);
  const publishDate = doc.page.publishDate ?? signed;
  const notice = /国办公开办函\s*[〔[(（【]\s*(\d{4})\s*[〕\])）】]\s*(\d+)\s*号/.exec(text);
  const agencyName = agency ? completeWithPlace(agency.name, text) : null;
  const contact = contactBlock(text);
  // The agency's region as the document itself gives it (the warehouse adds the registry's evidence).
  const division = resolveAgency({ name: agencyName, title, contactAddress: contact.address, registry: [], reportYear: year?.year ?? null });
  const regionPath = division.resolution === 'resolved' && division.province
    ? [division.province, division.prefecture, division.county, division.township].filter(Boolean).join('/')
    : null;
  return {
    title,
    agency_name: agencyName,
    agency_name_source: agency?.source ?? null,
    region_path: regionPath,
    report_year: year?.year ?? null,
    report_year_source: year?.source ?? null,
    publish_date: publishDate,
    publish_date_source: doc.page.publishDate ? doc.page.publishDateSource ?? 'page' : signed ? 'signature' : null,
    period_start: period.start,
    period_end: period.end,
    cited_notice: notice ? `国办公开办函〔${notice[1]}〕${notice[2]}号` : null,
    contact,
  };
}

/** Pages that are about an annual report, or another kind of annual report, but are not one. */
export function nearMissReason(title: string | null): string | null {
  if (!title) return null;
  if (/解读/.test(title)) return `the page is an interpretation (解读) of a report, not the report: "${title}"`;
  if (/法治政府建设/.test(title)) return `the page is a 法治政府建设 annual report, not an OGI annual report: "${title}"`;
  if (/年度报告格式|报告格式的通知/.test(title)) return `the page is the report-format notice, not a report: "${title}"`;
  if (/(预算|决算|工作要点|公开指南)/.test(title) && !/信息公开工作年度报告|信息公开年报/.test(title)) {
    return `the page is not an OGI annual report: "${title}"`;
  }
  return null;
}
