// How much a zip container (.docx) says it inflates to, read from its central directory before any
// entry is decompressed: a cheap check that refuses a decompression bomb (a few MB of zip whose
// document.xml inflates to hundreds of MB) before mammoth builds it in memory. A container whose
// directory lies about its sizes is still stopped by the extraction worker's memory budget.

/** The largest XML part a .docx may inflate to (a 300-page report's document.xml is ~20 MB). */
export const MAX_ZIP_PART_BYTES = 64 * 1024 * 1024;
/** The most all parts together may inflate to (embedded images are stored near their own size). */
export const MAX_ZIP_TOTAL_BYTES = 512 * 1024 * 1024;

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const ZIP64_MARK = 0xffffffff;

/** Why the container must not be inflated, or null when its declared sizes are within the caps (or it has no readable directory: the reader reports that). */
export function zipInflationProblem(bytes: Uint8Array, caps = { part: MAX_ZIP_PART_BYTES, total: MAX_ZIP_TOTAL_BYTES }): string | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record sits in the last 22 bytes plus a comment of up to 64 KB.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL_SIGNATURE) return null;
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (size === ZIP64_MARK) return `${name} declares a ZIP64 size (4 GB or more): over the ${mb(caps.part)} MB cap per part`;
    if (size > caps.part && !/^word\/media\//.test(name)) {
      return `${name} inflates to ${mb(size)} MB, over the ${mb(caps.part)} MB cap per part (a decompression bomb, or no report)`;
    }
    total += size;
    if (total > caps.total) return `the parts inflate to more than ${mb(caps.total)} MB in all`;
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return null;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
