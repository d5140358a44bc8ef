// The sample documents bundled with the repository (data/samples: the seeds and the hand-checked corpus),
// used by `demo` and the tests. Kept apart from demo.ts so that listing them loads no extractor.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SAMPLES_DIR = fileURLToPath(new URL('../data/samples/', import.meta.url));

/** Sample documents: every file under seeds/ and corpus/ except the expected values and READMEs. */
export function listSamples(samplesDir = SAMPLES_DIR): string[] {
  return ['seeds', 'corpus'].flatMap((folder) =>
    readdirSync(join(samplesDir, folder))
      .filter((name) => !name.endsWith('.expected.json') && !/^readme/i.test(name))
      .sort()
      .map((name) => join(samplesDir, folder, name)),
  );
}
