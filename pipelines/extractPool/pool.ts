// The extraction pool: one child process per core (by default) runs extractors/ and transforms/ on
// one document at a time, while the coordinating process only reads inputs, hands out jobs and loads.
//
// Budgets are enforced from outside the parser: a child's wall-clock time per document and its
// resident memory (VmRSS from /proc, the child and its own subprocesses, polled every 100 ms) are
// watched here, and a child over budget is killed with its whole process group (it is started
// detached, so an OCR subprocess dies with it). A V8 heap cap alone would not do: pdf.js and zip
// inflation allocate ArrayBuffers outside the heap, which --max-old-space-size does not bound.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ReportRecord } from '../../transforms/recordSchema.ts';
import type { ExtractJob } from './job.ts';
import type { JobProgress, JobReply, JobRequest } from './worker.ts';

export interface ExtractBudget {
  /** Wall-clock time for one document, from the moment a worker takes it. */
  timeoutMs: number;
  /** Resident memory of the worker (and its subprocesses) while it reads one document. */
  maxRssMb: number;
  /**
   * Ceiling for a scanned document read by OCR: each OCR step the worker reports gives the job another
   * `timeoutMs` from that moment, never past this from the job's start.
   */
  ocrTimeoutMs: number;
}

/** The per-document budgets (docs/budgets.md): generous for a 300-page PDF, far below what a bomb takes. */
export const DEFAULT_BUDGET: ExtractBudget = { timeoutMs: 120_000, maxRssMb: 1536, ocrTimeoutMs: 30 * 60_000 };

export type BudgetFailure = 'timeout' | 'memory' | 'crashed';

export type PoolOutcome =
  | { ok: true; record: ReportRecord; ms: number; peakRssMb: number }
  /** `error`: the extractor threw (a bug, not a budget); the others: the worker was stopped or died. */
  | { ok: false; failure: BudgetFailure | 'error'; message: string; ms: number; peakRssMb: number };

export interface ExtractPoolOptions {
  /** Worker processes (default: one per core). */
  workers?: number;
  budget?: Partial<ExtractBudget>;
}

const POLL_MS = 100;
/** A worker that could not start this many times in a row means the install is broken: fail the jobs. */
const MAX_START_FAILURES = 3;

interface Pending {
  job: ExtractJob;
  resolve: (outcome: PoolOutcome) => void;
}

interface Slot {
  child: ChildProcess;
  ready: boolean;
  /** The last lines the worker wrote to stderr, to explain a crash. */
  stderr: string;
  current: (Pending & { id: number; startedAt: number; deadline: number; peakRssMb: number }) | null;
}

export class ExtractPool {
  readonly workers: number;
  readonly budget: ExtractBudget;
  private readonly slots = new Set<Slot>();
  private readonly queue: Pending[] = [];
  private readonly poller: NodeJS.Timeout;
  private nextId = 1;
  private startFailures = 0;
  private closed = false;

  constructor(options: ExtractPoolOptions = {}) {
    this.workers = Math.max(1, options.workers ?? availableParallelism());
    this.budget = { ...DEFAULT_BUDGET, ...options.budget };
    this.poller = setInterval(() => this.watch(), POLL_MS);
    this.poller.unref();
  }

  /** Extract one document in a worker within the budget. Never rejects. */
  extract(job: ExtractJob): Promise<PoolOutcome> {
    if (this.closed) throw new Error('the extraction pool is closed');
    // While any job is pending the poller holds the process open (idle workers are unref'd, and a
    // job may be waiting for a worker that is still starting); once none is, it lets the process end.
    this.poller.ref();
    return new Promise<PoolOutcome>((resolve) => {
      this.queue.push({ job, resolve });
      this.dispatch();
    }).finally(() => {
      if (this.inFlight === 0) this.poller.unref();
    });
  }

  /** Jobs waiting for a worker plus jobs being extracted. */
  get inFlight(): number {
    let busy = 0;
    for (const slot of this.slots) if (slot.current) busy++;
    return busy + this.queue.length;
  }

