// Label normalisation before matching (spec/templates.md §8.1): NFKC, bracket and quote
// unification, all whitespace removed. Every step answers a variant seen in real reports.

const BRACKETS: Record<string, string> = { '【': '(', '】': ')', '［': '(', '］': ')', '〔': '(', '〕': ')', '[': '(', ']': ')' };
const QUOTES = /[“”"＂「」『』]/g;

export function normalizeLabel(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[【】［］〔〕[\]]/g, (c) => BRACKETS[c] ?? c)
    .replace(QUOTES, '"')
    .replace(/[\s\u3000\u00a0\u200b\ufeff]+/g, '')
    .replace(/[:：]/g, ':');
}
