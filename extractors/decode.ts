// Bytes → text for HTML pages and plain-text files. Government servers often declare the wrong
// charset (or none), so a declaration is only believed when the bytes do not contradict it.
import type { Issue } from './document.ts';

export interface DecodedText {
  text: string;
  /** Canonical label of the encoding used: 'utf-8', 'gb18030', 'big5', 'utf-16le', 'windows-1252', … */
  encoding: string;
  /** Where the encoding came from. */
  source: 'bom' | 'header' | 'meta' | 'sniff' | 'default';
  issues: Issue[];
}

/** How far into the bytes a `<meta charset>` is looked for (real pages put long scripts before it). */
const META_SCAN_BYTES = 4096;
/** UTF-8 with a few broken sequences is still UTF-8 when valid multi-byte characters outnumber them this much. */
const UTF8_DAMAGE_TOLERANCE = 5;

/**
 * Map a charset label to the decoder we use. GB2312 and GBK pages routinely contain characters
 * outside those sets, and GB18030 is a superset of both, so every GB label decodes as GB18030.
 * Returns null for labels the platform cannot decode.
 */
export function canonicalEncoding(label: string): string | null {
  const l = label.trim().toLowerCase().replace(/^["']|["']$/g, '');
  if (/^(gb[-_]?2312|gbk|x-gbk|gb18030|cp936|ms936|windows-936|euc-cn|csgb2312|chinese|iso-ir-58)$/.test(l)) return 'gb18030';
  if (/^utf-?8$/.test(l) || l === 'unicode-1-1-utf-8') return 'utf-8';
  try {
    return new TextDecoder(l).encoding;
  } catch {
    return null;
  }
}

/** Decode page or text-file bytes: BOM, then the HTTP charset, then `<meta>`, then sniffing; declarations are checked against the bytes. */
export function decodeBytes(bytes: Uint8Array, opts: { contentType?: string } = {}): DecodedText {
  const bom = bomEncoding(bytes);
  if (bom) return finish(bytes, bom, 'bom', []);

  const issues: Issue[] = [];
  // Most pages are clean UTF-8: one native strict decode settles that, and its text is reused.
  const asUtf8 = strictUtf8(bytes);
  const stats = asUtf8 === null ? utf8Stats(bytes) : { multibyte: asUtf8.length < bytes.length ? 1 : 0, invalid: 0, high: bytes.length - asUtf8.length };
  const declarations: { label: string; source: 'header' | 'meta' }[] = [];
  const headerLabel = opts.contentType ? charsetFromContentType(opts.contentType) : null;
  if (headerLabel) declarations.push({ label: headerLabel, source: 'header' });
  const metaLabel = charsetFromMarkup(bytes);
  if (metaLabel) declarations.push({ label: metaLabel, source: 'meta' });

  const overridden: string[] = [];
  for (const { label, source } of declarations) {
    const encoding = canonicalEncoding(label);
    if (!encoding) {
      issues.push({ code: 'unknown_charset', severity: 'warning', message: `${source} declares charset "${label}", which cannot be decoded; ignored` });
      continue;
    }
    const contradiction = contradictionOf(encoding, bytes, stats);
    if (!contradiction) return finish(bytes, encoding, source, issues, overridden, asUtf8);
    overridden.push(`${source} charset "${label}" (${contradiction})`);
  }

  const sniffed = sniffEncoding(bytes, stats);
  const source = sniffed.confident ? 'sniff' : 'default';
  return finish(bytes, sniffed.encoding, source, issues, overridden, asUtf8);
}

function strictUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function finish(
  bytes: Uint8Array,
  encoding: string,
  source: DecodedText['source'],
  issues: Issue[],
  overridden: string[] = [],
  asUtf8: string | null = null,
): DecodedText {
  const text = encoding === 'utf-8' && asUtf8 !== null ? asUtf8 : new TextDecoder(encoding).decode(bytes); // strips a matching BOM
  const replacements = countChar(text, 0xfffd);
  if (overridden.length > 0) {
    issues.push({
      code: 'charset_mismatch',
      severity: replacements > 0 ? 'warning' : 'info',
      message: `ignored ${overridden.join('; ')}: decoded as ${encoding} (${source})`,
    });
  }
  if (replacements > 0) {
    issues.push({ code: 'undecodable_bytes', severity: 'warning', message: `${replacements} byte sequence(s) not valid ${encoding} were replaced by U+FFFD` });
  }
  return { text, encoding, source, issues };
}

function bomEncoding(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

function charsetFromContentType(contentType: string): string | null {
  const m = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType);
  return m ? m[1] : null;
}

/** `<meta charset>`, `<meta http-equiv … content="…charset=…">` or an XML declaration near the top. */
function charsetFromMarkup(bytes: Uint8Array): string | null {
  const head = new TextDecoder('windows-1252').decode(bytes.subarray(0, META_SCAN_BYTES));
  const meta = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head);
  if (meta) return meta[1];
  const xml = /^\s*<\?xml\b[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head);
  return xml ? xml[1] : null;
}

interface Utf8Stats {
  /** Well-formed sequences of 2–4 bytes (after a strict decode: at least 1 when there are any). */
  multibyte: number;
  /** Bytes that start no well-formed sequence (a sequence cut off by the end of the input is not counted). */
  invalid: number;
  /** Bytes ≥ 0x80 (after a strict decode: at least 1 when there are any). */
  high: number;
}

/** Length of the UTF-8 sequence a lead byte announces (0 for a byte that cannot start one). */
const utf8Length = (b: number) => (b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0);

/** Allowed range of the second byte after special lead bytes (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
function secondByteOk(lead: number, b: number): boolean {
  if (lead === 0xe0) return b >= 0xa0 && b <= 0xbf;
  if (lead === 0xed) return b >= 0x80 && b <= 0x9f;
  if (lead === 0xf0) return b >= 0x90 && b <= 0xbf;
  if (lead === 0xf4) return b >= 0x80 && b <= 0x8f;
  return (b & 0xc0) === 0x80;
}

/** One pass over the bytes, counting well-formed and broken UTF-8 sequences. */
function utf8Stats(bytes: Uint8Array): Utf8Stats {
  const s: Utf8Stats = { multibyte: 0, invalid: 0, high: 0 };
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    s.high++;
    const len = utf8Length(b);
    let ok = len > 0;
    let k = 1;
    for (; ok && k < len && i + k < n; k++) {
      const c = bytes[i + k];
      ok = k === 1 ? secondByteOk(b, c) : (c & 0xc0) === 0x80;
    }
    if (ok && i + len > n) break; // truncated download: the last character was cut off
    if (!ok) {
      s.invalid++;
      i++;
      continue;
    }
    s.multibyte++;
    s.high += len - 1;
    i += len;
  }
  return s;
}

