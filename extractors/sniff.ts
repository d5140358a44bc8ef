// Format detection from the bytes themselves: government ".doc" links are often HTML or RTF,
// and attachment URLs (downfile.jsp?filename=…) say nothing reliable about the file type.
import type { DocumentFormat } from './document.ts';

export type SniffedFormat = DocumentFormat | 'rtf' | 'zip' | 'image' | 'unknown';

const startsWith = (bytes: Uint8Array, sig: number[], offset = 0) =>
  bytes.length >= offset + sig.length && sig.every((b, i) => bytes[offset + i] === b);

/** Guess the format from magic bytes first, then from the first kilobyte of text, then from the name. */
export function sniffFormat(bytes: Uint8Array, fileName = '', contentType = ''): SniffedFormat {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46])) return 'pdf'; // %PDF
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'doc'; // OLE2 (.doc/.wps/.xls)
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    // A .docx is a zip whose first entries name word/ or [Content_Types].xml
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
    return /word\/|\[Content_Types\]\.xml/.test(head) ? 'docx' : 'zip';
  }
  if (startsWith(bytes, [0x7b, 0x5c, 0x72, 0x74, 0x66])) return 'rtf'; // {\rtf
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47]) || startsWith(bytes, [0xff, 0xd8, 0xff]) || startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) {
    return 'image';
  }
  // Text: look past a BOM and leading whitespace for markup.
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048)).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().toLowerCase();
  if (/^<(!doctype html|html|head|body|meta|div|table|p[\s>]|\?xml[^>]*>\s*<html)/.test(head) || /<html[\s>]/.test(head.slice(0, 1024))) return 'html';
  if (/\bhtml\b/.test(contentType)) return 'html';
  if (/\.(html?|shtml|jsp|php|aspx?)$/i.test(fileName) && /<[a-z][^>]*>/i.test(head)) return 'html';
  if (looksLikeText(bytes)) return 'text';
  return 'unknown';
}

/** Text when there are no NUL bytes and few control characters in the first 4 KB. */
function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return false;
    if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
  }
  return n > 0 && control / n < 0.01;
}
