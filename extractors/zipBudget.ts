// How much a zip container (.docx) says it inflates to, read from its central directory before any
// entry is decompressed: a cheap check that refuses a decompression bomb (a few MB of zip whose
// document.xml inflates to hundreds of MB) before anything is inflated. A container whose directory
// lies about its sizes is stopped at inflation (zipArchive.ts inflates no part past the caller's budget, and
// refuses one whose inflated size differs from the declared one).
import { ZIP64_MARK, type ZipEntry } from './zipArchive.ts';

/** The largest XML part a .docx may inflate to (a 300-page report's document.xml is ~20 MB). */
export const MAX_ZIP_PART_BYTES = 64 * 1024 * 1024;
/** The most all parts together may inflate to (embedded images are stored near their own size). */
export const MAX_ZIP_TOTAL_BYTES = 512 * 1024 * 1024;

/** Why the container must not be inflated, or null when the sizes its directory declares are within the caps. */
export function zipInflationProblem(entries: ZipEntry[], caps = { part: MAX_ZIP_PART_BYTES, total: MAX_ZIP_TOTAL_BYTES }): string | null {
  let total = 0;
  for (const { name, size } of entries) {
    if (size === ZIP64_MARK) return `${name} declares a ZIP64 size (4 GB or more): over the ${mb(caps.part)} MB cap per part`;
    if (size > caps.part && !/^word\/media\//.test(name)) {
      return `${name} inflates to ${mb(size)} MB, over the ${mb(caps.part)} MB cap per part (a decompression bomb, or no report)`;
    }
    total += size;
    if (total > caps.total) return `the parts inflate to more than ${mb(caps.total)} MB in all`;
  }
  return null;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
