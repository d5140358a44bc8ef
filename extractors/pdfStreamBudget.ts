// How much a PDF's Flate-compressed streams inflate to, measured before pdf.js reads the file: a few MB of
// PDF whose content stream inflates to gigabytes (a decompression bomb) is refused with a typed error
// instead of growing the worker until its memory budget kills it. Each stream is inflated with a ceiling
// (zlib's maxOutputLength), so no more than the cap is ever allocated. Streams that do not inflate
// (encrypted, damaged, another filter) are left to the reader; the worker's memory budget stays the
// backstop for what this scan cannot see.
import { constants, inflateSync } from 'node:zlib';

/** The most one stream may inflate to: a 600 dpi colour page stored as Flate is ~100 MB. */
export const MAX_PDF_STREAM_BYTES = 256 * 1024 * 1024;
/** The most all streams together may inflate to. */
export const MAX_PDF_INFLATED_BYTES = 768 * 1024 * 1024;

const STREAM = Buffer.from('stream');
const END_STREAM = Buffer.from('endstream');
const FLATE = /\/(FlateDecode|Fl)\b/;
/** How far before `stream` its dictionary is looked for. */
const DICTIONARY_WINDOW = 2048;

/** Why the PDF must not be read, or null when every Flate stream inflates within the caps. */
export function pdfInflationProblem(bytes: Uint8Array, caps = { stream: MAX_PDF_STREAM_BYTES, total: MAX_PDF_INFLATED_BYTES }): string | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let total = 0;
  let streams = 0;
  for (let at = buffer.indexOf(STREAM); at !== -1; at = buffer.indexOf(STREAM, at + STREAM.length)) {
    if (at >= 3 && buffer.toString('latin1', at - 3, at) === 'end') continue;
    const dictionary = buffer.toString('latin1', Math.max(0, at - DICTIONARY_WINDOW), at);
    const opened = dictionary.lastIndexOf('obj');
    if (!FLATE.test(opened === -1 ? dictionary : dictionary.slice(opened))) continue;
    let start = at + STREAM.length;
    if (buffer[start] === 0x0d) start++;
    if (buffer[start] === 0x0a) start++;
    const end = buffer.indexOf(END_STREAM, start);
    const data = buffer.subarray(start, end === -1 ? buffer.length : end);
    const ceiling = Math.min(caps.stream, caps.total - total);
    try {
      // Z_SYNC_FLUSH: a truncated stream yields what it holds instead of an error.
      total += inflateSync(data, { maxOutputLength: ceiling, finishFlush: constants.Z_SYNC_FLUSH }).length;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') continue;
      streams++;
      return ceiling < caps.stream
        ? `its streams inflate to more than ${mb(caps.total)} MB in all (a decompression bomb, or no report)`
        : `stream ${streams} inflates to more than ${mb(caps.stream)} MB (a decompression bomb, or no report)`;
    }
    streams++;
    if (end !== -1) at = end;
  }
  return null;
}

const mb = (n: number) => Math.round(n / 1024 / 1024);
