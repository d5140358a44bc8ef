import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeBytes } from '../extractors/decode.ts';
import { CORPUS } from './support/corpus.ts';

const seed = (name: string) => readFileSync(join(import.meta.dirname, '../data/samples/seeds', name), 'utf8');
const corpus = (name: string) => readFileSync(join(CORPUS, name), 'utf8');

// Real report text (seed 002, 灵武市民政局) plus a contact line with characters that GB2312 lacks
// (镕 U+9555 and 堃 U+5803 are GBK-only) so that decoding as GB2312 proper would lose them.
const reportText = `${seed('002_7051039651d1a08e.txt')}\n联系人：李镕、王堃\n`;
// A page the way older sites serve it: no charset anywhere in the markup.
const pageWithoutCharset = `<html><head><title>灵武市民政局2024年政府信息公开工作年度报告</title></head><body><div class="TRS_Editor"><pre>${reportText}</pre></div></body></html>`;
const pageWithMeta = (meta: string) => pageWithoutCharset.replace('<head>', `<head>${meta}`);

const gbk = (text: string) => new Uint8Array(iconv.encode(text, 'gbk'));
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const codes = (r: ReturnType<typeof decodeBytes>) => r.issues.map((i) => i.code);

describe('decodeBytes: declared charsets', () => {
  it('uses the HTTP charset when only the header declares one (GBK read as GB18030)', () => {
    const r = decodeBytes(gbk(pageWithoutCharset), { contentType: 'text/html; charset=GBK' });
    expect(r).toMatchObject({ encoding: 'gb18030', source: 'header' });
    expect(r.text).toBe(pageWithoutCharset);
    expect(r.issues).toEqual([]);
  });

  it('uses <meta http-equiv> when only the markup declares gb2312', () => {
    const page = pageWithMeta('<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />');
    const r = decodeBytes(gbk(page), { contentType: 'text/html' });
    expect(r).toMatchObject({ encoding: 'gb18030', source: 'meta' });
    expect(r.text).toBe(page);
  });

  it('uses <meta charset>', () => {
    const page = pageWithMeta('<meta charset="gbk">');
    const r = decodeBytes(gbk(page));
    expect(r).toMatchObject({ encoding: 'gb18030', source: 'meta' });
    expect(r.text).toBe(page);
  });

  it('reads a gb2312 label as GB18030, so 4-byte GB18030 characters survive', () => {
    const page = pageWithMeta('<meta charset="gb2312">').replace('联系人', '联系人（𠮷）');
    const r = decodeBytes(new Uint8Array(iconv.encode(page, 'gb18030')));
    expect(r.text).toBe(page);
  });
});

describe('decodeBytes: declarations contradicted by the bytes', () => {
  it('header says utf-8 but the body is GBK: decoded as GB18030 with charset_mismatch', () => {
    const r = decodeBytes(gbk(pageWithoutCharset), { contentType: 'text/html;charset=utf-8' });
    expect(r).toMatchObject({ encoding: 'gb18030', source: 'sniff' });
    expect(r.text).toBe(pageWithoutCharset);
    expect(codes(r)).toEqual(['charset_mismatch']);
    expect(r.issues[0].message).toContain('header charset "utf-8"');
  });

  it('header says utf-8, meta says gbk, body is GBK: the meta wins', () => {
    const page = pageWithMeta('<meta http-equiv="Content-Type" content="text/html; charset=gbk">');
    const r = decodeBytes(gbk(page), { contentType: 'text/html; charset=UTF-8' });
    expect(r).toMatchObject({ encoding: 'gb18030', source: 'meta' });
    expect(r.text).toBe(page);
    expect(codes(r)).toEqual(['charset_mismatch']);
  });

  it('header says gbk but the body is valid UTF-8 with CJK: decoded as UTF-8', () => {
    const r = decodeBytes(utf8(pageWithoutCharset), { contentType: 'text/html; charset=gbk' });
    expect(r).toMatchObject({ encoding: 'utf-8', source: 'sniff' });
    expect(r.text).toBe(pageWithoutCharset);
    expect(codes(r)).toEqual(['charset_mismatch']);
  });

  it('meta says gb2312 but the saved page was re-encoded as UTF-8', () => {
    const page = pageWithMeta('<meta charset="gb2312">');
    const r = decodeBytes(utf8(page));
    expect(r).toMatchObject({ encoding: 'utf-8', source: 'sniff' });
    expect(r.text).toBe(page);
    expect(codes(r)).toEqual(['charset_mismatch']);
  });

  it('a server default of ISO-8859-1 does not garble a GBK page', () => {
    const r = decodeBytes(gbk(pageWithoutCharset), { contentType: 'text/html; charset=ISO-8859-1' });
    expect(r.encoding).toBe('gb18030');
    expect(r.text).toBe(pageWithoutCharset);
    expect(codes(r)).toEqual(['charset_mismatch']);
  });

  it('an unknown label is reported and ignored', () => {
    const r = decodeBytes(utf8(pageWithoutCharset), { contentType: 'text/html; charset=x-no-such-charset' });
    expect(r.encoding).toBe('utf-8');
    expect(r.text).toBe(pageWithoutCharset);
    expect(codes(r)).toEqual(['unknown_charset']);
  });
});

