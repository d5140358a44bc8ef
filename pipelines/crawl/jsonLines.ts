// JSON Lines files of any size, read and written a few megabytes at a time. The crawl's state grows
// with the corpus (0.6 KB a report for a bundle and its extraction in bench:scale's archive, more with
// the validators of every crawled URL); read or written as one string it would stop every command once
// it passed V8's longest string (~512 MB: some 500,000–800,000 reports), and would need that string
// and its parse in memory at once.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, writeSync } from 'node:fs';

const CHUNK_BYTES = 4 * 2 ** 20;

/**
 * Each complete line of the file parsed as JSON, in order. A last line without its newline (the torn
 * tail of a killed append) and a line that is not JSON are skipped: `onSkipped` hears of them.
 */
export function* readJsonLines<T>(path: string, onSkipped?: (line: string) => void): Generator<T> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry: Buffer = Buffer.alloc(0);
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (read === 0) break;
      const bytes = carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, read)]) : buffer.subarray(0, read);
      let start = 0;
      for (let newline = bytes.indexOf(0x0a, start); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
        const line = bytes.toString('utf8', start, newline);
        start = newline + 1;
        if (line.trim() === '') continue;
        let value: T;
        try {
          value = JSON.parse(line) as T;
        } catch {
          onSkipped?.(line);
          continue;
        }
        yield value;
      }
      // The unfinished line waits for the next chunk (copied: the buffer is reused).
      carry = Buffer.from(bytes.subarray(start));
    }
    if (carry.length > 0) onSkipped?.(carry.toString('utf8'));
  } finally {
    closeSync(fd);
  }
}

/** Writes one JSON line per value to an open file descriptor, a few megabytes per write. */
export function writeJsonLines(fd: number, values: Iterable<unknown>): void {
  let pending: string[] = [];
  let pendingLength = 0;
  for (const value of values) {
    const line = `${JSON.stringify(value)}\n`;
    pending.push(line);
    pendingLength += line.length;
    if (pendingLength >= CHUNK_BYTES / 2) {
      writeSync(fd, pending.join(''));
      pending = [];
      pendingLength = 0;
    }
  }
  if (pending.length > 0) writeSync(fd, pending.join(''));
}

/** Replace `path` with the values as JSON Lines: written beside it, flushed to disk, renamed over it. */
export function replaceWithJsonLines(path: string, values: Iterable<unknown>): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeJsonLines(fd, values);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/**
 * Append the values as JSON Lines to `path` (created if missing). After the torn tail of a killed
 * append, a newline first: the first new line must not be glued to the broken one (and lost with it).
 */
export function appendJsonLines(path: string, values: Iterable<unknown>): void {
  const fd = openSync(path, 'a+');
  try {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a) writeSync(fd, '\n');
    writeJsonLines(fd, values);
  } finally {
    closeSync(fd);
  }
}