  /** Stop every worker; pending jobs end as crashed. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    const exits = [...this.slots].map((slot) => new Promise<void>((resolve) => {
      if (slot.child.exitCode !== null || slot.child.signalCode !== null) return resolve();
      slot.child.once('exit', () => resolve());
      slot.child.ref(); // an idle worker is unref'd: the wait for its exit must keep the process alive
      killGroup(slot.child);
    }));
    await Promise.all(exits);
    for (const pending of this.queue.splice(0)) pending.resolve(failed('crashed', 'the extraction pool was closed', 0, 0));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const slot = [...this.slots].find((s) => s.ready && !s.current);
      if (!slot) {
        if (this.slots.size < this.workers) this.start();
        return;
      }
      const pending = this.queue.shift()!;
      const id = this.nextId++;
      const startedAt = Date.now();
      slot.current = { ...pending, id, startedAt, deadline: startedAt + this.budget.timeoutMs, peakRssMb: 0 };
      slot.child.ref();
      (slot.child.channel as { ref?: () => void } | undefined)?.ref?.();
      slot.child.send({ id, job: pending.job } satisfies JobRequest);
    }
  }

  private start(): void {
    const child = fork(WORKER_ENTRY, [], {
      execArgv: workerExecArgv(this.budget),
      serialization: 'advanced',
      // Its own process group: a kill takes the worker's subprocesses (OCR, converters) with it.
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const slot: Slot = { child, ready: false, stderr: '', current: null };
    this.slots.add(slot);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      slot.stderr = (slot.stderr + chunk).slice(-2000);
    });
    child.on('message', (message: JobReply | JobProgress | { ready: true }) => {
      if ('ready' in message) {
        slot.ready = true;
        this.startFailures = 0;
        this.idle(slot);
        return this.dispatch();
      }
      const current = slot.current;
      if (!current || message.id !== current.id) return;
      if ('progress' in message) {
        current.deadline = Math.min(Date.now() + this.budget.timeoutMs, current.startedAt + this.budget.ocrTimeoutMs);
        return;
      }
      const ms = Date.now() - current.startedAt;
      // Jobs shorter than a poll are measured once, at their end.
      if (slot.child.pid !== undefined) current.peakRssMb = Math.max(current.peakRssMb, treeRssMb(slot.child.pid));
      slot.current = null;
      // A worker that grew large on this document is replaced rather than carried into the next one.
      if (current.peakRssMb > this.budget.maxRssMb / 2) this.retire(slot);
      else this.idle(slot);
      // The next job goes out before this record is parsed: the worker does not wait for the parse.
      this.dispatch();
      current.resolve(message.ok
        ? { ok: true, record: JSON.parse(message.recordJson) as ReportRecord, ms, peakRssMb: current.peakRssMb }
        : failed('error', message.message, ms, current.peakRssMb));
    });
    child.on('error', () => {
      // Reported through 'exit' as well; nothing to add here.
    });
    child.on('exit', (code, signal) => {
      this.slots.delete(slot);
      const current = slot.current;
      slot.current = null;
      if (current) {
        const heap = /heap out of memory|Allocation failed/i.test(slot.stderr);
        const detail = lastLine(slot.stderr);
        current.resolve(failed(
          heap ? 'memory' : 'crashed',
          heap
            ? `the extraction worker ran out of heap (${this.heapMb()} MB)`
            : `the extraction worker died (${signal ?? `exit code ${code}`})${detail ? `: ${detail}` : ''}`,
          Date.now() - current.startedAt,
          current.peakRssMb,
        ));
      } else if (!slot.ready && !this.closed) {
        this.startFailures++;
        if (this.startFailures >= MAX_START_FAILURES) {
          const message = `extraction workers cannot start (${WORKER_ENTRY}): ${lastLine(slot.stderr) || `exit code ${code}`}`;
          for (const pending of this.queue.splice(0)) pending.resolve(failed('crashed', message, 0, 0));
          return;
        }
      }
      if (!this.closed) this.dispatch();
    });
  }

  /** Kill a worker that exceeded its budget; its job ends with that failure, not as a crash. */
  private stop(slot: Slot, failure: BudgetFailure, message: string): void {
    const current = slot.current!;
    slot.current = null;
    current.resolve(failed(failure, message, Date.now() - current.startedAt, current.peakRssMb));
    this.retire(slot);
  }

