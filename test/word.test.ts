// Word files built from a corpus report (test/fixtures/office/build.sh, LibreOffice): .docx keeps
// its merged cells and reads every expected cell; .doc, whose rows are rebuilt from word-extractor's
// tab text, reads every expected cell too and says its rows were inferred; files in the wrong format
// or damaged give a clear error.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Grid, ParsedDocument } from '../extractors/document.ts';
import { sniffFormat } from '../extractors/sniff.ts';
import { extractDoc, extractDocx } from '../extractors/word.ts';
import { buildRecord } from '../transforms/record.ts';
import { cellMatches, readExpected } from './support/corpus.ts';

const OFFICE = join(import.meta.dirname, 'fixtures/office');
const read = (file: string) => new Uint8Array(readFileSync(join(OFFICE, file)));
const grids = (doc: ParsedDocument): Grid[] => doc.blocks.flatMap((b) => (b.kind === 'table' ? [b.grid] : []));
const texts = (doc: ParsedDocument): string[] => doc.blocks.flatMap((b) => (b.kind === 'text' ? [b.text] : []));
const expected = readExpected('pingtan-2023.html');

describe('.docx (mammoth)', () => {
  it('tables come out as grids with their merged cells', async () => {
    const doc = await extractDocx(read('pingtan-2023.docx'));
    expect(doc.issues).toEqual([]);
    const t3 = grids(doc).find((g) => g.rows.some((row) => row.some((c) => c.text.includes('本年新收'))))!;
    expect(t3.structured).toBe(true);
    const newReceived = t3.rows.find((row) => row[0].text.includes('本年新收'))!;
    expect(newReceived.slice(-7).map((c) => Number(c.text))).toEqual(
      ['natural_person', 'commercial_enterprise', 'research_institution', 'social_welfare_org', 'legal_service_org', 'other_org', 'total'].map(
        (c) => expected.cells[`t3.new_received.${c}`],
      ),
    );
    // 三、本年度办理结果 is one cell spanning the result rows; 法人或其他组织 spans five columns.
    const group = t3.rows.filter((row) => row[0].text === '三、本年度办理结果');
    expect(group.length).toBeGreaterThanOrEqual(20);
    expect(new Set(group.map((row) => `${row[0].originRow},${row[0].originCol}`)).size).toBe(1);
    const header = t3.rows.find((row) => row.some((c) => c.text === '法人或其他组织'))!;
    expect(header.filter((c) => c.text === '法人或其他组织')).toHaveLength(5);
    expect(texts(doc)).toContain('三、收到和处理政府信息公开申请情况');
  });

  it('every expected cell end to end', async () => {
    const bytes = read('pingtan-2023.docx');
    const record = buildRecord(await extractDocx(bytes), { source: 'pingtan-2023.docx', sha256: createHash('sha256').update(bytes).digest('hex') });
    const misses = Object.entries(expected.cells).filter(([id, value]) => !cellMatches(value, record.cells[id]));
    console.log(`docx accuracy: pingtan-2023.docx ${Object.keys(expected.cells).length - misses.length}/${Object.keys(expected.cells).length} cells exact`);
    expect(misses).toEqual([]);
    expect(expected.agency).toContain(record.meta.agency_name);
    expect(record.meta.report_year).toBe(expected.year);
  });

  it('a damaged .docx gives corrupt_docx', async () => {
    const doc = await extractDocx(read('pingtan-2023.docx').slice(0, 4000));
    expect(doc.issues.map((i) => [i.code, i.severity])).toEqual([['corrupt_docx', 'error']]);
  });
});

describe('.doc (word-extractor)', () => {
  it('rebuilds the tables from the tab text: every expected cell, with the prose and headings kept', async () => {
    const bytes = read('pingtan-2023.doc');
    const doc = await extractDoc(bytes);
    expect(doc.format).toBe('doc');
    expect(doc.issues.map((i) => [i.code, i.severity])).toEqual([['doc_rows_inferred', 'info']]);
    expect(texts(doc)).toEqual(expect.arrayContaining(['一、总体情况', '二、主动公开政府信息情况', '五、存在的主要问题及改进情况']));
    expect(texts(doc).join('')).toContain('各类政府信息公开申请共计81件');
    const record = buildRecord(doc, { source: 'pingtan-2023.doc', sha256: createHash('sha256').update(bytes).digest('hex') });
    const misses = Object.entries(expected.cells).filter(([id, value]) => !cellMatches(value, record.cells[id]));
    console.log(`doc accuracy: pingtan-2023.doc ${Object.keys(expected.cells).length - misses.length}/${Object.keys(expected.cells).length} cells exact`);
    expect(misses).toEqual([]);
    expect(record.checks.filter((c) => !c.passed)).toEqual([]);
  });

  it('an HTML page named .doc is recognised by its bytes and refused by the OLE reader', async () => {
    const bytes = read('pingtan-2023-html.doc');
    expect(sniffFormat(bytes, 'pingtan-2023-html.doc')).toBe('html');
    const doc = await extractDoc(bytes);
    expect(doc.issues.map((i) => i.code)).toEqual(['wrong_format']);
    expect(doc.issues[0].message).toContain('html');
  });

  it('a damaged OLE file gives corrupt_doc', async () => {
    const doc = await extractDoc(read('pingtan-2023.doc').slice(0, 3000));
    expect(doc.issues.map((i) => [i.code, i.severity])).toEqual([['corrupt_doc', 'error']]);
  });
});
