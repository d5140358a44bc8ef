// Hostile documents, generated on the fly (none is committed: the bombs are small as files but
// huge inflated, and every one is cheap to rebuild): what a nightly run meets on real sites, and worse.
import { crc32, deflateRawSync, deflateSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { SAMPLES_DIR } from '../../pipelines/samples.ts';

export const OFFICE_FIXTURES = join(import.meta.dirname, '../fixtures/office');

export interface HostileInput {
  name: string;
  bytes: Uint8Array;
}

/** mulberry32: deterministic bytes, so a failure replays. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(length: number, seed: number): Uint8Array {
  const rng = prng(seed);
  return Uint8Array.from({ length }, () => Math.floor(rng() * 256));
}

/** Real reports cut at several offsets: every format's reader meets a file that stops mid-structure. */
export function truncatedFiles(fractions = [0.001, 0.1, 0.33, 0.5, 0.75, 0.99]): HostileInput[] {
  const sources = [
    join(OFFICE_FIXTURES, 'pingtan-2023.pdf'),
    join(OFFICE_FIXTURES, 'pingtan-2023.docx'),
    join(OFFICE_FIXTURES, 'pingtan-2023.doc'),
    join(SAMPLES_DIR, 'corpus/pingtan-2023.html'),
    join(SAMPLES_DIR, 'seeds/000_ee99eda0b851ed47.txt'),
  ];
  return sources.flatMap((path) => {
    const bytes = readFileSync(path);
    const name = path.split('/').pop()!;
    return fractions.map((f) => ({ name: `truncated-${Math.round(f * 1000)}-${name}`, bytes: bytes.subarray(0, Math.max(1, Math.floor(bytes.length * f))) }));
  });
}

const MAGIC: Record<string, number[]> = {
  pdf: [...Buffer.from('%PDF-1.7\n')],
  docx: [0x50, 0x4b, 0x03, 0x04],
  doc: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
};

/** Random bytes under every extension the readers know, bare and behind the format's magic bytes. */
export function randomFiles(): HostileInput[] {
  const extensions = ['html', 'htm', 'txt', 'md', 'pdf', 'docx', 'doc', 'wps', 'xlsx', 'bin'];
  return extensions.flatMap((ext, i) => {
    const body = randomBytes(64 * 1024, 17 + i);
    const magic = MAGIC[ext];
    const files = [{ name: `random.${ext}`, bytes: body }];
    if (magic) files.push({ name: `random-magic.${ext}`, bytes: Uint8Array.from([...magic, ...body]) });
    return files;
  });
}

/** An HTML page of about `megabytes` MB of paragraphs (real sites serve whole yearbooks as one page). */
export function hugePage(megabytes = 50): HostileInput {
  const paragraph = '<p>本机关认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开政府信息12345条。</p>\n';
  const count = Math.ceil((megabytes * 1024 * 1024) / Buffer.byteLength(paragraph));
  return { name: `page-${megabytes}mb.html`, bytes: Buffer.from(`<html><head><meta charset="utf-8"></head><body>${paragraph.repeat(count)}</body></html>`) };
}

/** One table of `rows` rows that look like table-3 data rows. */
export function hugeTable(rows = 100_000): HostileInput {
  const row = (i: number) => `<tr><td>（${i}）本机关已获取</td><td>${i % 97}</td><td>0</td><td>1</td><td>2</td><td>3</td><td>4</td><td>${(i % 97) + 10}</td></tr>`;
  const body = Array.from({ length: rows }, (_, i) => row(i)).join('\n');
  return { name: `table-${rows}-rows.html`, bytes: Buffer.from(`<html><head><meta charset="utf-8"></head><body><p>三、收到和处理政府信息公开申请情况</p><table>${body}</table></body></html>`) };
}

/** Markup nested `depth` levels deep: divs, and tables within tables. */
export function deepNesting(depth = 100_000): HostileInput[] {
  return [
    { name: `nested-div-${depth}.html`, bytes: Buffer.from(`<html><body>${'<div>'.repeat(depth)}申请情况 1 2 3${'</div>'.repeat(depth)}</body></html>`) },
    { name: `nested-table-${depth / 10}.html`, bytes: Buffer.from(`<html><body>${'<table><tr><td>'.repeat(depth / 10)}收到申请数 5${'</td></tr></table>'.repeat(depth / 10)}</body></html>`) },
  ];
}

interface ZipEntry {
  name: string;
  data: Buffer;
  /** The uncompressed size written in the headers (a lying archive understates it). */
  declaredSize?: number;
}

/** A zip (deflate) written by hand, so the headers can lie. */
export function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const packed = deflateRawSync(entry.data, { level: 1 });
    const crc = crc32(entry.data);
    const size = entry.declaredSize ?? entry.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A .docx whose document.xml inflates to `megabytes` MB of paragraphs; `lying`: the zip headers claim 4 KB. */
export function docxBomb(megabytes = 306, lying = false): HostileInput {
  const paragraph = Buffer.from('<w:p><w:r><w:t>政府信息公开工作年度报告 0 0 0 0 0 0 0</w:t></w:r></w:p>');
  const head = Buffer.from('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>');
  const tail = Buffer.from('</w:body></w:document>');
  const count = Math.ceil((megabytes * 1024 * 1024) / paragraph.length);
  const documentXml = Buffer.concat([head, Buffer.alloc(paragraph.length * count).fill(paragraph), tail]);
  const bytes = zip([
    {
      name: '[Content_Types].xml',
      data: Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
    },
    {
      name: '_rels/.rels',
      data: Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
    },
    { name: 'word/document.xml', data: documentXml, declaredSize: lying ? 4096 : undefined },
  ]);
  return { name: `bomb-${megabytes}mb${lying ? '-lying' : ''}.docx`, bytes };
}

/** Assemble a PDF from object bodies, with a correct xref unless `xref` is given. */
function pdf(objects: string[], trailerExtra = '', xref?: (offsets: number[], at: number) => string): Buffer {
  let out = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const at = Buffer.byteLength(out, 'latin1');
  out += xref
    ? xref(offsets, at)
    : `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${at}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const PAGE_OBJECTS = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>'];

/** PDFs whose cross-reference tables loop: /Prev pointing at itself, and a page tree whose kid is its own parent. */
export function loopingPdfs(): HostileInput[] {
  const content = '<< /Length 0 >>\nstream\n\nendstream';
  return [
    { name: 'xref-prev-loop.pdf', bytes: xrefPrevLoop() },
    { name: 'page-tree-loop.pdf', bytes: pdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [2 0 R] /Count 1 >>']) },
    { name: 'xref-garbage.pdf', bytes: pdf([...PAGE_OBJECTS, content], '', () => 'xref\n0 999999\n') },
  ];
}

function xrefPrevLoop(): Buffer {
  const content = '<< /Length 0 >>\nstream\n\nendstream';
  const base = pdf([...PAGE_OBJECTS, content]);
  const at = Number(/startxref\n(\d+)/.exec(base.toString('latin1'))![1]);
  return Buffer.from(base.toString('latin1').replace('trailer\n<< ', `trailer\n<< /Prev ${at} `), 'latin1');
}

/** A PDF with one page whose content stream inflates to `megabytes` MB (a few hundred KB on disk). */
export function flateBombPdf(megabytes = 1024): HostileInput {
  const packed = deflateSync(Buffer.alloc(megabytes * 1024 * 1024, 0x20), { level: 9 });
  const head = Buffer.from(
    `%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n` +
      `3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n4 0 obj\n<< /Length ${packed.length} /Filter /FlateDecode >>\nstream\n`,
    'latin1',
  );
  const tail = Buffer.from('\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
  return { name: `flate-bomb-${megabytes}mb.pdf`, bytes: Buffer.concat([head, packed, tail]) };
}

/** Pages whose declared charset is wrong: GBK bytes declared UTF-8, UTF-8 declared GBK, UTF-16 without BOM, Big5 declared GB2312. */
export function wrongCharsets(): HostileInput[] {
  const html = readFileSync(join(SAMPLES_DIR, 'corpus/pingtan-2023.html'), 'utf8');
  const page = (charset: string) => `<html><head><meta charset="${charset}"></head><body>${html}</body></html>`;
  return [
    { name: 'gbk-declared-utf8.html', bytes: iconv.encode(page('utf-8'), 'gbk') },
    { name: 'utf8-declared-gbk.html', bytes: Buffer.from(page('gbk')) },
    { name: 'utf16-no-bom.html', bytes: iconv.encode(page('utf-16'), 'utf-16le') },
    { name: 'big5-declared-gb2312.html', bytes: iconv.encode(page('gb2312'), 'big5') },
  ];
}
