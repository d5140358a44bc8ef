// Command-line inputs → one input at a time: files, folders (walked, depth first, names sorted), globs
// (expanded here, so `load 'reports/**/*.pdf'` works past the shell's argument limit), URLs, and list
// files (`--from-list FILE`, one input a line). Nothing is collected: a folder of 100,000 reports is read
// one directory entry at a time and memory stays flat whatever the number of inputs.
import { createReadStream } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import picomatch from 'picomatch';

const URL_INPUT = /^https?:\/\//i;

export interface InputSources {
  /** Files, folders, globs or URLs as given on the command line. */
  args?: readonly string[];
  /** Files that list further inputs, one a line (blank lines and lines starting with # are skipped). */
  lists?: readonly string[];
}

/** Every input, in order: arguments first, then the lists' lines. A missing path is yielded as is (its read fails per input). */
export async function* streamInputs(sources: InputSources): AsyncGenerator<string> {
  for (const arg of sources.args ?? []) yield* expand(arg);
  for (const list of sources.lists ?? []) {
    const lines = createInterface({ input: createReadStream(list, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      const input = line.trim();
      if (input && !input.startsWith('#')) yield* expand(input);
    }
  }
}

async function* expand(input: string): AsyncGenerator<string> {
  if (URL_INPUT.test(input)) return yield input;
  const kind = await stat(input).then((s) => (s.isDirectory() ? 'dir' : 'file'), () => null);
  if (kind === 'dir') return yield* walk(input, () => true);
  if (kind === null && picomatch.scan(input).isGlob) {
    const { base } = picomatch.scan(input);
    const matches = picomatch(input, { dot: false });
    return yield* walk(base || '.', (path) => matches(path));
  }
  yield input;
}

/** Files under a folder whose path matches, reading one directory at a time; hidden entries are skipped. */
async function* walk(dir: string, matches: (path: string) => boolean): AsyncGenerator<string> {
  let names: { name: string; isDir: boolean }[];
  try {
    names = [];
    for await (const entry of await opendir(dir)) {
      if (!entry.name.startsWith('.')) names.push({ name: entry.name, isDir: entry.isDirectory() });
    }
  } catch {
    return; // an unreadable folder inside a walk: nothing to read there
  }
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { name, isDir } of names) {
    const path = dir === '.' ? name : join(dir, name);
    if (isDir) yield* walk(path, matches);
    else if (matches(path)) yield path;
  }
}
