// Word files built from a corpus report (test/fixtures/office/build.sh, LibreOffice): .docx keeps
// its merged cells and reads every expected cell; .doc, whose rows are rebuilt from word-extractor's
// tab text, reads every expected cell too and says its rows were inferred; files in the wrong format
// or damaged give a clear error. Every .docx in the repository reads to the record the earlier mammoth
// path made of it (test/fixtures/golden/docx-records.json, written by that path before it was replaced),
// and Word's merged cells, tracked changes, text boxes and layout tables read as that path read them.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Grid, ParsedDocument } from '../extractors/document.ts';
import { extractDocument } from '../extractors/extract.ts';
import { sniffFormat } from '../extractors/sniff.ts';
import { extractDoc, extractDocx } from '../extractors/word.ts';
import { buildRecord } from '../transforms/record.ts';
import { docxBomb, zip } from './helpers/hostile.ts';
import { cellMatches, readExpected } from './support/corpus.ts';

const OFFICE = join(import.meta.dirname, 'fixtures/office');
const read = (file: string) => new Uint8Array(readFileSync(join(OFFICE, file)));
const grids = (doc: ParsedDocument): Grid[] => doc.blocks.flatMap((b) => (b.kind === 'table' ? [b.grid] : []));
const texts = (doc: ParsedDocument): string[] => doc.blocks.flatMap((b) => (b.kind === 'text' ? [b.text] : []));
const expected = readExpected('pingtan-2023.html');

describe('.docx', () => {
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
    // A flipped byte inside document.xml's deflated data: it fails to inflate or its CRC check.
    const flipped = Buffer.from(read('pingtan-2023.docx'));
    flipped[flipped.indexOf('word/document.xml') + 600] ^= 0xff;
    expect((await extractDocx(flipped)).issues.map((i) => i.code)).toEqual(['corrupt_docx']);
  });

  it('a report pasted as pictures: the pictures are found in document order and handed to OCR', async () => {
    const bytes = new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures/scans/pingtan-2023-images.docx')));
    const doc = await extractDocx(bytes, { unavailable: 'tesseract is not installed' });
    expect(doc.issues.map((i) => i.code)).toEqual(['body_images', 'ocr_skipped']);
    expect(doc.issues[1].message).toBe('3 image(s) in the document were not read by OCR: tesseract is not installed');
  });

  it('a zip that lies about its size is stopped at the 64 MB budget of a part, or refused when it inflates to another size than declared', async () => {
    const doc = await extractDocx(docxBomb(80, true).bytes);
    expect(doc.issues).toEqual([expect.objectContaining({ code: 'decompression_limit', severity: 'error' })]);
    expect(doc.issues[0].message).toContain('word/document.xml inflates to more than 64 MB although its zip directory declares 4096 bytes');
    const small = await extractDocx(docxBomb(1, true).bytes);
    expect(small.issues).toEqual([expect.objectContaining({ code: 'corrupt_docx', severity: 'error' })]);
    expect(small.issues[0].message).toMatch(/word\/document.xml inflates to \d+ bytes, its directory declares 4096/);
  });
});

describe('.docx records as the mammoth path made them', () => {
  const golden: Record<string, { meta: unknown; prose: unknown; issues: string[]; cells: unknown[] }> = JSON.parse(
    readFileSync(join(import.meta.dirname, 'fixtures/golden/docx-records.json'), 'utf8'),
  );
  const FIXTURES = join(import.meta.dirname, 'fixtures');
  const docxFiles = [FIXTURES, join(import.meta.dirname, '../data/samples')].flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.docx')).map((f) => join(dir, f)),
  );
  /** Issues the mammoth path missed: its HTML body guess stepped into the first paragraph and saw none of the pictures. */
  const ADDED_ISSUES: Record<string, string[]> = { 'scans/pingtan-2023-images.docx': ['body_images/info'] };

  it('every .docx in the repository has a golden record', () => {
    expect(docxFiles.map((f) => relative(FIXTURES, f)).sort()).toEqual(Object.keys(golden).sort());
  });

  it.each(Object.keys(golden))('%s: the same cells, meta, prose and issues', async (path) => {
    const bytes = readFileSync(join(FIXTURES, path));
    const record = buildRecord(await extractDocument({ bytes, fileName: path }), { source: path, sha256: createHash('sha256').update(bytes).digest('hex') });
    const expected = golden[path];
    const cells = Object.entries(record.cells).map(([id, c]) => [id, c.value, c.status, c.raw, c.at ? [c.at.table, c.at.row, c.at.col] : null]);
    expect(cells).toEqual(expected.cells);
    expect(record.meta).toEqual(expected.meta);
    expect(record.prose).toEqual(expected.prose);
    expect(record.issues.map((i) => `${i.code}/${i.severity}`).sort()).toEqual([...expected.issues, ...(ADDED_ISSUES[path] ?? [])].sort());
  });
});

