// A zip container (.docx) read straight from its bytes: the central directory lists the parts, and only
// the parts a reader asks for are inflated, each stopped at the caller's budget. A part that inflates
// past it is a container that lies about its sizes (a decompression bomb that claims to be small): it is
// refused once the budget is reached, never inflated whole. One that inflates to another size than its
// directory declares, or fails its CRC, is damaged.
import { crc32, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  /** The inflated size the directory declares. */
  size: number;
  crc: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** A 32-bit size or offset of 0xffffffff means "see the ZIP64 record" (4 GB or more). */
export const ZIP64_MARK = 0xffffffff;

/** Why a container could not be read (truncated, damaged, not a zip). */
export class ZipError extends Error {}
/** A part that inflates past the caller's budget. */
export class ZipSizeError extends ZipError {}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The entries of the central directory, or null when the bytes hold no readable directory (truncated, not a zip). */
export function readZipDirectory(bytes: Uint8Array): ZipEntry[] | null {
  const data = view(bytes);
  // The end-of-central-directory record sits in the last 22 bytes plus a comment of up to 64 KB.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (data.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = data.getUint16(eocd + 10, true);
  let at = data.getUint32(eocd + 16, true);
  const entries: ZipEntry[] = [];
  const utf8 = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || data.getUint32(at, true) !== CENTRAL_SIGNATURE) return null;
    const nameLength = data.getUint16(at + 28, true);
    entries.push({
      name: utf8.decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      method: data.getUint16(at + 10, true),
      crc: data.getUint32(at + 16, true),
      compressedSize: data.getUint32(at + 20, true),
      size: data.getUint32(at + 24, true),
      localHeaderOffset: data.getUint32(at + 42, true),
    });
    at += 46 + nameLength + data.getUint16(at + 30, true) + data.getUint16(at + 32, true);
  }
  return entries;
}

/** One part's bytes, inflated to at most `maxBytes`. */
export function inflateEntry(bytes: Uint8Array, entry: ZipEntry, maxBytes: number): Uint8Array {
  const data = view(bytes);
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length || data.getUint32(at, true) !== LOCAL_SIGNATURE) throw new ZipError(`${entry.name}: no local header at offset ${at}`);
  const start = at + 30 + data.getUint16(at + 26, true) + data.getUint16(at + 28, true);
  if (entry.compressedSize === ZIP64_MARK || entry.size === ZIP64_MARK) throw new ZipSizeError(`${entry.name} declares a ZIP64 size (4 GB or more)`);
  if (start + entry.compressedSize > bytes.length) throw new ZipError(`${entry.name} is cut short (the file is truncated)`);
  const stored = bytes.subarray(start, start + entry.compressedSize);
  let out: Uint8Array;
  if (entry.method === 0) out = stored;
  else if (entry.method === 8) {
    try {
      out = inflateRawSync(stored, { maxOutputLength: maxBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new ZipSizeError(`${entry.name} inflates to more than ${Math.round(maxBytes / 1024 / 1024)} MB although its zip directory declares ${entry.size} bytes`);
      }
      throw new ZipError(`${entry.name}: ${(err as Error).message}`);
    }
  } else throw new ZipError(`${entry.name} uses compression method ${entry.method}, which Word does not write`);
  if (out.length !== entry.size) throw new ZipError(`${entry.name} inflates to ${out.length} bytes, its directory declares ${entry.size}`);
  if (crc32(out) !== entry.crc) throw new ZipError(`${entry.name} fails its CRC check (damaged)`);
  return out;
}