  private retire(slot: Slot): void {
    this.slots.delete(slot);
    killGroup(slot.child);
  }

  private idle(slot: Slot): void {
    // An idle worker must not keep the coordinating process alive.
    slot.child.unref();
    (slot.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  private watch(): void {
    const now = Date.now();
    for (const slot of this.slots) {
      const current = slot.current;
      if (!current || slot.child.pid === undefined) continue;
      const rssMb = treeRssMb(slot.child.pid);
      current.peakRssMb = Math.max(current.peakRssMb, rssMb);
      if (rssMb > this.budget.maxRssMb) {
        this.stop(slot, 'memory', `stopped at ${Math.round(rssMb)} MB resident, over the budget of ${this.budget.maxRssMb} MB`);
      } else if (now > current.deadline) {
        this.stop(slot, 'timeout', `no result within ${Math.round((now - current.startedAt) / 1000)} s (budget: ${this.budget.timeoutMs / 1000} s, ${this.budget.ocrTimeoutMs / 60_000} min for a scan read by OCR)`);
      }
    }
    this.dispatch();
  }

  private heapMb(): number {
    return heapCapMb(this.budget);
  }
}

function failed(failure: BudgetFailure | 'error', message: string, ms: number, peakRssMb: number): PoolOutcome {
  return { ok: false, failure, message, ms, peakRssMb };
}

/** The worker module next to this one, with this module's own extension (.ts from source, .js when compiled). */
const HERE = fileURLToPath(import.meta.url);
const WORKER_ENTRY = join(dirname(HERE), `worker${extname(HERE)}`);

/** The V8 heap cap: below the RSS budget, so a heap runaway ends as a clean V8 abort, not a kill. */
function heapCapMb(budget: ExtractBudget): number {
  return Math.max(128, Math.floor(budget.maxRssMb * 0.75));
}

const SEMI_SPACE_MB = 32;

function workerExecArgv(budget: ExtractBudget): string[] {
  // A report's extraction allocates tens of MB of short-lived objects: with V8's default 16 MB
  // semi-spaces the young generation is collected every few reports (GC was 4.3 s of 18 s of CPU on
  // the bench:scale mix; 1.0 s with 32 MB), for at most ~100 MB more resident memory.
  const args = [`--max-old-space-size=${heapCapMb(budget)}`, `--max-semi-space-size=${SEMI_SPACE_MB}`];
  // A .ts worker needs tsx's loader, and only then: compiled JavaScript starts without it.
  if (extname(HERE) === '.ts') {
    const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
    args.push('--import', pathToFileURL(join(tsxDir, 'dist/loader.mjs')).href);
  }
  return args;
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    child.kill('SIGKILL'); // the group is already gone; make sure the child is too
  }
}

/** Resident memory of a process and its descendants, in MB; 0 where /proc is not available (the heap cap and timeout still hold). */
export function treeRssMb(pid: number): number {
  let kb = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    try {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kb += match ? Number(match[1]) : 0;
      for (const child of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').split(' ')) if (child.trim()) stack.push(Number(child));
    } catch {
      // The process ended between two reads, or there is no /proc.
    }
  }
  return kb / 1024;
}

/** The line that says what went wrong: the error line of a trace (not Node's version footer), else the last line. */
function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter((line) => line.trim() && !/^Node\.js v\d/.test(line));
  return (lines.find((line) => /Error\b|error:|FATAL/i.test(line)) ?? lines.pop() ?? '').trim().slice(0, 300);
}
