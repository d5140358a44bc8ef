// Reading one printed value cell (spec/templates.md §9). A cell is either a number (possibly with a
// unit, a sign or a verbal change), a blank placeholder, or text we refuse to guess at ('unparsed').
import { memoizeText } from './normalize.ts';

/** How a cell's number is to be read: counts, signed changes (本年增/减), or money in a fixed unit. */
export type ValueKind = 'count' | 'signed_count' | 'amount_wan_yuan' | 'amount_yuan';

export interface ParsedValue {
  value: number | null;
  status: 'reported' | 'blank' | 'unparsed';
  raw: string;
  /** "1 6": the digits joined (16), to be accepted only when an arithmetic rule confirms it. */
  splitDigitsCandidate?: number;
  /** The unit printed inside the cell, if any (元, 万元, 亿元). */
  unit?: string;
}

const BLANK_PLACEHOLDERS = new Set(['', '-', '--', '---', '—', '——', '－', '−', '/', '／', '\\', '无', '空', '_', '…']);
const UNIT_FACTOR_YUAN: Record<string, number> = { 元: 1, 万元: 1e4, 亿元: 1e8 };
const NUMBER = /^[+-]?\d+(?:\.\d+)?$/;

/** Canonical text of a value cell: NFKC (full-width digits), no whitespace at the ends, no footnote marks. */
function clean(raw: string): string {
  return /^\d+$/.test(raw) ? raw : cleanText(raw); // the common case, without NFKC
}
const cleanText = memoizeText((raw) =>
  raw
    .normalize('NFKC')
    .replace(/[\u00a0\u3000\u200b\ufeff]/g, ' ')
    .trim()
    .replace(/(?<=\d)[,，](?=\d{3}(?:\D|$))/g, '')
    .replace(/[*※]+$|注\d*$|[¹²³⁴⁵⁶⁷⁸⁹⁰]+$/u, '')
    .replace(/^[＋+]/, '+')
    .replace(/^[－−–]/, '-')
    .trim(),
);

/** True when the text reads as a value cell (number, number with unit, change, or placeholder). */
export function isValueText(raw: string): boolean {
  return /^\d+$/.test(raw) || isValueCellText(raw);
}
const isValueCellText = memoizeText((raw) => {
  const text = clean(raw);
  if (BLANK_PLACEHOLDERS.has(text)) return true;
  return readNumber(text) !== null || /^\d{1,3}(?:\s+\d{1,3})+$/.test(text);
});

/** True when the text is a blank placeholder (empty cell, dash, slash, 无). */
export function isBlankText(raw: string): boolean {
  return BLANK_PLACEHOLDERS.has(clean(raw));
}

function readNumber(text: string): { value: number; unit?: string } | null {
  const compact = text.replace(/\s+/g, '');
  if (NUMBER.test(compact)) return { value: Number(compact) };
  const withUnit = /^([+-]?\d+(?:\.\d+)?)(万元|亿元|元)$/.exec(compact);
  if (withUnit) return { value: Number(withUnit[1]), unit: withUnit[2] };
  const counted = /^(\d+)(?:件|个|项|条|次|人次|宗)$/.exec(compact);
  if (counted) return { value: Number(counted[1]) };
  const verbal = /^(增加|新增|增|减少|减)(\d+(?:\.\d+)?)(?:项|个|件)?$/.exec(compact);
  if (verbal) return { value: (verbal[1].startsWith('减') ? -1 : 1) * Number(verbal[2]) };
  return null;
}

export function parseValue(raw: string, kind: ValueKind): ParsedValue {
  const text = clean(raw);
  if (BLANK_PLACEHOLDERS.has(text)) return { value: null, status: 'blank', raw };
  // Digits split by whitespace ("1 6") are ambiguous until a rule confirms the join.
  if (/^\d{1,3}(?:\s+\d{1,3})+$/.test(text)) {
    return { value: null, status: 'unparsed', raw, splitDigitsCandidate: Number(text.replace(/\s+/g, '')) };
  }
  const read = readNumber(text);
  if (!read) return { value: null, status: 'unparsed', raw };
  let value = read.value;
  if (kind === 'amount_wan_yuan' || kind === 'amount_yuan') {
    if (read.unit) {
      const yuan = value * UNIT_FACTOR_YUAN[read.unit];
      value = kind === 'amount_wan_yuan' ? yuan / 1e4 : yuan;
    }
    return { value: roundMoney(value), status: 'reported', raw, unit: read.unit };
  }
  if (read.unit) return { value: null, status: 'unparsed', raw, unit: read.unit };
  return { value, status: 'reported', raw };
}

/** Unit conversion must not leave binary noise (5949.088667 万元 stays 5949.088667). */
function roundMoney(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
