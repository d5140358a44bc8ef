// Counts the prose states that the tables also hold (行政复议7件，诉讼9件; 制发规范性文件12件). They are
// evidence, not cells: rule S-6 compares them with the tables, and when a table is absent or partial they
// are the only figure the record has, kept with their own status (prose).
import type { ReportProse } from './recordSchema.ts';

const UNIT = '\\s*(?:件|起|宗|个|份)';
/** A number right after the subject, allowing 案件/共/数为 between; never across a clause. */
const after = (subject: string) => new RegExp(`${subject}(?:案件|申请)?(?:数量?)?(?:共计|共|合计|总数)?(?:为|是)?\\s*(\\d+)${UNIT}`);

const REVIEWS = after('(?:行政复议|复议)');
const LAWSUITS = after('(?:行政诉讼|诉讼)');
const DOCUMENTS = after('(?:制发|印发|出台)(?:了|的)?(?:行政)?规范性文件');

function first(text: string, re: RegExp): number | null {
  for (const clause of text.split(/[。；;，,\n]/)) {
    const m = re.exec(clause);
    if (m) return Number(m[1]);
  }
  return null;
}

export function readStatedCounts(text: string): ReportProse['stated'] {
  return {
    admin_reviews: first(text, REVIEWS),
    lawsuits: first(text, LAWSUITS),
    documents_issued: first(text, DOCUMENTS),
  };
}
