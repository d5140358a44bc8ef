// Blank cells and derived identities (spec/templates.md §6.2, §9, rule S-7). Every value set here
// says how it was obtained in its status; printed numbers are never changed.
import type { Issue } from '../extractors/document.ts';
import type { CellMap } from './cells.ts';
import {
  T3_APPLICANT_COLUMNS, T3_COLUMNS, T3_DERIVED_GROUPS, T3_OTHER_CHILDREN, T3_TEMPLATE, T4_GROUPS, T4_OUTCOMES,
} from './labels.ts';

const valueOf = (cells: CellMap, id: string) => cells[id]?.value ?? null;
const sum = (values: (number | null)[]) => (values.some((v) => v === null) ? null : values.reduce<number>((a, v) => a + v!, 0));
const fmt = (ids: string[]) => ids.map((id) => id.split('.').slice(-2).join('.')).join(' + ');

/** One derived identity: the cell, its parts, and the formula its `raw` shows. */
interface Identity {
  id: string;
  parts: string[];
  formula: string;
}
const identity = (id: string, parts: string[]): Identity => ({ id, parts, formula: fmt(parts) });

function derive(cells: CellMap, { id, parts, formula }: Identity): void {
  const total = sum(parts.map((p) => valueOf(cells, p)));
  if (total === null) return;
  cells[id] = { value: total, status: 'derived', raw: formula, at: null };
}

/**
 * A group of cells that must add up (applicants → 总计; four outcomes → 总计): blanks become 0 when
 * the printed cells already add up to a printed total, and a blank total is derived from fully
 * printed parts.
 */
function completeSum(cells: CellMap, parts: string[], totalId: string): void {
  const total = cells[totalId];
  const blankParts = parts.filter((p) => cells[p]?.status === 'blank');
  if (total?.status === 'reported' && blankParts.length > 0) {
    const printed = sum(parts.filter((p) => !blankParts.includes(p)).map((p) => valueOf(cells, p)));
    if (printed !== null && printed === total.value) {
      for (const p of blankParts) cells[p] = { ...cells[p], value: 0, status: 'imputed_zero' };
    }
  }
  if (total?.status === 'blank' && parts.every((p) => cells[p]?.status === 'reported' || cells[p]?.status === 'imputed_zero')) {
    const value = sum(parts.map((p) => valueOf(cells, p)));
    if (value !== null) cells[totalId] = { ...total, value, status: 'derived', raw: total.raw };
  }
}

// The cell ids of every sum and identity, built once (cell ids are looked up hundreds of times per report).
const T3_ROWS_ANY_EDITION = [...new Set([...T3_TEMPLATE.v2019, ...T3_TEMPLATE.v2021])];
const T3_ROW_SUMS = T3_ROWS_ANY_EDITION.map((row) => ({
  total: `t3.${row}.total`,
  applicants: T3_APPLICANT_COLUMNS.map((c) => `t3.${row}.${c}`),
  organisations: identity(`t3.${row}.legal_person_or_org`, T3_APPLICANT_COLUMNS.slice(1).map((c) => `t3.${row}.${c}`)),
}));
const T4_GROUP_SUMS = T4_GROUPS.map((group) => ({ total: `t4.${group}.total`, outcomes: T4_OUTCOMES.slice(0, 4).map((o) => `t4.${group}.${o}`) }));
const T3_COLUMN_IDENTITIES = T3_COLUMNS.map((column) => ({
  groups: Object.entries(T3_DERIVED_GROUPS).map(([group, members]) => identity(`t3.${group}.${column}`, members.map((m) => `t3.${m}.${column}`))),
  otherTotal: identity(`t3.other_total.${column}`, T3_OTHER_CHILDREN.map((m) => `t3.${m}.${column}`)),
}));
const T4_LITIGATION = T4_OUTCOMES.map((outcome) => ({
  direct: `t4.litigation_direct.${outcome}`,
  total: identity(`t4.litigation_total.${outcome}`, [`t4.litigation_direct.${outcome}`, `t4.litigation_after_review.${outcome}`]),
}));

/** Fills blanks that the template's arithmetic determines, then adds the derived identities of §6.2. */
export function completeCells(cells: CellMap, noApplicationsStated: boolean, issues: Issue[]): void {
  const t3Ids = Object.keys(cells).filter((id) => id.startsWith('t3.'));
  if (t3Ids.length > 0 && t3Ids.every((id) => cells[id].status === 'blank')) {
    // A wholly blank table 3 is "not filled in", not zero, unless the prose says nothing was received.
    issues.push({ code: 't3_all_blank', severity: 'warning', message: 'every cell of table 3 is blank' });
    if (noApplicationsStated) {
      for (const id of t3Ids) cells[id] = { ...cells[id], value: 0, status: 'imputed_zero' };
    }
  }
  for (const row of T3_ROW_SUMS) {
    if (cells[row.total]) completeSum(cells, row.applicants, row.total);
  }
  for (const group of T4_GROUP_SUMS) completeSum(cells, group.outcomes, group.total);

  for (const row of T3_ROW_SUMS) {
    if (cells[row.total]) derive(cells, row.organisations);
  }
  for (const { groups, otherTotal } of T3_COLUMN_IDENTITIES) {
    for (const group of groups) {
      if (group.parts.some((m) => cells[m])) derive(cells, group);
    }
    if (!cells[otherTotal.id] && otherTotal.parts.some((m) => cells[m])) derive(cells, otherTotal);
  }
  for (const { direct, total } of T4_LITIGATION) {
    if (cells[direct]) derive(cells, total);
  }
}
