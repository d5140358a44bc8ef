// npm run bench:scale -- --reports N [--compare-reports M] [--keep] [--log FILE]
//
// National scale on this machine: N unique reports generated from the bundled ones (deterministic;
// every integer count of a report scaled by one factor k, which keeps every sum of the template's
// arithmetic (decimals such as fee amounts in 万元 are left as printed), and a serial number making each
// body unique; renderings: text in the seeds' four layouts, HTML pages, markdown, and 1 % PDF and 2 %
// .docx files made unique after their end), archived as a crawl would leave them (raw archive, the
// registry of 500 agencies, a fetch per report, the journal compacted), then `gov-reports reprocess`
// (the compiled CLI, its default batch size) into a fresh warehouse with 2 workers, and on the first M
// reports with 1 and 2 workers and with 1 worker on one core (taskset) for the speed-ups. Prints
// reports/s, cells/s, peak RSS of the whole process tree, CPU use by kind of thread, and checks that
// every generated report's cells are the original's times k, exactly.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { extractDocument } from '../../extractors/extract.ts';
import { RawArchive, sha256Of } from '../../pipelines/crawl/archive.ts';
import { CrawlJournal } from '../../pipelines/crawl/journal.ts';
import { treeRssMb } from '../../pipelines/extractPool/pool.ts';
import { reportTextToHtml } from '../../pipelines/localSite/pages.ts';
import { SAMPLES_DIR } from '../../pipelines/samples.ts';
import { withWarehouse } from '../../pipelines/warehouse.ts';
import { buildRecord } from '../../transforms/record.ts';
import { prng } from '../helpers/hostile.ts';

const { values: args } = parseArgs({ options: { reports: { type: 'string', default: '1000' }, 'compare-reports': { type: 'string' }, keep: { type: 'boolean' }, log: { type: 'string' } } });
const N = Number(args.reports);
const M = Math.min(N, Number(args['compare-reports'] ?? Math.min(N, 1000)));
const REPO = join(import.meta.dirname, '../..');
const CORES = availableParallelism();
const OFFICE = join(REPO, 'test/fixtures/office');

interface Base {
  name: string;
  /** The unscaled document; `render` makes one generated report from it. */
  render: (k: number, serial: string) => Uint8Array;
  /** How the bytes go into the archive (the URL's name tells the extractor only a hint). */
  fileName: string;
  contentType: string;
  scalable: boolean;
  original: Uint8Array;
}

