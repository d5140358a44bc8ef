// The one mapping table: label key phrases (spec/templates.md §8) → canonical row and column ids
// (§7), per table and edition. Data, not code: every reader in transforms/ consults these lists.
// Keys are matched on normalizeLabel() text (NFKC, no whitespace, ASCII brackets), by substring,
// in list order: a more specific key must come before a key it contains (其他对外管理服务 before
// 行政许可, the 其他处理 children before 其他处理 itself).
import type { ValueKind } from './values.ts';

export type Edition = 'v2019' | 'v2021';

export interface LabelRule<Id extends string> {
  id: Id;
  keys: RegExp;
  /** A label matching this is never this row, even when a key matches. */
  not?: RegExp;
}

export function matchLabel<Id extends string>(rules: readonly LabelRule<Id>[], label: string): Id | null {
  for (const rule of rules) {
    if (rule.keys.test(label) && !(rule.not && rule.not.test(label))) return rule.id;
  }
  return null;
}

// ───────────────────────────── Table 2: 主动公开政府信息情况 ─────────────────────────────

export type T2Row =
  | 'regulations' | 'normative_docs' | 'licensing' | 'other_services' | 'penalty' | 'coercion'
  | 'admin_fees' | 'central_procurement';
export type T2Column =
  | 'issued' | 'repealed' | 'in_force' | 'newly_made' | 'newly_published' | 'total_published'
  | 'decisions' | 'prev_year_items' | 'items_change' | 'amount_wan_yuan' | 'projects' | 'amount_yuan';

/** 第二十条第（X）项: the sub-block header rows of table 2. */
export const T2_BLOCK = /第二十条第\(?([一五六八九])\)?项|第二十條第\(?([一五六八九])\)?項/;

export const T2_ROWS: readonly LabelRule<T2Row>[] = [
  { id: 'other_services', keys: /其他对外管理服务|其他對外管理服務/ },
  { id: 'normative_docs', keys: /规范性文件|規範性文件|規範性檔案/ },
  { id: 'regulations', keys: /规章|規章/ },
  { id: 'licensing', keys: /行政许可|行政許可/ },
  { id: 'penalty', keys: /行政处罚|行政處罰/ },
  { id: 'coercion', keys: /行政强制|行政強制/ },
  { id: 'admin_fees', keys: /事业性收费|事業性收費/ },
  { id: 'central_procurement', keys: /集中采购|集中採購/ },
];

/** Column headers of table 2. "本年新" alone (truncated, S8/S9) is resolved by position. */
export const T2_COLUMNS: readonly LabelRule<T2Column>[] = [
  { id: 'issued', keys: /制发|本年发件|製發/ },
  { id: 'repealed', keys: /废止|廢止/ },
  { id: 'in_force', keys: /现行有效|現行有效/ },
  { id: 'newly_made', keys: /新制作|新製作/ },
  { id: 'newly_published', keys: /新公开|新公開/ },
  { id: 'total_published', keys: /对外公开总|對外公開總/ },
  { id: 'decisions', keys: /处理决定|處理決定|办件量/ },
  { id: 'prev_year_items', keys: /上一年项目|上年项目|上一年項目/ },
  { id: 'items_change', keys: /增\/?减|增\/?減|增减/ },
  { id: 'amount_wan_yuan', keys: /收费金额|收費金額/ },
  { id: 'projects', keys: /采购项目|採購項目/ },
  { id: 'amount_yuan', keys: /采购总金额|採購總金額|总金额/ },
];

/** Header text that names a column but was cut to its first visual line. */
export const T2_TRUNCATED_HEADER = /^本年新$/;

/** Evidence for the table-2 edition (§1): any of these in a table-2 label or header. */
export const T2_EDITION_EVIDENCE: Record<Edition, RegExp> = {
  v2019: /新制作|新公开数量|对外公开总|上一年项目|增\/?减|其他对外管理服务|第二十条第\(九\)项|集中采购|采购项目|采购总金额/,
  v2021: /制发件|本年发件|废止件|现行有效|本年处理决定|本年收费金额/,
};

