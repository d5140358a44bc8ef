// Making folders without hanging: Node's mkdirSync(path, { recursive: true }) loops forever where mkdir answers
// ENOENT although the parent exists (/proc/x, /sys/x), so a command given such a path would hang instead of
// failing. These walk up to the first folder that exists and create each level below it once, so every
// failure is an ordinary error (ENOENT, ENOTDIR, EACCES, EROFS) that the command line turns into one line.
import { mkdirSync, mkdtempSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Create `dir` and its missing parents. */
export function ensureDirectory(dir: string): void {
  const missing: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    try {
      statSync(current); // the first that exists (a file there makes the mkdir below fail with ENOTDIR)
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** Throw the file-system error a write into `dir` would meet (its parent must allow creating a folder), creating nothing. */
export function checkFolderCreatable(dir: string): void {
  const parent = dirname(resolve(dir));
  try {
    ensureDirectory(parent);
    rmdirSync(mkdtempSync(join(parent, '.gov-reports-check-')));
  } catch (error) {
    // Name the folder the user gave, not the probe.
    Object.assign(error as NodeJS.ErrnoException, { path: resolve(dir), syscall: 'mkdir' });
    throw error;
  }
}
