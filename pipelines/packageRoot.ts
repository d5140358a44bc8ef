// Files read at run time (sql/, data/samples/, package.json) live at the package root, whether the code
// runs from its TypeScript sources (<root>/pipelines/…) or compiled (<root>/dist/pipelines/…).
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PIPELINES_DIR = dirname(fileURLToPath(import.meta.url));
const ABOVE = dirname(PIPELINES_DIR);

export const PACKAGE_ROOT = basename(ABOVE) === 'dist' ? dirname(ABOVE) : ABOVE;

/** A path under the package root. */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}

/** `.ts` when running the sources, `.js` when compiled: for imports built at run time. */
export const MODULE_EXTENSION = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
