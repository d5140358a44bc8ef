// The template's own arithmetic (勾稽关系, spec/templates.md §6) as named checks over the cells.
// Rules only report: they never change a value.
import type { CellMap } from './cells.ts';
import {
  T3_COLUMNS, T3_DERIVED_GROUPS, T3_OTHER_CHILDREN, T3_TEMPLATE, T4_GROUPS, T4_OUTCOMES,
} from './labels.ts';
import type { Check, ReportProse } from './recordSchema.ts';

type Values = (number | null)[];
const get = (cells: CellMap, id: string) => cells[id]?.value ?? null;
const total = (values: Values) => values.reduce<number>((a, v) => a + (v ?? 0), 0);
const show = (values: Values) => values.map((v) => String(v)).join('+');

function equation(rule: string, scope: string, left: Values, right: Values): Check | null {
  if (left.some((v) => v === null) || right.some((v) => v === null)) return null;
  const l = total(left);
  const r = total(right);
  return { rule, scope, severity: 'error', passed: Math.abs(l - r) < 1e-9, detail: `${show(left)} = ${show(right)}${l === r ? '' : ` (${l} ≠ ${r})`}` };
}

// The cell ids each rule reads, built once (a report runs every rule over a few hundred cells).
const H1_IDS = T3_COLUMNS.map((c) => ({
  column: c,
  left: [`t3.new_received.${c}`, `t3.carried_over.${c}`],
  right: [`t3.results_total.${c}`, `t3.carried_forward.${c}`],
}));
const H2_ROWS = [...new Set([...T3_TEMPLATE.v2019, ...T3_TEMPLATE.v2021])].map((row) => ({ row, ids: T3_COLUMNS.map((c) => `t3.${row}.${c}`) }));
const H3_OUTCOME_ROWS = ['granted', 'partially_granted', ...T3_DERIVED_GROUPS.denied_total, ...T3_DERIVED_GROUPS.unavailable_total, ...T3_DERIVED_GROUPS.not_processed_total];
const h3Ids = (rows: readonly string[]) => T3_COLUMNS.map((c) => ({ column: c, total: `t3.results_total.${c}`, outcomes: rows.map((r) => `t3.${r}.${c}`) }));
// v2019 prints （六）其他处理 as one row; v2021 prints its three children (other_total is then derived).
const H3_IDS = { v2019: h3Ids([...H3_OUTCOME_ROWS, 'other_total']), v2021: h3Ids([...H3_OUTCOME_ROWS, ...T3_OTHER_CHILDREN]) };
const T3_OTHER_CHILD_TOTALS = T3_OTHER_CHILDREN.map((r) => `t3.${r}.total`);
const H4_IDS = T4_GROUPS.map((g) => ({ group: g, total: `t4.${g}.total`, outcomes: T4_OUTCOMES.slice(0, 4).map((o) => `t4.${g}.${o}`) }));
const T4_IDS = T4_GROUPS.flatMap((g) => T4_OUTCOMES.map((o) => `t4.${g}.${o}`));
const values = (cells: CellMap, ids: readonly string[]): Values => ids.map((id) => get(cells, id));

/** H1: 第一项加第二项之和，等于第三项加第四项之和, in every column. */
function h1(cells: CellMap): Check[] {
  return H1_IDS.flatMap(({ column, left, right }) => {
    const check = equation('H1', column, values(cells, left), values(cells, right));
    return check ? [check] : [];
  });
}

/** H2: 总计 is the sum of the applicant columns, checked only on rows printed in full (S-7). */
function h2(cells: CellMap): Check[] {
  return H2_ROWS.flatMap(({ row, ids }) => {
    if (!ids.every((id) => cells[id]?.status === 'reported')) return [];
    const check = equation('H2', row, [get(cells, ids[6])], ids.slice(0, 6).map((id) => get(cells, id)));
    return check ? [check] : [];
  });
}

/** H3: （七）总计 is the sum of every outcome row. */
function h3(cells: CellMap): Check[] {
  const v2019 = !T3_OTHER_CHILD_TOTALS.some((id) => id in cells) && 't3.other_total.total' in cells;
  return H3_IDS[v2019 ? 'v2019' : 'v2021'].flatMap(({ column, total, outcomes }) => {
    const check = equation('H3', column, [get(cells, total)], values(cells, outcomes));
    return check ? [check] : [];
  });
}

/** H4: each table-4 group's 总计 is the sum of its four outcomes. */
function h4(cells: CellMap): Check[] {
  return H4_IDS.flatMap(({ group, total, outcomes }) => {
    const check = equation('H4', group, [get(cells, total)], values(cells, outcomes));
    return check ? [check] : [];
  });
}

