// Start-up of the shipped command: `gov-reports --help` (bin/gov-reports.js → compiled dist/) against
// `node -e 0`, the floor any Node program pays, in the same run. Builds dist/ first when it is missing.
// Prints the medians and their ratio; vitest's own table follows.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { REPO_ROOT } from '../helpers/warehouse.ts';

const BIN = join(REPO_ROOT, 'bin', 'gov-reports.js');
if (!existsSync(join(REPO_ROOT, 'dist', 'pipelines', 'cli.js'))) execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });

function timed(args: string[]): number {
  const started = performance.now();
  const { status } = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (status !== 0) throw new Error(`${args.join(' ')} exited ${status}`);
  return performance.now() - started;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Interleaved, so that load from other processes falls on both alike.
const help: number[] = [];
const node: number[] = [];
for (let i = 0; i < 15; i++) {
  help.push(timed([BIN, '--help']));
  node.push(timed(['-e', '0']));
}
const [h, n] = [median(help), median(node)];
console.log(`start-up: gov-reports --help ${h.toFixed(0)} ms, node -e 0 ${n.toFixed(0)} ms (median of 15; ratio ${(h / n).toFixed(2)}, the command's own share ${(h - n).toFixed(0)} ms)`);

describe('start-up', () => {
  bench('gov-reports --help', () => void timed([BIN, '--help']), { iterations: 10 });
  bench('node -e 0', () => void timed(['-e', '0']), { iterations: 10 });
});
