// The pure parts of the OCR path, on real inputs and without tesseract: Tesseract TSV parsing, ruling lines and
// rotation measured in a page image (pdftoppm's rendering of a real report when poppler is installed), and the
// arithmetic review of OCR readings on a real report whose cells are marked as read by OCR, one digit misread.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParsedDocument } from '../extractors/document.ts';
import { extractDocument } from '../extractors/extract.ts';
import { ruledCells } from '../extractors/ocr.ts';
import { estimateSkew, parsePgm, rotate } from '../extractors/ocrImage.ts';
import { findRulingLines } from '../extractors/ocrRules.ts';
import { parseTsv } from '../extractors/ocrTsv.ts';
import { buildRecord } from '../transforms/record.ts';
import { CORPUS } from './support/corpus.ts';

describe('Tesseract TSV', () => {
  it('keeps word rows with their boxes and confidences, skipping layout rows and empty words', () => {
    const tsv = [
      'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
      '1\t1\t0\t0\t0\t0\t0\t0\t2480\t3509\t-1\t',
      '4\t1\t1\t1\t1\t0\t317\t370\t1835\t64\t-1\t',
      '5\t1\t1\t1\t1\t1\t317\t371\t51\t61\t91.204742\t营',
      '5\t1\t1\t1\t1\t2\t404\t370\t71\t62\t-1\t ',
      '5\t2\t3\t1\t2\t1\t1040\t541\t155\t32\t23.757057\t3985758',
    ].join('\n');
    expect(parseTsv(tsv)).toEqual([
      { text: '营', left: 317, top: 371, width: 51, height: 61, confidence: 91.204742, page: 1, line: '1.1.1' },
      { text: '3985758', left: 1040, top: 541, width: 155, height: 32, confidence: 23.757057, page: 2, line: '3.1.2' },
    ]);
  });
});

const poppler = spawnSync('pdftoppm', ['-v']).status === 0;

describe.skipIf(!poppler)('a page image of a real report (pdftoppm)', () => {
  const page4 = () => parsePgm(spawnSync('pdftoppm', ['-r', '150', '-gray', '-f', '4', '-l', '4', join(CORPUS, 'huaian-city-2024.pdf')], { maxBuffer: 64 << 20 }).stdout);

  it('finds the rules of tables 2 and 3 and the ruled cells between them', () => {
    const lines = findRulingLines(page4(), 150);
    // Table 3 on this page: 7 applicant columns and the label columns; every rule ends on rules across it.
    expect(lines.vertical.length).toBeGreaterThanOrEqual(12);
    expect(lines.horizontal.length).toBeGreaterThanOrEqual(20);
    // 13 numeric rows of 7 cells of table 3 on this page, plus table 2's value cells.
    expect(ruledCells(lines, 150).length).toBeGreaterThanOrEqual(13 * 7 + 3);
  });

  it('measures a rotation it did not make, and finds the same rules once it is undone', () => {
    const image = page4();
    const tilted = rotate(image, -1.2); // rotate() undoes a skew: this adds one of +1.2°
    // The agency's own page is itself a little askew (under 0.2°); the added tilt is measured on top of it.
    const own = estimateSkew(image);
    expect(Math.abs(own)).toBeLessThan(0.2);
    expect(Math.abs(estimateSkew(tilted) - (own + 1.2))).toBeLessThan(0.1);
    const straight = rotate(tilted, estimateSkew(tilted));
    expect(findRulingLines(straight, 150).vertical.length).toBe(findRulingLines(image, 150).vertical.length);
  });
});

describe('the arithmetic review of OCR readings', () => {
  /** The real report, its tables marked as read by OCR at confidence 95, with some cells read as other text. */
  async function asOcr(misread: Record<string, string>): Promise<ParsedDocument> {
    const doc = await extractDocument({ bytes: readFileSync(join(CORPUS, 'pingtan-2023.html')), fileName: 'pingtan-2023.html' });
    for (const block of doc.blocks) {
      if (block.kind !== 'table') continue;
      block.grid.source = 'page 1';
      for (const row of block.grid.rows) {
        const label = row.map((c) => c.text).join('|');
        for (const cell of row) cell.confidence = 95;
        for (const [rowLabel, text] of Object.entries(misread)) {
          const [labelText, col] = rowLabel.split('@');
          if (label.includes(labelText)) row[Number(col)].text = text;
        }
      }
    }
    return { ...doc, ocr: { engine: 'test', pages: [1] } };
  }
  const record = (doc: ParsedDocument) => buildRecord(doc, { source: 'pingtan-2023.html', sha256: '0'.repeat(64) });

  it('every value read by OCR has status ocr and its confidence; the rules pass on a faithful reading', async () => {
    const r = record(await asOcr({}));
    expect(r.cells['t3.granted.natural_person']).toMatchObject({ value: 22, status: 'ocr', confidence: 95 });
    expect(r.checks.filter((c) => !c.passed && c.severity === 'error')).toEqual([]);
    expect(r.issues.map((i) => i.code)).not.toContain('ocr_check_failed');
  });

  it('proposes the only one-digit reading that satisfies the rules, keeping the raw reading', async () => {
    const doc = await asOcr({});
    const t3 = doc.blocks.find((b) => b.kind === 'table' && b.grid.rows.some((row) => row.some((c) => c.text.includes('予以公开'))));
    if (t3?.kind !== 'table') throw new Error('no table 3');
    const row = t3.grid.rows.find((r) => r.some((c) => c.text.includes('予以公开')))!;
    const cell = row.find((c) => c.text === '22')!;
    cell.text = '27'; // 2 read as 7 in the natural-person column: H2 (row) and H3 (column) fail, one reading repairs both
    const r = record(doc);
    expect(r.cells['t3.granted.natural_person']).toMatchObject({ value: 22, status: 'ocr_corrected', raw: '27' });
    expect(r.issues.find((i) => i.code === 'ocr_corrected')?.message).toMatch(/t3\.granted\.natural_person read by OCR as "27" is proposed as 22/);
    expect(r.checks.filter((c) => !c.passed && c.severity === 'error')).toEqual([]);
  });

  it('flags a row whose misreading no single digit repairs, and never corrects it', async () => {
    const doc = await asOcr({});
    const t3 = doc.blocks.find((b) => b.kind === 'table' && b.grid.rows.some((row) => row.some((c) => c.text.includes('予以公开'))));
    if (t3?.kind !== 'table') throw new Error('no table 3');
    const row = t3.grid.rows.find((r) => r.some((c) => c.text.includes('予以公开')))!;
    row.find((c) => c.text === '22')!.text = '2'; // a digit lost: 22 read as 2, and its total read as 2 too
    const totals = row.filter((c) => c.text === '22');
    totals.at(-1)!.text = '2';
    const r = record(doc);
    const failed = r.issues.filter((i) => i.code === 'ocr_check_failed').map((i) => i.message).join('\n');
    expect(failed).toMatch(/t3\.granted\.natural_person/);
    expect(r.cells['t3.granted.natural_person'].status).toBe('ocr');
  });
});
