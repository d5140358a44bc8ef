// The command line in scripts and cron: closed pipes, user errors as one line with an exit status, query
// safety without --write, --db that is not a DuckDB file, one log format per stream, run summaries as JSON,
// settings from a config file and the environment. Spawned from the TypeScript sources, off a terminal: about 40
// processes, so a slow family.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../pipelines/cli.ts';
import { SAMPLES_DIR } from '../../pipelines/samples.ts';
import { countFromOtherProcess, finished, makeTempDir, REPO_ROOT } from '../helpers/warehouse.ts';

const CLI = join(REPO_ROOT, 'pipelines', 'cli.ts');
const TSX = import.meta.resolve('tsx');
const temp = makeTempDir('cli-behaviour');
const seed = (n: number) => join(SAMPLES_DIR, 'seeds', readdirSync(join(SAMPLES_DIR, 'seeds')).sort()[n]);
const db = join(temp.dir, 'warehouse.duckdb');
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Settings from the environment are part of what is tested: start from an environment without ours. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOV_REPORTS_')));
  return { ...env, ...extra };
}

function cli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return finished(spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd: options.cwd ?? temp.dir, stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(options.env) }));
}

/** A pipeline through bash; resolves with gov-reports' own exit status (PIPESTATUS[0]) and its stderr. */
function piped(args: string[], into: string) {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const script = `'${process.execPath}' --import '${TSX}' '${CLI}' ${quoted} 2>"$ERR" | ${into} >/dev/null; echo "status=\${PIPESTATUS[0]}"`;
  const errFile = join(temp.dir, `stderr-${Math.random().toString(36).slice(2)}`);
  return finished(spawn('bash', ['-c', script], { cwd: temp.dir, stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv({ ERR: errFile }) })).then((r) => ({
    status: Number(/status=(\d+)/.exec(r.stdout)?.[1]),
    stderr: existsSync(errFile) ? readFileSync(errFile, 'utf8') : '',
  }));
}

/** Every stderr line is a JSON object (the format off a terminal). */
function jsonLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(async () => {
  const { code } = await cli(['load', '--db', db, seed(0), seed(1)]);
  expect(code).toBe(0);
}, 120_000);
afterAll(() => temp.cleanup());

describe('closed stdout ends quietly with status 0', () => {
  it.each([
    [['query', '--db', db, 'SELECT * FROM range(200000)'], 'head -1'],
    [['extract', seed(0), seed(1), '--json'], 'head -c 100'],
    [['help', 'query'], 'head -1'],
  ])('%j | %s', async (args, into) => {
    const { status, stderr } = await piped(args, into);
    expect(status).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|unexpected|at .*\.ts:\d+/);
  });
});

describe('user errors: one line, a status, never a trace or a hang', () => {
  it('a CSV, Parquet or JSON file given as --db is refused and left untouched (status 2)', async () => {
    const csv = join(temp.dir, 'people.csv');
    writeFileSync(csv, 'name,age\nann,3\n');
    const before = sha(csv);
    for (const args of [['load', '--db', csv, seed(0)], ['query', '--db', csv, 'SELECT 1']]) {
      const { code, stderr } = await cli(args);
      expect(code).toBe(2);
      const [line, ...rest] = jsonLines(stderr);
      expect(rest).toEqual([]);
      expect(line.msg).toMatch(/people\.csv is not a DuckDB database \(it looks like text or CSV\)/);
    }
    expect(sha(csv)).toBe(before);
  });

  it.each([
    [['load', '--db', '/dev/null/x.duckdb', seed(0)], /--db \/dev\/null\/x\.duckdb: a part of the path is a file/],
    [['load', '--db', '/proc/new/x.duckdb', seed(0)], /cannot mkdir \/proc\/new: no such file or folder \(ENOENT\)/],
    [['query', '--db', join('/proc', 'x.duckdb'), 'SELECT 1'], /no warehouse at \/proc\/x\.duckdb/],
    [['export', '--db', db, '--out', '/dev/null/x'], /cannot mkdir \/dev\/null\/x: a part of the path is a file, not a folder \(ENOTDIR\)/],
    [['export', '--db', db, '--out', '/proc/x'], /cannot mkdir \/proc\/x: no such file or folder \(ENOENT\)/],
    [['query', '--db', db, 'SELEC oops'], /^query: .*syntax error/],
  ])('%j', async (args, message) => {
    const { code, stderr } = await cli(args);
    expect(code).not.toBe(0);
    const lines = jsonLines(stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0].msg).toMatch(message);
    expect(lines[0].exitCode).toBe(code);
    expect(stderr).not.toMatch(/unexpected error/);
  });

  it('inputs that are not files are named as given: an unmatched glob, an ftp:// URL, a refused connection', async () => {
    const { code, stdout } = await cli(['extract', '--json', 'reports/*.pdf', 'ftp://example.org/report.pdf', 'http://127.0.0.1:1/x']);
    expect(code).toBe(1);
    const records = stdout.trim().split('\n').map((line) => JSON.parse(line) as { source: string; issues: { message: string }[] });
    expect(records.map((r) => r.source)).toEqual(['reports/*.pdf', 'ftp://example.org/report.pdf', 'http://127.0.0.1:1/x']);
    expect(records[0].issues[0].message).toBe('cannot read reports/*.pdf: no file matches this pattern (the shell passed it on unexpanded)');
    expect(records[1].issues[0].message).toMatch(/only http:\/\/ and https:\/\/ URLs/);
    expect(records[2].issues[0].message).toMatch(/connection refused \(ECONNREFUSED\)/);
  });
});

