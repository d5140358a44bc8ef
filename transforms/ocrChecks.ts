// Values read by OCR are checked by the template's own arithmetic before anyone trusts them. The hard
// rules run on them like on any printed value; where they fail, the one-digit readings of the cells
// in the failing rules are tried, and a reading is proposed (status ocr_corrected, the OCR text kept
// in `raw`) only when it is the only one that repairs its rules and breaks none. Every OCR value a
// failed rule covers is named in an ocr_check_failed issue; every value no rule checks is named with
// its confidence, so no OCR value is presented as checked unless arithmetic checked it.
import type { Block, Issue, ParsedDocument } from '../extractors/document.ts';
import type { CellMap } from './cells.ts';
import type { Check, ReportProse } from './recordSchema.ts';
import { runChecks } from './rules.ts';

/** A value no rule checks is presented without a warning only from this OCR confidence up (0–100). */
export const UNCHECKED_MIN_CONFIDENCE = 90;
/** Correction rounds: each round fixes one reading, then the rules run again. */
const MAX_CORRECTIONS = 12;

const HARD_RULES = new Set(['H1', 'H2', 'H3', 'H4']);
const keyOf = (c: Check) => `${c.rule} ${c.scope}`;

/** Canonical cells a rule's result speaks about. */
function coveredBy(check: Check, id: string): boolean {
  const [table, row, column] = id.split('.');
  switch (check.rule) {
    case 'H1':
      return table === 't3' && column === check.scope && ['new_received', 'carried_over', 'results_total', 'carried_forward'].includes(row);
    case 'H2':
      return table === 't3' && row === check.scope;
    case 'H3':
      return table === 't3' && column === check.scope;
    case 'H4':
      return table === 't4' && row === check.scope;
    case 'H5':
      return !check.passed && new RegExp(`(?:^|, )${id.replace(/\./g, '\\.')}=`).test(check.detail);
    default:
      return false;
  }
}