/** The template's columns for each table-2 row, per edition, in printed order. */
export const T2_TEMPLATE: Record<Edition, Partial<Record<T2Row, readonly T2Column[]>>> = {
  v2021: {
    regulations: ['issued', 'repealed', 'in_force'],
    normative_docs: ['issued', 'repealed', 'in_force'],
    licensing: ['decisions'],
    penalty: ['decisions'],
    coercion: ['decisions'],
    admin_fees: ['amount_wan_yuan'],
  },
  v2019: {
    regulations: ['newly_made', 'newly_published', 'total_published'],
    normative_docs: ['newly_made', 'newly_published', 'total_published'],
    licensing: ['prev_year_items', 'items_change', 'decisions'],
    other_services: ['prev_year_items', 'items_change', 'decisions'],
    penalty: ['prev_year_items', 'items_change', 'decisions'],
    coercion: ['prev_year_items', 'items_change', 'decisions'],
    admin_fees: ['prev_year_items', 'items_change'],
    central_procurement: ['projects', 'amount_yuan'],
  },
};

export function t2ValueKind(column: T2Column): ValueKind {
  if (column === 'items_change') return 'signed_count';
  if (column === 'amount_wan_yuan') return 'amount_wan_yuan';
  if (column === 'amount_yuan') return 'amount_yuan';
  return 'count';
}

// ───────────────────────────── Table 3: 收到和处理政府信息公开申请情况 ─────────────────────────────

export type T3Row =
  | 'new_received' | 'carried_over' | 'granted' | 'partially_granted'
  | 'denied_state_secret' | 'denied_law_prohibited' | 'denied_security_stability' | 'denied_third_party_rights'
  | 'denied_internal_affairs' | 'denied_process_info' | 'denied_enforcement_file' | 'denied_admin_inquiry'
  | 'unavailable_not_held' | 'unavailable_needs_creation' | 'unavailable_unclear'
  | 'not_processed_petition' | 'not_processed_duplicate' | 'not_processed_publication' | 'not_processed_excessive'
  | 'not_processed_confirmation'
  | 'other_no_correction' | 'other_unpaid_fee' | 'other_misc' | 'other_total'
  | 'results_total' | 'carried_forward';

export const T3_APPLICANT_COLUMNS = [
  'natural_person', 'commercial_enterprise', 'research_institution', 'social_welfare_org', 'legal_service_org', 'other_org',
] as const;
export const T3_COLUMNS = [...T3_APPLICANT_COLUMNS, 'total'] as const;
export type T3Column = (typeof T3_COLUMNS)[number];

/**
 * Row labels of table 3, most specific first. `other_misc` ("3.其他") is only recognisable as the
 * last label of its row; `other_total` is (六)其他处理 carrying numbers itself (v2019).
 */
export const T3_ROWS: readonly LabelRule<T3Row>[] = [
  { id: 'new_received', keys: /本年新收|新收政府信息/ },
  { id: 'carried_over', keys: /上年结转|上年度结转/ },
  { id: 'carried_forward', keys: /结转下|转下一?年|下年度继续|转入下/ },
  { id: 'partially_granted', keys: /部分公开/ },
  { id: 'denied_state_secret', keys: /国家秘密/ },
  { id: 'denied_law_prohibited', keys: /法规禁止|行政止公开|法律行政|禁止公开/ },
  { id: 'denied_security_stability', keys: /三安全|一稳定/ },
  { id: 'denied_third_party_rights', keys: /第三方/ },
  { id: 'denied_internal_affairs', keys: /内部事务/ },
  { id: 'denied_process_info', keys: /过程性/ },
  { id: 'denied_enforcement_file', keys: /执法案卷/ },
  { id: 'denied_admin_inquiry', keys: /行政查询/ },
  { id: 'unavailable_not_held', keys: /不掌握/ },
  { id: 'unavailable_needs_creation', keys: /另行制作|现成信息/ },
  { id: 'unavailable_unclear', keys: /仍不明确|补正后/ },
  { id: 'not_processed_petition', keys: /信访|举报投诉/ },
  { id: 'not_processed_duplicate', keys: /重复申请/ },
  { id: 'not_processed_publication', keys: /出版物/ },
  { id: 'not_processed_excessive', keys: /大量反复/ },
  { id: 'not_processed_confirmation', keys: /确认或重新出具|重新出具/ },
  { id: 'other_no_correction', keys: /不补正/ },
  { id: 'other_unpaid_fee', keys: /缴纳费用|收费通知/ },
  { id: 'other_misc', keys: /(?:^|\(六\)其他处理|[\d.、)])其他$/ },
  { id: 'other_total', keys: /其他处理/ },
  { id: 'results_total', keys: /总计|合计/ },
  { id: 'granted', keys: /予以公开/, not: /不予/ },
];