/** Integers that are counts: not years, dates, times, numbered clauses, phone numbers, decimals or entities. */
const COUNT = /(?<![\d.,:\-/#&A-Za-z_%])(\d+)(?![\d.,:\-/%A-Za-z_]|\s*[年月日号时])/g;
const scaleText = (text: string, k: number) => text.replace(COUNT, (digits) => (/^(19|20)\d\d$/.test(digits) ? digits : String(Number(digits) * k)));
const scaleHtml = (html: string, k: number) => html.split(/(<[^>]*>)/).map((part) => (part.startsWith('<') ? part : scaleText(part, k))).join('');

const seedNames = ['000_ee99eda0b851ed47.txt', '001_b4512be360909492.txt', '002_7051039651d1a08e.txt', '003_5f6bec8eadb51f9b.txt', '004_4d27c7cf704db1e1.txt'];
const bases: Base[] = [];
for (const seed of seedNames) {
  const text = readFileSync(join(SAMPLES_DIR, 'seeds', seed), 'utf8');
  bases.push({ name: `seed ${seed} as text`, fileName: 'report.txt', contentType: 'text/plain; charset=utf-8', scalable: true, original: Buffer.from(text),
    render: (k, serial) => Buffer.from(`${scaleText(text, k)}\n\n文档编号：${serial}\n`) });
  const page = (body: string) => `<html><head><meta charset="utf-8"><title>${text.trim().split('\n')[0]}</title></head><body><div class="article">${body}</div></body></html>`;
  bases.push({ name: `seed ${seed} as HTML`, fileName: 'report.html', contentType: 'text/html; charset=utf-8', scalable: true, original: Buffer.from(page(reportTextToHtml(text))),
    render: (k, serial) => Buffer.from(page(`${reportTextToHtml(scaleText(text, k))}<p>文档编号：${serial}</p>`)) });
}
for (const file of ['pingtan-2023.html', 'shuyang-fgj-2023.html', 'shanghai-stcsm-2024.md']) {
  const text = readFileSync(join(SAMPLES_DIR, 'corpus', file), 'utf8');
  const html = file.endsWith('.html');
  bases.push({ name: `corpus ${file}`, fileName: html ? 'report.html' : 'report.md', contentType: html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8', scalable: true, original: Buffer.from(text),
    render: (k, serial) => Buffer.from(html ? `${scaleHtml(text, k)}<p>文档编号：${serial}</p>` : `${scaleText(text, k)}\n\n文档编号：${serial}\n`) });
}
const office = (file: string, tail: (serial: string) => string): Base => {
  const bytes = readFileSync(join(OFFICE, file));
  return { name: `fixture ${file}`, fileName: file, contentType: 'application/octet-stream', scalable: false, original: bytes, render: (_k, serial) => Buffer.concat([bytes, Buffer.from(tail(serial))]) };
};
const pdfs = ['seed-001.pdf', 'seed-004.pdf', 'v2019-report.pdf'].map((f) => office(f, (serial) => `%${serial}\n`));
const docxs = ['seed-001.docx', 'seed-004.docx', 'pingtan-2023.docx'].map((f) => office(f, (serial) => serial));
const textual = bases.slice();
bases.push(...pdfs, ...docxs);

/** Which base and factor the i-th report comes from: 1 % PDF, 2 % .docx, the rest text and HTML. */
function plan(i: number, rng: () => number): { base: number; k: number } {
  const slot = i % 100;
  const base = slot === 0 ? textual.length + (i / 100) % pdfs.length : slot <= 2 ? textual.length + pdfs.length + (i % docxs.length) : i % textual.length;
  return { base: Math.floor(base), k: bases[Math.floor(base)].scalable ? 1 + Math.floor(rng() * 97) : 1 };
}

async function expectedCells(): Promise<{ base: number; cell: string; value: number | null }[]> {
  const rows: { base: number; cell: string; value: number | null }[] = [];
  for (const [index, base] of bases.entries()) {
    // The generated report without scaling (k = 1): what the extractor reads from the original rendering.
    const bytes = base.scalable ? base.render(1, 'G0000000') : base.original;
    const record = buildRecord(await extractDocument({ bytes, fileName: base.fileName, contentType: base.contentType }), { source: base.name, sha256: 'x'.repeat(64) });
    for (const [cell, value] of Object.entries(record.cells)) rows.push({ base: index, cell, value: value.value });
  }
  return rows;
}

function generate(dataDir: string, count: number): { reportId: string; base: number; k: number }[] {
  const archive = new RawArchive(dataDir);
  // The archive's own layout, written without its per-file fsync: 100,000 fsyncs would take the
  // generator ten minutes, and what is measured is the reprocess, not the crawl's durability.
  const store = (bytes: Uint8Array) => {
    const sha256 = sha256Of(bytes);
    const path = join(dataDir, archive.archivePathOf(sha256));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return { sha256, byteSize: bytes.length };
  };
  const journal = CrawlJournal.open(dataDir);
  const runId = 'crawl-bench-scale';
  const fetchedAt = new Date().toISOString();
  journal.append({ type: 'run_start', runId, command: 'crawl', startedAt: fetchedAt, registryErrors: [] });
  // A registry of 500 agencies, as a crawl journals it (reprocess rebuilds the sources table from it).
  const sources = Array.from({ length: 500 }, (_, s) => ({
    sourceId: `s${s}`, agency: `机关${s}`, url: `http://bench.example/list/${s}/`, reportUrls: [], regionCode: null, region: null, level: null, department: null, line: s + 2,
  }));
  journal.append({ type: 'registry', runId, sources });
  const rng = prng(20261202);
  const made: { reportId: string; base: number; k: number }[] = [];
  for (let i = 0; i < count; i++) {
    const { base, k } = plan(i, rng);
    const serial = `G${String(i).padStart(7, '0')}`;
    const stored = store(bases[base].render(k, serial));
    const url = `http://bench.example/${serial}/${bases[base].fileName}`;
    const { contentType } = bases[base];
    journal.append({
      type: 'fetch', runId, fetchId: `f${serial}`, key: `GET ${url}`, sourceId: `s${i % 500}`, kind: 'report', url, method: 'GET', finalUrl: url,
      status: 200, outcome: 'fetched', detail: null, sha256: stored.sha256, unchanged: false, byteSize: stored.byteSize, archivePath: archive.archivePathOf(stored.sha256),
      contentType, etag: `"${serial}"`, lastModified: null, headers: { 'content-type': contentType, etag: `"${serial}"` }, fetchedAt, durationMs: 120, attempts: 1,
    });
    journal.append({
      type: 'bundle', runId, sourceId: `s${i % 500}`, agency: `机关${i % 500}`, url, title: '', listDate: null, publishDate: null, publishDateSource: null,
      documents: [{ url, role: 'page', sha256: stored.sha256, contentType: bases[base].contentType }],
    });
    made.push({ reportId: stored.sha256.slice(0, 16), base, k });
  }
  journal.append({ type: 'run_end', runId, status: 'finished', finishedAt: new Date().toISOString(), detail: null });
  // As a finished crawl leaves its data directory: its events in its own warehouse, the journal folded
  // into state.jsonl and fetches.jsonl (reprocess writes a fresh warehouse from them).
  journal.markSynced(journal.pending());
  journal.compact();
  return made;
}

interface Measured {
  seconds: number;
  peakRssMb: number;
  cpuSeconds: number;
  /** Where the CPU went, from each thread's counters in /proc (the last sample of a thread, up to a poll short). */
  threads: ThreadCpu;
}

/**
 * CPU seconds by kind of thread. A worker's other threads are V8's: TurboFan compiling (a profile of the
 * bench's mix puts most of their time there: pdf.js's closures and our table readers re-optimised after
 * deopts) and the garbage collector's helpers. They are why one worker already keeps more than one core busy.
 */
interface ThreadCpu {
  coordinatorMain: number;
  /** DuckDB's threads and V8's helpers of the coordinating process. */
  coordinatorOther: number;
  workersMain: number;
  workersOther: number;
}

/** utime + stime of one thread, in seconds; null when it is gone. */
function threadCpuSeconds(pid: number, tid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Record the CPU of every thread of the coordinator (the shell's child) and its workers, by process id and thread id. */
function sampleThreads(shellPid: number, seen: Map<string, { kind: keyof ThreadCpu; seconds: number }>): void {
  const coordinator = childPids(shellPid)[0];
  if (coordinator === undefined) return;
  const visit = (pid: number, role: 'coordinator' | 'workers') => {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      const seconds = threadCpuSeconds(pid, Number(tid));
      if (seconds !== null) seen.set(`${pid}/${tid}`, { kind: `${role}${Number(tid) === pid ? 'Main' : 'Other'}`, seconds });
    }
    for (const child of childPids(pid)) visit(child, 'workers');
  };
  visit(coordinator, 'coordinator');
}

/**
 * Run the CLI in a shell that reports its children's CPU time; sample the process tree's RSS and
 * threads meanwhile. `oneCore` pins the whole tree to the first CPU (taskset), the yardstick of what the
 * second core adds.
 */
function measure(cliArgs: string[], options: { logFile?: string; oneCore?: boolean } = {}): Promise<Measured> {
  const logFile = options.logFile ?? '/dev/null';
  const cli = [...(options.oneCore ? ['taskset', '-c', '0'] : []), 'node', join(REPO, 'bin/gov-reports.js'), ...(logFile === '/dev/null' ? [] : ['--verbose', '--log-format', 'json']), ...cliArgs].map((a) => `'${a}'`).join(' ');
  const child = spawn('bash', ['-c', `${cli} >/dev/null 2>"$BENCH_LOG"; status=$?; times; exit $status`], { cwd: REPO, env: { ...process.env, BENCH_LOG: logFile }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const start = performance.now();
  let peakMb = 0;
  const seen = new Map<string, { kind: keyof ThreadCpu; seconds: number }>();
  const timer = setInterval(() => {
    peakMb = Math.max(peakMb, treeRssMb(child.pid!));
    sampleThreads(child.pid!, seen);
  }, 200);
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) return reject(new Error(`gov-reports ${cliArgs.join(' ')} exited with ${code}`));
      const [user, sys] = out.trim().split('\n').pop()!.split(/\s+/).map(minutesSeconds);
      const threads: ThreadCpu = { coordinatorMain: 0, coordinatorOther: 0, workersMain: 0, workersOther: 0 };
      for (const { kind, seconds } of seen.values()) threads[kind] += seconds;
      resolve({ seconds: (performance.now() - start) / 1000, peakRssMb: peakMb, cpuSeconds: user + sys, threads });
    });
  });
}

