// Label normalisation before matching (spec/templates.md §8.1): NFKC, bracket and quote
// unification, all whitespace removed. Every step answers a variant seen in real reports.

const BRACKETS: Record<string, string> = { '【': '(', '】': ')', '［': '(', '］': ')', '〔': '(', '〕': ')', '[': '(', ']': ')' };
const QUOTES = /[“”"＂「」『』]/g;

/**
 * `fn` with its results remembered for short texts. Table labels repeat within a report and across every
 * report of a batch (the template prints the same ones), so most are normalised once per process; the
 * memory is bounded (cleared when full) and long texts (prose lines, seen once) are not kept.
 */
export function memoizeText<T>(fn: (text: string) => T, maxEntries = 20_000, maxLength = 200): (text: string) => T {
  const memo = new Map<string, T>();
  return (text) => {
    if (text.length > maxLength) return fn(text);
    let out = memo.get(text);
    if (out === undefined) {
      if (memo.size >= maxEntries) memo.clear();
      memo.set(text, (out = fn(text)));
    }
    return out;
  };
}

export const normalizeLabel = memoizeText((text) =>
  text
    .normalize('NFKC')
    .replace(/[【】［］〔〕[\]]/g, (c) => BRACKETS[c] ?? c)
    .replace(QUOTES, '"')
    .replace(/[\s\u3000\u00a0\u200b\ufeff]+/g, '')
    .replace(/[:：]/g, ':'),
);