describe('query', () => {
  it('without --write cannot change the warehouse, write over it, or write any file; the message names --write', async () => {
    const before = sha(db);
    const target = join(temp.dir, 'out.csv');
    const cases: [string, RegExp][] = [
      ['DELETE FROM reports', /run it with --write/],
      [`COPY (SELECT 1) TO '${db}'`, /reading or writing files is off for queries without --write/],
      [`COPY (SELECT * FROM reports) TO '${target}'`, /reading or writing files is off/],
      [`ATTACH '${join(temp.dir, 'other.duckdb')}'`, /reading or writing files is off/],
    ];
    for (const [sql, message] of cases) {
      const { code, stderr } = await cli(['query', '--db', db, sql]);
      expect(code, sql).toBe(1);
      expect(jsonLines(stderr)[0].msg).toMatch(message);
    }
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(temp.dir, 'other.duckdb'))).toBe(false);
    expect(sha(db)).toBe(before);
    expect(await countFromOtherProcess(db, 'reports')).toBe(2);
  });

  it('with --write still refuses to COPY over the warehouse file', async () => {
    const { code, stderr } = await cli(['query', '--write', '--db', db, `COPY (SELECT 1) TO '${db}'`]);
    expect(code).toBe(2);
    expect(jsonLines(stderr)[0].msg).toMatch(/refusing to write over the warehouse file/);
    expect(await countFromOtherProcess(db, 'reports')).toBe(2);
  });

  it('prints the last result of several statements; an empty query is a usage error', async () => {
    const several = await cli(['query', '--db', db, '--format', 'json', 'SELECT 1 AS first; SELECT 2 AS last']);
    expect(JSON.parse(several.stdout)).toEqual([{ last: 2 }]);
    const empty = await cli(['query', '--db', db, '  ']);
    expect(empty.code).toBe(2);
    expect(jsonLines(empty.stderr)[0].msg).toMatch(/the query is empty/);
  });
});

describe('output for scripts and cron', () => {
  it('every command has --quiet, --verbose and its exit codes in --help', async () => {
    for (const name of COMMAND_NAMES) {
      const { code, stdout } = await cli([name, '--help']);
      expect(code).toBe(0);
      expect(stdout, name).toMatch(/Exit status:\n {2}0 .*\n[\s\S]* {2}2 {2}usage error/);
    }
    const { stdout } = await cli(['--help']);
    expect(stdout).toContain('--quiet');
    expect(stdout).toContain('--verbose');
  });

  it('a run where every source failed exits 1; off a terminal stderr is JSON lines and --json prints the summary object', async () => {
    const sources = join(temp.dir, 'dead.csv');
    writeFileSync(sources, 'agency,url\n示例局,http://127.0.0.1:1/list.html\n');
    const { code, stdout, stderr } = await cli(['run', '--json', '--sources', sources, '--data-dir', join(temp.dir, 'dead'), '--retries', '0', '--min-gap', '0']);
    expect(code).toBe(1);
    const summary = JSON.parse(stdout) as { type: string; everySourceFailed: boolean; counts: { failed: number }; sourceProblems: { detail: string }[] };
    expect(summary).toMatchObject({ type: 'run_summary', everySourceFailed: true, counts: { failed: 1 } });
    expect(summary.sourceProblems[0].detail).toMatch(/connection refused/);
    expect(jsonLines(stderr).length).toBeGreaterThan(2); // parses: every line is JSON
  });

  it('--quiet leaves only errors on stderr; load prints failures and its summary on stdout, as one JSON object off a terminal', async () => {
    const { code, stdout, stderr } = await cli(['load', '--db', join(temp.dir, 'q.duckdb'), seed(2), join(SAMPLES_DIR, 'corpus', 'README.md')]);
    expect(code).toBe(1);
    expect(stderr).toBe('');
    const summary = JSON.parse(stdout) as { type: string; failed: number; failures: { input: string }[]; loaded: { reports: number } };
    expect(summary.type).toBe('load_summary');
    expect(summary.failed).toBe(1);
    expect(summary.failures.map((f) => f.input)).toEqual([join(SAMPLES_DIR, 'corpus', 'README.md')]);
    const quiet = await cli(['load', '--quiet', '--db', join(temp.dir, 'q.duckdb'), seed(2)]);
    expect(quiet).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});

describe('settings: flags > environment > config file > defaults', () => {
  it('takes --db from the config file, the environment over it, the flag over both', async () => {
    const dir = join(temp.dir, 'settings');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'gov-reports.config.yaml'), 'db: from-config.duckdb\nbatch-size: 5\n');
    await cli(['load', seed(3)], { cwd: dir });
    expect(existsSync(join(dir, 'from-config.duckdb'))).toBe(true);
    await cli(['load', seed(3)], { cwd: dir, env: { GOV_REPORTS_DB: 'from-env.duckdb' } });
    expect(existsSync(join(dir, 'from-env.duckdb'))).toBe(true);
    await cli(['load', '--db', 'from-flag.duckdb', seed(3)], { cwd: dir, env: { GOV_REPORTS_DB: 'from-env.duckdb' } });
    expect(existsSync(join(dir, 'from-flag.duckdb'))).toBe(true);

    writeFileSync(join(dir, 'bad.yaml'), 'colour: blue\n');
    const bad = await cli(['query', '--config', 'bad.yaml', 'SELECT 1'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(jsonLines(bad.stderr)[0].msg).toMatch(/bad\.yaml: unknown setting "colour"/);
  }, 300_000);
});