const minutesSeconds = (text: string) => {
  const m = /(\d+)m([\d.]+)s/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
};

async function reprocess(
  dataDir: string,
  db: string,
  workers: number,
  count: number,
  made: { reportId: string; base: number; k: number }[],
  expected: Awaited<ReturnType<typeof expectedCells>>,
  options: { logFile?: string; oneCore?: boolean } = {},
) {
  const run = await measure(['--data-dir', dataDir, '--db', db, 'reprocess', '--workers', String(workers)], options);
  const check = await withWarehouse(db, {}, async (warehouse) => {
    await warehouse.run('CREATE TEMP TABLE gen (report_id VARCHAR, base INTEGER, k DOUBLE); CREATE TEMP TABLE expected (base INTEGER, cell_id VARCHAR, value DOUBLE)');
    const { appendRows } = await import('../../pipelines/load.ts');
    await appendRows(warehouse.connection, 'gen', made.map((m) => ({ report_id: m.reportId, base: m.base, k: m.k })));
    await appendRows(warehouse.connection, 'expected', expected.map((e) => ({ base: e.base, cell_id: e.cell, value: e.value })));
    const reports = await warehouse.scalarNumber('SELECT count(*) FROM reports WHERE report_id IN (SELECT report_id FROM gen)');
    const cells = await warehouse.scalarNumber('SELECT count(*) FROM cells');
    const wrong = await warehouse.scalarNumber(
      `SELECT count(*) FROM gen g JOIN expected e USING (base) LEFT JOIN cells c ON c.report_id = g.report_id AND c.cell_id = e.cell_id
        WHERE c.cell_id IS NULL OR c.value IS DISTINCT FROM e.value * (CASE WHEN e.value = floor(e.value) THEN g.k ELSE 1 END)`);
    const extra = await warehouse.scalarNumber(
      `SELECT count(*) FROM cells c JOIN gen g USING (report_id) LEFT JOIN expected e ON e.base = g.base AND e.cell_id = c.cell_id WHERE e.cell_id IS NULL`);
    const wrongReports = await warehouse.read(
      `SELECT g.base, count(DISTINCT g.report_id) FROM gen g JOIN expected e USING (base) LEFT JOIN cells c ON c.report_id = g.report_id AND c.cell_id = e.cell_id
        WHERE c.cell_id IS NULL OR c.value IS DISTINCT FROM e.value * (CASE WHEN e.value = floor(e.value) THEN g.k ELSE 1 END) GROUP BY ALL ORDER BY 1`);
    return { reports, cells, wrong, extra, wrongByBase: wrongReports.getRows().map(([b, n]) => `${bases[Number(b)].name}: ${n}`) };
  });
  const perReport = (seconds: number) => ((seconds * 1000) / count).toFixed(1);
  const t = run.threads;
  console.log(
    `reprocess ${count} reports, ${workers} worker(s)${options.oneCore ? ', the whole process tree on one core' : ''}: ` +
      `${run.seconds.toFixed(1)} s = ${(count / run.seconds).toFixed(1)} reports/s, ${(check.cells / run.seconds).toFixed(0)} cells/s; ` +
      `peak RSS ${run.peakRssMb.toFixed(0)} MB (coordinator + workers)\n` +
      `  CPU ${run.cpuSeconds.toFixed(0)} s = ${(run.cpuSeconds / run.seconds).toFixed(2)} cores busy of ${options.oneCore ? 1 : CORES}, ${perReport(run.cpuSeconds)} ms a report: ` +
      `coordinator ${perReport(t.coordinatorMain + t.coordinatorOther)} (main thread ${perReport(t.coordinatorMain)}, DuckDB and V8 threads ${perReport(t.coordinatorOther)}), ` +
      `workers ${perReport(t.workersMain + t.workersOther)} (main threads ${perReport(t.workersMain)}, V8 compiler and GC threads ${perReport(t.workersOther)})\n` +
      `  exact: ${check.reports}/${count} reports loaded, ${check.cells} cells, ${check.wrong} expected cells missing or not the original × k, ${check.extra} unexpected cells` +
      (check.wrongByBase.length ? `\n  inexact by source: ${check.wrongByBase.join('; ')}` : ''),
  );
  return run;
}

