// Property test: shuffling whitespace, punctuation width and blank placeholders in a real document
// never changes the values extracted from it. Mutations are applied to the intermediate document,
// so the same property is checked for every format (HTML, markdown, text).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Block, ParsedDocument } from '../extractors/document.ts';
import { extractDocument } from '../extractors/extract.ts';
import { buildRecord } from '../transforms/record.ts';
import type { ReportRecord } from '../transforms/recordSchema.ts';
import { CORPUS, corpusDocuments } from './support/corpus.ts';
import { prng } from './helpers/hostile.ts';

const SEEDS = join(import.meta.dirname, '../data/samples/seeds');
const RUNS_PER_DOCUMENT = 6;

const WIDTH_SWAPS: Record<string, string> = { '(': '（', ')': '）', '（': '(', '）': ')', ':': '：', '：': ':', ',': '，', '，': ',', '.': '．', '“': '"', '”': '"' };
const SPACES = [' ', '\u3000', '  ', '\u00a0'];
const BLANKS = ['', '-', '—', '/', '／', '－', ' '];
const pick = <T,>(rng: () => number, xs: T[]) => xs[Math.floor(rng() * xs.length)];

/** Whitespace between CJK characters and swapped punctuation width, never touching digits. */
function shuffleLabel(text: string, rng: () => number): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    out += WIDTH_SWAPS[ch] && rng() < 0.5 ? WIDTH_SWAPS[ch] : ch;
    const next = text[i + 1] ?? '';
    if (/[\u4e00-\u9fff]/.test(ch) && /[\u4e00-\u9fff]/.test(next) && rng() < 0.15) out += pick(rng, SPACES);
  }
  return out;
}

/** Leading/trailing whitespace and full-width digits around a number. */
function shuffleValue(text: string, rng: () => number): string {
  const digits = rng() < 0.3 ? text.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)) : text;
  return (rng() < 0.3 ? pick(rng, SPACES) : '') + digits + (rng() < 0.3 ? pick(rng, SPACES) : '');
}

function mutate(doc: ParsedDocument, record: ReportRecord, rng: () => number): ParsedDocument {
  const blankAt = new Set(
    Object.values(record.cells)
      .filter((c) => c.at && c.at.table >= 0 && /^[\s\-—－/／]*$/.test(c.raw))
      .map((c) => `${c.at!.table}:${c.at!.row}:${c.at!.col}`),
  );
  const blocks: Block[] = doc.blocks.map((block) => {
    if (block.kind === 'text') return { ...block, text: block.text.split('\n').map((l) => shuffleLabel(l, rng)).join('\n') };
    const { grid } = block;
    const replaced = new Map<string, string>(); // one new text per merged cell, repeated at every position it covers
    const rows = grid.rows.map((row, r) =>
      row.map((cell, c) => {
        const origin = `${cell.originRow}:${cell.originCol}`;
        if (!replaced.has(origin)) {
          const t = cell.text;
          replaced.set(
            origin,
            blankAt.has(`${grid.index}:${r}:${c}`) ? pick(rng, BLANKS) : /^\s*[\d.]+\s*$/.test(t) ? shuffleValue(t.trim(), rng) : t === '' ? t : shuffleLabel(t, rng),
          );
        }
        return { ...cell, text: replaced.get(origin)! };
      }),
    );
    return { kind: 'table', grid: { ...grid, rows } };
  });
  return { ...doc, blocks };
}

const values = (record: ReportRecord) => Object.fromEntries(Object.entries(record.cells).map(([id, c]) => [id, c.value]));

const inputs = [
  ...corpusDocuments.filter((f) => !f.endsWith('.pdf')).map((f) => join(CORPUS, f)),
  ...['000_ee99eda0b851ed47.txt', '001_b4512be360909492.txt', '002_7051039651d1a08e.txt', '003_5f6bec8eadb51f9b.txt', '004_4d27c7cf704db1e1.txt'].map((f) => join(SEEDS, f)),
];

describe('extraction is invariant under whitespace, punctuation width and blank placeholders', () => {
  for (const path of inputs) {
    it(path.split('/').slice(-2).join('/'), async () => {
      const bytes = readFileSync(path);
      const doc = await extractDocument({ bytes, fileName: path });
      const ctx = { source: path, sha256: createHash('sha256').update(bytes).digest('hex') };
      const original = buildRecord(doc, ctx);
      expect(Object.keys(original.cells).length).toBeGreaterThan(100);
      for (let run = 0; run < RUNS_PER_DOCUMENT; run++) {
        const seed = 1000 * inputs.indexOf(path) + run;
        const mutated = buildRecord(mutate(doc, original, prng(seed)), ctx);
        expect(values(mutated), `seed ${seed}`).toEqual(values(original));
      }
    });
  }
});