/** Template row order of table 3, per edition (§4.2): the sequence used to place unlabelled rows. */
const T3_HEAD: readonly T3Row[] = [
  'new_received', 'carried_over', 'granted', 'partially_granted',
  'denied_state_secret', 'denied_law_prohibited', 'denied_security_stability', 'denied_third_party_rights',
  'denied_internal_affairs', 'denied_process_info', 'denied_enforcement_file', 'denied_admin_inquiry',
  'unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear',
  'not_processed_petition', 'not_processed_duplicate', 'not_processed_publication', 'not_processed_excessive',
  'not_processed_confirmation',
];
export const T3_TEMPLATE: Record<Edition, readonly T3Row[]> = {
  v2021: [...T3_HEAD, 'other_no_correction', 'other_unpaid_fee', 'other_misc', 'results_total', 'carried_forward'],
  v2019: [...T3_HEAD, 'other_total', 'results_total', 'carried_forward'],
};

/** Rows whose presence decides the table-3 edition. */
export const T3_V2021_ONLY: ReadonlySet<T3Row> = new Set(['other_no_correction', 'other_unpaid_fee', 'other_misc']);

/** Derived identities of §6.2: group subtotals over leaf rows. */
export const T3_DERIVED_GROUPS: Record<'denied_total' | 'unavailable_total' | 'not_processed_total', readonly T3Row[]> = {
  denied_total: T3_HEAD.slice(4, 12),
  unavailable_total: T3_HEAD.slice(12, 15),
  not_processed_total: T3_HEAD.slice(15, 20),
};
export const T3_OTHER_CHILDREN: readonly T3Row[] = ['other_no_correction', 'other_unpaid_fee', 'other_misc'];

// ───────────────────────────── Table 4: 行政复议、行政诉讼 ─────────────────────────────

export const T4_GROUPS = ['admin_review', 'litigation_direct', 'litigation_after_review'] as const;
export const T4_OUTCOMES = ['upheld', 'corrected', 'other', 'pending', 'total'] as const;
export type T4Group = (typeof T4_GROUPS)[number];
export type T4Outcome = (typeof T4_OUTCOMES)[number];
/** The 15 values of table 4 are mapped by position (§5): group-major, outcome-minor. */
export const T4_POSITIONS: readonly { group: T4Group; outcome: T4Outcome }[] = T4_GROUPS.flatMap((group) =>
  T4_OUTCOMES.map((outcome) => ({ group, outcome })),
);
/** Block labels of table 4, for a table 4 printed as separate blocks or one row per block (most specific first). */
export const T4_GROUP_LABELS: readonly LabelRule<T4Group>[] = [
  { id: 'litigation_after_review', keys: /复议后起诉|复议后诉讼/ },
  { id: 'litigation_direct', keys: /未经复议|直接起诉/ },
  { id: 'admin_review', keys: /行政复议|^复议$/ },
];
/** Outcome labels of table 4, for a table 4 printed with one row per outcome. */
export const T4_OUTCOME_LABELS: readonly LabelRule<T4Outcome>[] = [
  { id: 'upheld', keys: /维持/ },
  { id: 'corrected', keys: /纠正/ },
  { id: 'pending', keys: /尚未审结|未审结/ },
  { id: 'other', keys: /其他/ },
  { id: 'total', keys: /总计|合计|小计/ },
];
/** Header rows of table 4 name its groups and outcomes, words no table-3 row label has. */
export const T4_HEADER_ROW = /行政复议|行政诉讼|直接起诉|复议后起诉|维持|审结/;

// ───────────────────────────── Sections ─────────────────────────────

/** Section headings (§2), matched on short lines only so preamble sentences do not count. */
export const SECTION_HEADINGS: readonly LabelRule<'t2' | 't3' | 't4' | 'end'>[] = [
  { id: 't3', keys: /收到和处理政府信息公开申请/ },
  { id: 't4', keys: /行政复议.{0,3}行政诉讼/ },
  { id: 't2', keys: /主动公开政府信息情况|政府信息主动公开情况|主动公开政府信息/ },
  { id: 'end', keys: /存在的?主要问题|存在问题|其他需要报告|其它需要报告/ },
];

/** Header rows of table 3 name the applicant columns. */
export const T3_COLUMN_HEADER_ROW = /自然人|法人或其他组织|申请人情况|商业企业|科研机构/;

/** The table-3 header note (勾稽关系) that opens the table in both editions. */
export const T3_HEADER_NOTE = /勾稽关系|申请人情况/;