/** The pages a block came from ("page 3", "page 3-4"). */
function pagesOf(source: string | undefined): number[] {
  const m = /page (\d+)(?:-(\d+))?/.exec(source ?? '');
  if (!m) return [];
  const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

interface OcrReading {
  confidence: number | null;
}

/** The OCR reading behind a printed cell, or null when the cell came from a text layer. */
function readingOf(doc: ParsedDocument, at: { table: number; row: number; col: number }): OcrReading | null {
  const ocrPages = new Set(doc.ocr?.pages ?? []);
  let block: Block | undefined;
  if (at.table < 0) block = doc.blocks[at.row];
  else block = doc.blocks.find((b) => b.kind === 'table' && b.grid.index === at.table);
  if (!block) return null;
  if (block.kind === 'table') {
    const confidence = block.grid.rows[at.row]?.[at.col]?.confidence;
    if (confidence !== undefined) return { confidence };
    return pagesOf(block.grid.source).some((p) => ocrPages.has(p)) ? { confidence: null } : null;
  }
  return pagesOf(block.source).some((p) => ocrPages.has(p)) ? { confidence: null } : null;
}

/** Readings one digit away: each digit replaced, or one digit dropped; a blank may hide one digit. */
function oneDigitReadings(value: number | null): number[] {
  if (value === null) return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  if (!Number.isInteger(value) || value < 0) return [];
  const s = String(value);
  const out = new Set<number>();
  for (let i = 0; i < s.length; i++) {
    for (let d = 0; d <= 9; d++) {
      if (String(d) === s[i] || (i === 0 && d === 0 && s.length > 1)) continue;
      out.add(Number(s.slice(0, i) + d + s.slice(i + 1)));
    }
    if (s.length > 1 && !(i === 0 && s[1] === '0')) out.add(Number(s.slice(0, i) + s.slice(i + 1)));
  }
  return [...out];
}

export interface OcrReview {
  cells: CellMap;
  checks: Check[];
  issues: Issue[];
}

/**
 * Review the cells of a document read (partly) by OCR. `printed` holds the cells as read, before
 * blanks were completed and identities derived; `complete` does that on a copy. For a document
 * without OCR, the completed cells and their checks come back unchanged.
 */
export function reviewOcrCells(
  doc: ParsedDocument,
  printed: CellMap,
  completed: CellMap,
  complete: (cells: CellMap) => void,
  prose: ReportProse,
): OcrReview {
  if (!doc.ocr) return { cells: completed, checks: runChecks(completed, prose), issues: [] };
  const readings = new Map<string, OcrReading>();
  for (const [id, cell] of Object.entries(printed)) {
    const reading = cell.at ? readingOf(doc, cell.at) : null;
    if (reading) readings.set(id, reading);
  }
  const evaluate = (cells: CellMap) => {
    const full = { ...cells };
    complete(full);
    return { full, checks: runChecks(full, prose) };
  };
  const failedHard = (checks: Check[]) => new Set(checks.filter((c) => !c.passed && HARD_RULES.has(c.rule)).map(keyOf));

  const current: CellMap = { ...printed };
  const corrections: { id: string; raw: string; value: number; fixed: string[] }[] = [];
  let state = evaluate(current);
  const asRead = state.checks;
  for (let round = 0; round < MAX_CORRECTIONS; round++) {
    const failing = state.checks.filter((c) => !c.passed && HARD_RULES.has(c.rule));
    if (failing.length === 0) break;
    const before = failedHard(state.checks);
    const suspects = [...readings.keys()].filter((id) =>
      (current[id].status === 'reported' || current[id].status === 'blank') && !corrections.some((c) => c.id === id) &&
      failing.some((check) => coveredBy(check, id)));
    const repairs: { id: string; value: number; fixed: string[] }[] = [];
    for (const id of suspects) {
      for (const value of oneDigitReadings(current[id].value)) {
        const trial = evaluate({ ...current, [id]: { ...current[id], value, status: 'reported' } });
        const after = failedHard(trial.checks);
        const broken = [...after].some((k) => !before.has(k));
        const fixed = [...before].filter((k) => !after.has(k));
        if (!broken && fixed.length > 0) repairs.push({ id, value, fixed });
      }
    }
    // A repair stands only when no other reading repairs any of the same rules: the arithmetic must point at one cell and one digit.
    const unique = repairs.find((r) => !repairs.some((o) => o !== r && o.fixed.some((k) => r.fixed.includes(k))));
    if (!unique) break;
    corrections.push({ ...unique, raw: current[unique.id].raw });
    current[unique.id] = { ...current[unique.id], value: unique.value, status: 'reported' };
    state = evaluate(current);
  }

  const { full, checks } = state;
  const issues: Issue[] = [];
  for (const [id, cell] of Object.entries(full)) {
    const reading = readings.get(id);
    if (!reading || !cell.at) continue;
    const corrected = corrections.some((c) => c.id === id);
    full[id] = { ...cell, status: corrected ? 'ocr_corrected' : cell.status === 'reported' ? 'ocr' : cell.status, confidence: reading.confidence };
  }
  for (const c of corrections) {
    issues.push({
      code: 'ocr_corrected',
      severity: 'warning',
      message: `${c.id} read by OCR as "${c.raw.trim()}" is proposed as ${c.value}: the only one-digit reading that satisfies ${c.fixed.join(', ')}`,
    });
  }
  const ocrValues = Object.keys(full).filter((id) => (full[id].status === 'ocr' || full[id].status === 'ocr_corrected') && readings.has(id));
  const flagged = new Set<string>();
  for (const check of checks.filter((c) => !c.passed && (HARD_RULES.has(c.rule) || c.rule === 'H5'))) {
    const ids = [...readings.keys()].filter((id) => coveredBy(check, id) && full[id]?.at);
    if (ids.length === 0) continue;
    ids.forEach((id) => flagged.add(id));
    issues.push({
      code: 'ocr_check_failed',
      severity: 'warning',
      message: `${check.rule} ${check.scope} fails (${check.detail}): the OCR readings ${ids.join(', ')} are not exact`,
    });
  }
  // A rule that passes only with a proposed correction confirms nothing: its readings stay unconfirmed.
  const nowPassing = new Set(checks.filter((c) => c.passed).map(keyOf));
  for (const check of asRead.filter((c) => !c.passed && HARD_RULES.has(c.rule) && nowPassing.has(keyOf(c)))) {
    const ids = [...readings.keys()].filter((id) => coveredBy(check, id) && full[id]?.at);
    if (ids.length === 0) continue;
    ids.forEach((id) => flagged.add(id));
    issues.push({
      code: 'ocr_check_repaired',
      severity: 'warning',
      message: `${check.rule} ${check.scope} failed as read (${check.detail}) and passes only with the proposed correction: the OCR readings ${ids.join(', ')} are not confirmed`,
    });
  }
  const passing = checks.filter((c) => c.passed && HARD_RULES.has(c.rule));
  const unchecked = ocrValues.filter((id) => !flagged.has(id) && !passing.some((check) => coveredBy(check, id)));
  // A blank that OCR saw is not known to be blank unless the arithmetic made it a zero (imputed_zero): a faint or
  // stamped-over digit looks the same. Ink that read as no number (confidence 0) is no blank at all, whatever
  // the arithmetic imputes for it.
  const unreadable = [...readings.keys()].filter((id) =>
    full[id]?.status === 'blank' || (full[id]?.status === 'imputed_zero' && readings.get(id)!.confidence === 0));
  const low = [...unchecked.filter((id) => (full[id].confidence ?? 0) < UNCHECKED_MIN_CONFIDENCE), ...unreadable];
  if (low.length > 0) {
    issues.push({
      code: 'ocr_low_confidence',
      severity: 'warning',
      message: `no rule checks these OCR readings and their confidence is below ${UNCHECKED_MIN_CONFIDENCE}: ` +
        low.map((id) => `${id}=${full[id].value} (${full[id].confidence === null || full[id].confidence === undefined ? 'unknown' : Math.round(full[id].confidence!)})`).join(', '),
    });
  }
  const confident = unchecked.filter((id) => !low.includes(id));
  if (confident.length > 0) {
    issues.push({
      code: 'ocr_unchecked',
      severity: 'info',
      message: `no rule checks these OCR readings (confidence ${UNCHECKED_MIN_CONFIDENCE} or more): ${confident.join(', ')}`,
    });
  }
  return { cells: full, checks, issues };
}
