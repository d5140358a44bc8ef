// The sample documents bundled with the repository (data/samples: the seeds and the hand-checked corpus),
// served by the demo's local sites and read by the tests. Kept apart so that naming it loads no extractor.
import { packagePath } from './packageRoot.ts';

export const SAMPLES_DIR = packagePath('data', 'samples') + '/';