describe('decodeBytes: BOM and sniffing', () => {
  it('a UTF-8 BOM wins over a wrong header and is stripped', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(pageWithoutCharset)]);
    const r = decodeBytes(bytes, { contentType: 'text/html; charset=gbk' });
    expect(r).toMatchObject({ encoding: 'utf-8', source: 'bom' });
    expect(r.text).toBe(pageWithoutCharset);
  });

  it('a UTF-16LE BOM (WPS text exports)', () => {
    const bytes = new Uint8Array([0xff, 0xfe, ...Buffer.from(reportText, 'utf16le')]);
    const r = decodeBytes(bytes);
    expect(r).toMatchObject({ encoding: 'utf-16le', source: 'bom' });
    expect(r.text).toBe(reportText);
  });

  it('UTF-16LE without a BOM is recognised from its NUL bytes', () => {
    const r = decodeBytes(new Uint8Array(Buffer.from(reportText, 'utf16le')));
    expect(r).toMatchObject({ encoding: 'utf-16le', source: 'sniff' });
    expect(r.text).toBe(reportText);
  });

  it('no declaration at all: GBK bytes are sniffed as GB18030', () => {
    const r = decodeBytes(gbk(pageWithoutCharset));
    expect(r).toMatchObject({ encoding: 'gb18030', source: 'sniff', issues: [] });
    expect(r.text).toBe(pageWithoutCharset);
  });

  it('no declaration at all: UTF-8 bytes are sniffed as UTF-8', () => {
    const r = decodeBytes(utf8(pageWithoutCharset));
    expect(r).toMatchObject({ encoding: 'utf-8', source: 'sniff', issues: [] });
    expect(r.text).toBe(pageWithoutCharset);
  });

  it('pure ASCII falls back to the UTF-8 default', () => {
    const r = decodeBytes(utf8('<html><body>404 Not Found</body></html>'));
    expect(r).toMatchObject({ encoding: 'utf-8', source: 'default', issues: [] });
  });
});

describe('decodeBytes: plain-text seeds and damaged bytes', () => {
  it('every UTF-8 seed decodes unchanged; the same text as a GBK .txt decodes too', () => {
    for (const name of ['000_ee99eda0b851ed47.txt', '001_b4512be360909492.txt', '003_5f6bec8eadb51f9b.txt', '004_4d27c7cf704db1e1.txt']) {
      const text = seed(name);
      expect(decodeBytes(utf8(text)).text).toBe(text);
      const asGbk = decodeBytes(gbk(text));
      expect(asGbk.encoding).toBe('gb18030');
      expect(asGbk.text).toBe(text);
    }
  });

  it('a few broken bytes in a UTF-8 page keep it UTF-8 and are reported as undecodable_bytes', () => {
    const bytes = utf8(corpus('pingtan-2023.html'));
    const damaged = new Uint8Array([...bytes.subarray(0, 5000), 0xff, 0xfe, ...bytes.subarray(5000)]);
    const r = decodeBytes(damaged, { contentType: 'text/html; charset=utf-8' });
    expect(r).toMatchObject({ encoding: 'utf-8', source: 'header' });
    expect(codes(r)).toEqual(['undecodable_bytes']);
    expect(r.text).toContain('二、主动公开政府信息情况');
    expect(r.text).toContain('六、其他需要报告的事项');
  });

  it('a download cut in the middle of the last character is still UTF-8', () => {
    const bytes = utf8(corpus('shuyang-fgj-2023.html').slice(0, 20000) + '报');
    const r = decodeBytes(bytes.subarray(0, bytes.length - 1));
    expect(r.encoding).toBe('utf-8');
    expect(r.text.startsWith(corpus('shuyang-fgj-2023.html').slice(0, 20000))).toBe(true);
    expect(codes(r)).toEqual(['undecodable_bytes']);
  });
});
