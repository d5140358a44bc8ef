// The shipped command: `npm run build` compiles to dist/, bin/gov-reports.js runs it (the PDF worker too,
// compiled), and `npm install -g .` puts a `gov-reports` on the PATH that works from any folder. Needs npm
// (no network: a folder install is a link). About a minute for tsc on 2 busy cores.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from '../../pipelines/samples.ts';
import { finished, makeTempDir, REPO_ROOT } from '../helpers/warehouse.ts';

const BIN = join(REPO_ROOT, 'bin', 'gov-reports.js');
const prefix = makeTempDir('global-install');
const elsewhere = makeTempDir('elsewhere');

beforeAll(() => {
  execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'pipe' });
}, 600_000);
afterAll(() => {
  prefix.cleanup();
  elsewhere.cleanup();
});

const run = (command: string, args: string[], cwd = elsewhere.dir) =>
  finished(spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GOV_REPORTS_LOG_FORMAT: 'text' } }));

describe('compiled', () => {
  it('bin/gov-reports.js --help runs the compiled code', async () => {
    const { code, stdout } = await run(process.execPath, [BIN, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: gov-reports/);
    expect(stdout).toMatch(/Exit status:/);
  });

  it('reads a PDF through the compiled worker, and finds sql/ for a load, from another folder', async () => {
    const pdf = join(SAMPLES_DIR, 'corpus', 'huaian-hongze-2023.pdf');
    const extracted = await run(process.execPath, [BIN, 'extract', '--json', pdf]);
    expect(extracted.code).toBe(0);
    const record = JSON.parse(extracted.stdout) as { cells: Record<string, unknown>; meta: { report_year: number } };
    expect(Object.keys(record.cells).length).toBeGreaterThan(50);
    const loaded = await run(process.execPath, [BIN, 'load', '--db', 'w.duckdb', pdf]);
    expect(loaded.stdout).toMatch(/loaded 1 report\(s\)/);
  });
});

describe('npm install -g .', () => {
  it('installs a gov-reports command that works from any folder', async () => {
    execFileSync('npm', ['install', '-g', '.', '--prefix', prefix.dir, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: REPO_ROOT, stdio: 'pipe' });
    const command = join(prefix.dir, 'bin', 'gov-reports');
    const help = await run(command, ['--version']);
    expect(help.code).toBe(0);
    const seeds = join(SAMPLES_DIR, 'seeds', '000_ee99eda0b851ed47.txt');
    const extracted = await run(command, ['extract', seeds]);
    expect(extracted.stdout).toMatch(/新乡市民政局 2023/);
  });
});