/** UTF-8 carrying non-ASCII text, with at most a little damage: decisive evidence against any other declaration. */
const isUtf8Text = (s: Utf8Stats) => s.multibyte > 0 && s.multibyte >= UTF8_DAMAGE_TOLERANCE * s.invalid;

/** Why the bytes contradict a declared encoding, or null when they do not. */
function contradictionOf(encoding: string, bytes: Uint8Array, stats: Utf8Stats): string | null {
  if (stats.high === 0) return null; // pure ASCII: every ASCII-compatible declaration is consistent
  if (encoding === 'utf-8') {
    return isUtf8Text(stats) ? null : `${stats.invalid} invalid UTF-8 sequence(s)`;
  }
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    return utf16Order(bytes) === encoding ? null : 'the bytes are not UTF-16';
  }
  if (isUtf8Text(stats)) return 'the bytes are valid UTF-8';
  if (encoding === 'windows-1252' || /^iso-8859-|^windows-125/.test(encoding)) {
    // Servers default to ISO-8859-1; Chinese text read that way has no CJK at all.
    return looksLikeGb(bytes) ? 'the bytes read as GB18030 Chinese text' : null;
  }
  return null;
}

/** Encoding chosen from the bytes alone; `confident` is false for pure ASCII or empty input. */
function sniffEncoding(bytes: Uint8Array, stats: Utf8Stats): { encoding: string; confident: boolean } {
  const utf16 = utf16Order(bytes);
  if (utf16) return { encoding: utf16, confident: true };
  if (stats.high === 0) return { encoding: 'utf-8', confident: false };
  if (isUtf8Text(stats)) return { encoding: 'utf-8', confident: true };
  // Mainland pages are GB18030 family; Big5 only wins when GB18030 cannot read the bytes and Big5 can.
  const gbBad = countChar(new TextDecoder('gb18030').decode(bytes), 0xfffd);
  if (gbBad > 0 && countChar(new TextDecoder('big5').decode(bytes), 0xfffd) < gbBad) return { encoding: 'big5', confident: true };
  return { encoding: 'gb18030', confident: true };
}

/**
 * UTF-16 without BOM: NUL bytes (the high half of ASCII code units) all on one side, and the code
 * units read that way are plausible text (ASCII, CJK, CJK punctuation) rather than noise.
 */
function utf16Order(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 4) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  const minimum = Math.max(2, (n / 2) * 0.03);
  const order = oddNul >= minimum && evenNul * 3 <= oddNul ? 'utf-16le' : evenNul >= minimum && oddNul * 3 <= evenNul ? 'utf-16be' : null;
  return order && isPlausibleText(new TextDecoder(order).decode(bytes.subarray(0, n))) ? order : null;
}

/** At least 90% of the characters are ASCII text, CJK ideographs or CJK punctuation. */
function isPlausibleText(text: string): boolean {
  let good = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d || isCjk(c)) good++;
  }
  return good >= 0.9 * text.length;
}

const isCjk = (c: number) => (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef) || (c >= 0x2010 && c <= 0x201f);

/** True when the bytes decode as GB18030 without errors into mostly CJK characters. */
function looksLikeGb(bytes: Uint8Array): boolean {
  const text = new TextDecoder('gb18030').decode(bytes);
  let nonAscii = 0;
  let cjk = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd) return false;
    if (c < 0x80) continue;
    nonAscii++;
    if (isCjk(c)) cjk++;
  }
  return nonAscii > 0 && cjk / nonAscii >= 0.8;
}

function countChar(text: string, code: number): number {
  let n = 0;
  for (let i = text.indexOf(String.fromCharCode(code)); i !== -1; i = text.indexOf(String.fromCharCode(code), i + 1)) n++;
  return n;
}