// The command line as installed (compiled to dist/ by `npm run build`), not through tsx: the workers
// would otherwise compile TypeScript and map stack traces to sources, which users' runs never do.
execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });
const dir = mkdtempSync(join(tmpdir(), 'gov-reports-scale-'));
try {
  const expected = await expectedCells();
  console.log(`bench:scale: ${N} reports (${bases.length} sources: ${bases.map((b) => b.name).join(', ')}); speed-up measured on ${M}`);
  const small = join(dir, 'small');
  const madeSmall = generate(small, M);
  const one = await reprocess(small, join(dir, 'one.duckdb'), 1, M, madeSmall, expected);
  const two = await reprocess(small, join(dir, 'two.duckdb'), 2, M, madeSmall, expected);
  const busyWithOne = one.cpuSeconds / one.seconds;
  console.log(
    `speed-up of 2 workers over 1 on ${M} reports: ${(one.seconds / two.seconds).toFixed(2)}×. One worker already keeps ${busyWithOne.toFixed(2)} of the ` +
      `${CORES} cores busy (its V8 threads, the coordinator, DuckDB), so at the same CPU a report no number of workers goes past ` +
      `${CORES} / ${busyWithOne.toFixed(2)} = ${(CORES / busyWithOne).toFixed(2)}×`,
  );
  if (CORES >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0) {
    const oneCore = await reprocess(small, join(dir, 'one-core.duckdb'), 1, M, madeSmall, expected, { oneCore: true });
    console.log(`speed-up of ${CORES === 2 ? 'both cores' : `all ${CORES} cores`} (2 workers) over one core (1 worker): ${(oneCore.seconds / two.seconds).toFixed(2)}×`);
  }
  if (N > M) {
    const started = performance.now();
    const made = generate(join(dir, 'full'), N);
    console.log(`generated and archived ${N} reports in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    await reprocess(join(dir, 'full'), join(dir, 'full.duckdb'), 2, N, made, expected, { logFile: args.log });
    if (args.log) console.log(`the run's log (--verbose, JSON lines: one "warehouse batch written" line a batch, with the coordinator's RSS): ${args.log}`);
  }
} finally {
  if (!args.keep) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}