/** H5: counts are whole numbers ≥ 0; only 本年增/减 may be negative and money may be fractional. */
function h5(cells: CellMap): Check[] {
  const byTable: Record<string, string[]> = { t2: [], t3: [], t4: [] };
  for (const id in cells) {
    const cell = cells[id];
    if (cell.value !== null && cell.status !== 'derived' && id[2] === '.') byTable[id.slice(0, 2)]?.push(id);
  }
  return ['t2', 't3', 't4'].flatMap((table) => {
    const ids = byTable[table];
    if (ids.length === 0) return [];
    const bad = ids.filter((id) => {
      const v = cells[id].value!;
      if (id.includes('.amount_')) return v < 0;
      if (id.endsWith('.items_change')) return !Number.isInteger(v);
      return v < 0 || !Number.isInteger(v);
    });
    return [{
      rule: 'H5',
      scope: table,
      severity: 'error' as const,
      passed: bad.length === 0,
      detail: bad.length === 0 ? `${ids.length} cells are whole numbers ≥ 0 where required` : bad.map((id) => `${id}=${cells[id].value}`).join(', '),
    }];
  });
}

/** S-5: the year cannot close more applications than it had. */
function s5(cells: CellMap): Check[] {
  const [done, received, carried] = ['t3.results_total.total', 't3.new_received.total', 't3.carried_over.total'].map((id) => get(cells, id));
  if (done === null || received === null || carried === null) return [];
  return [{ rule: 'S-5', scope: 'total', severity: 'warning', passed: done <= received + carried, detail: `${done} ≤ ${received}+${carried}` }];
}

/** S-6: what the prose says against what the tables say. */
function s6(cells: CellMap, prose: ReportProse): Check[] {
  const checks: Check[] = [];
  const received = get(cells, 't3.new_received.total');
  const carried = get(cells, 't3.carried_over.total');
  if (prose.no_applications_statement && received !== null) {
    checks.push({
      rule: 'S-6', scope: 'no_applications', severity: 'warning', passed: received === 0,
      detail: `prose "${prose.no_applications_statement}"; table 3 new_received.total = ${received}`,
    });
  }
  if (prose.applications_received !== null && received !== null) {
    const n = prose.applications_received;
    checks.push({
      rule: 'S-6', scope: 'applications_received', severity: 'warning', passed: n === received || n === received + (carried ?? 0),
      detail: `prose ${n}; table 3 new_received.total = ${received}, carried_over.total = ${carried}`,
    });
  }
  const t4 = values(cells, T4_IDS);
  if (prose.no_review_litigation_statement && t4.every((v) => v !== null)) {
    checks.push({
      rule: 'S-6', scope: 'no_review_litigation', severity: 'warning', passed: t4.every((v) => v === 0),
      detail: `prose "${prose.no_review_litigation_statement}"; table 4 sum = ${total(t4)}`,
    });
  }
  checks.push(...statedAgainstTables(cells, prose));
  return checks;
}

/** The stated counts of the prose (statedCounts.ts) against the table cells that hold the same figure. */
function statedAgainstTables(cells: CellMap, prose: ReportProse): Check[] {
  const pairs: [string, number | null, string[][]][] = [
    ['admin_reviews', prose.stated.admin_reviews, [['t4.admin_review.total']]],
    ['lawsuits', prose.stated.lawsuits, [['t4.litigation_direct.total', 't4.litigation_after_review.total']]],
    // 制发规范性文件: the v2021 本年制发件数 or the v2019 本年新制作数量 of the 规范性文件 row.
    ['documents_issued', prose.stated.documents_issued, [['t2.normative_docs.issued'], ['t2.normative_docs.newly_made']]],
  ];
  return pairs.flatMap(([scope, stated, alternatives]) => {
    const ids = alternatives.find((group) => group.every((id) => get(cells, id) !== null));
    if (stated === null || !ids) return [];
    const table = total(ids.map((id) => get(cells, id)));
    return [{
      rule: 'S-6', scope, severity: 'warning' as const, passed: stated === table,
      detail: `prose ${stated}; ${ids.join(' + ')} = ${table}`,
    }];
  });
}

export function runChecks(cells: CellMap, prose: ReportProse): Check[] {
  return [...h1(cells), ...h2(cells), ...h3(cells), ...h4(cells), ...h5(cells), ...s5(cells), ...s6(cells, prose)];
}