describe('Word structures read as the mammoth path read them', () => {
  const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:v="urn:schemas-microsoft-com:vml"';
  const p = (...runs: string[]) => `<w:p>${runs.join('')}</w:p>`;
  const r = (t: string) => `<w:r><w:t xml:space="preserve">${t}</w:t></w:r>`;
  const tc = (content: string, pr = '') => `<w:tc>${pr ? `<w:tcPr>${pr}</w:tcPr>` : ''}${content}</w:tc>`;
  const tr = (...cells: string[]) => `<w:tr>${cells.join('')}</w:tr>`;
  const tbl = (...rows: string[]) => `<w:tbl><w:tblPr/><w:tblGrid/>${rows.join('')}</w:tbl>`;
  const body = [
    p(r('标题'), '<w:r><w:tab/></w:r>', r('一')),
    // Tracked changes and field codes: the deletion and the code are not text, the insertion and the field's result are.
    p('<w:del><w:r><w:delText>删除</w:delText></w:r></w:del>', '<w:ins><w:r><w:t>插入</w:t></w:r></w:ins>', '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>', r('7'), '<w:r><w:fldChar w:fldCharType="end"/></w:r>'),
    // Of an mc:AlternateContent only the fallback is read; a text box comes after its paragraph.
    p(r('前'), '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:t>选择</w:t></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>' + p(r('文本框')) + '</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>', r('后')),
    // A paragraph whose mark was deleted runs into the next one.
    '<w:p><w:pPr><w:rPr><w:del w:id="1"/></w:rPr></w:pPr>' + r('合并') + '</w:p>',
    p(r('下一段'), '<w:r><w:br/></w:r>', r('换行'), '<w:r><w:br w:type="page"/></w:r>', r('分页')),
    tbl(
      tr(tc(p(r('项目')), '<w:vMerge w:val="restart"/>'), tc(p(r('申请人')), '<w:gridSpan w:val="2"/>'), tc(p(r('总计')), '<w:vMerge w:val="restart"/>')),
      tr(tc(p(''), '<w:vMerge/>'), tc(p(r('自然人'))), tc(p(r('法人'))), tc(p(''), '<w:vMerge w:val="continue"/>')),
      '<w:tr><w:trPr><w:del w:id="2"/></w:trPr>' + tc(p(r('已删'))) + tc(p(r('9'))) + '</w:tr>',
      tr(tc(p(r('本年新收')) + p(r('第二行'))), tc(p(r('1'))), tc(p(r('2'))), tc(p(r('3')))),
      tr(tc(p('')), tc(p('')), tc(p('')), tc(p(''))),
      // A continuing cell under an unmerged one extends it, as mammoth counted merges.
      tr(tc(p(r('上年结转'))), tc(p(r('4')), '<w:vMerge/>'), tc(p(r('5'))), tc(p(r('6')))),
      tr(tc(p(r('办理结果')), '<w:vMerge w:val="restart"/>'), tc(p(r('予以公开')), '<w:gridSpan w:val="2"/>'), tc(p(r('7')))),
      tr(tc(p(''), '<w:vMerge/>'), tc(p(r('不予公开')), '<w:gridSpan w:val="2"/>'), tc(p(r('8')))),
    ),
    tbl(tr(tc(p(r('单列一')))), tr(tc(p(r('单列二')) + p(r('第二段'))))),
    tbl(tr(tc(p(r('外层')) + tbl(tr(tc(p(r('内1'))), tc(p(r('内2')))), tr(tc(p(r('a'))), tc(p(r('b')))))), tc(p(r('旁边'))))),
    // Entities decoded; a symbol font's private character (Wingdings F0FC) is dropped, where mammoth mapped it to ✓.
    p(r('&lt;符号&amp;&gt;'), '<w:r><w:sym w:font="Wingdings" w:char="F0FC"/></w:r>', '<w:r><w:noBreakHyphen/></w:r>', '<w:hyperlink r:id="rId9"><w:r><w:t>链接</w:t></w:r></w:hyperlink>'),
    '<w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent>' + p(r('控件')) + '</w:sdtContent></w:sdt>',
    p(r('2024年1月16日')),
  ].join('');
  const docx = (xml: string) =>
    zip([
      { name: '_rels/.rels', data: Buffer.from('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>') },
      { name: 'word/document.xml', data: Buffer.from(xml) },
    ]);
  const cell = (text: string, originRow: number, originCol: number) => ({ text, originRow, originCol });
  const expectedBlocks = [
    '标题 一', '插入7', '前后', '文本框', '合并下一段', '换行分页',
    {
      index: 0,
      source: 'table#0',
      structured: true,
      rows: [
        [cell('项目', 0, 0), cell('申请人', 0, 1), cell('申请人', 0, 1), cell('总计', 0, 3)],
        [cell('项目', 0, 0), cell('自然人', 1, 1), cell('法人', 1, 2), cell('总计', 0, 3)],
        [cell('本年新收\n第二行', 2, 0), cell('1', 2, 1), cell('2', 2, 2), cell('3', 2, 3)],
        [cell('', 3, 0), cell('', 3, 1), cell('', 3, 2), cell('', 3, 3)],
        [cell('上年结转', 4, 0), cell('', 3, 1), cell('5', 4, 2), cell('6', 4, 3)],
        [cell('办理结果', 5, 0), cell('予以公开', 5, 1), cell('予以公开', 5, 1), cell('7', 5, 3)],
        [cell('办理结果', 5, 0), cell('不予公开', 6, 1), cell('不予公开', 6, 1), cell('8', 6, 3)],
      ],
    },
    '单列一', '单列二', '第二段', '外层',
    { index: 1, source: 'table#3', structured: true, rows: [[cell('内1', 0, 0), cell('内2', 0, 1)], [cell('a', 1, 0), cell('b', 1, 1)]] },
    '旁边', '<符号&>\u2011链接', '控件', '2024年1月16日',
  ].map((b) => (typeof b === 'string' ? { kind: 'text', text: b } : { kind: 'table', grid: b }));

  it('paragraphs, merged cells, deleted rows, layout and one-column tables, text boxes, tracked changes', async () => {
    const doc = await extractDocx(docx(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document ${W}>\n  <w:body>${body}<w:sectPr/></w:body>\n</w:document>`));
    expect(doc.blocks).toEqual(expectedBlocks);
    expect(doc.issues).toEqual([]);
    expect([doc.page.publishDate, doc.page.publishDateSource]).toEqual(['2024-01-16', 'signature']);
  });

  it('the same document with its namespaces under other prefixes (the default namespace, ns0:) reads the same', async () => {
    const renamed = body.replace(/(<\/?)w:/g, '$1').replace(/ w:/g, ' ns0:').replace(/(<\/?)mc:/g, '$1m:').replace(/(<\/?)v:/g, '$1vml:');
    const xmlns = 'xmlns="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:ns0="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:m="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:vml="urn:schemas-microsoft-com:vml"';
    const doc = await extractDocx(docx(`<?xml version="1.0"?><document ${xmlns}><body>${renamed}</body></document>`));
    expect(doc.blocks).toEqual(expectedBlocks);
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
