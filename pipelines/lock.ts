// One writer at a time: a lock file in the data directory holding the owner's pid, host and command.
// A second run finds it and exits with a message naming the owner; a lock whose process is gone
// (a run killed with kill -9, a reboot) is stale and taken over.
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensureDirectory } from './directories.ts';
import { FatalRunError } from './errors.ts';

export const LOCK_FILE = 'gov-reports.lock';

export interface LockOwner {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

/** Another live process holds the data directory. */
export class RunLockedError extends FatalRunError {
  constructor(
    readonly lockPath: string,
    readonly owner: LockOwner,
  ) {
    super(
      `another gov-reports ${owner.command} (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}) is working on this data directory; ` +
        `wait for it to finish, or, if that process is gone, remove ${lockPath}`,
      { stage: 'crawl' },
    );
  }
}

export interface RunLock {
  path: string;
  /** True when a stale lock (its process gone) was taken over. */
  tookOverStale: LockOwner | null;
  release(): void;
}

/** Take the data directory's lock or throw RunLockedError. */
export function acquireRunLock(dataDir: string, command: string): RunLock {
  ensureDirectory(dataDir);
  const path = join(dataDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  let tookOverStale: LockOwner | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path, me)) {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const current = readOwner(path);
        if (current?.pid === me.pid && current.host === me.host) rmSync(path, { force: true });
      };
      return { path, tookOverStale, release };
    }
    const owner = readOwner(path);
    if (owner && isAlive(owner)) throw new RunLockedError(path, owner);
    // Stale (or unreadable, a writer killed mid-write): move it aside atomically, then check we moved
    // the stale one and not a lock another process took in between.
    const aside = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, aside);
    } catch {
      continue; // someone else moved it first: try again
    }
    const moved = readOwner(aside);
    if (moved && owner && (moved.pid !== owner.pid || moved.startedAt !== owner.startedAt) && isAlive(moved)) {
      renameSync(aside, path); // it was a fresh lock: put it back
      throw new RunLockedError(path, moved);
    }
    rmSync(aside, { force: true });
    tookOverStale = owner;
  }
  throw new FatalRunError(`could not take ${path} after 3 attempts (several processes starting at once?)`, { stage: 'crawl' });
}

function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readOwner(path: string): LockOwner | null {
  if (!existsSync(path)) return null;
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' ? owner : null;
  } catch {
    return null;
  }
}

/** A lock from another machine (shared disk) is taken as alive: we cannot tell. */
function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
