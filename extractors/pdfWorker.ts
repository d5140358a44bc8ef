// pdf.js runs in a worker thread with a time and memory budget per document: a PDF that makes
// pdf.js loop or swell is stopped (terminate, resourceLimits) and reported, and the batch goes on.
// pdf.js in Node parses on the calling thread, so a timer in the same thread could never fire
// during a runaway parse. Idle workers are kept (unref'd) because starting one costs ~0.6 s.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { PdfContent } from './pdfPages.ts';

const ROLE = 'gov-reports:pdf-pages';

/** pdf.js is loaded by the thread that parses (the PDF worker, or a pool child), not by every importer of the extractors. */
async function readPdfPages(bytes: Uint8Array): Promise<PdfContent> {
  return (await import('./pdfPages.ts')).readPdfPages(bytes);
}

export type PdfFailure = 'encrypted' | 'corrupt' | 'timeout' | 'memory' | 'failed';
export type PdfReadOutcome = { ok: true; content: PdfContent } | { ok: false; failure: PdfFailure; message: string };

export interface PdfBudget {
  timeoutMs: number;
  /** Cap on the worker's V8 heap; pdf.js buffers outside the heap are not counted. */
  maxHeapMb: number;
}

type Reply = { ok: true; content: PdfContent } | { ok: false; name: string; message: string };

/** pdf.js exception names → what happened to the document. */
function failureOf(name: string, message: string): PdfFailure {
  if (name === 'PasswordException') return 'encrypted';
  if (name === 'InvalidPDFException' || name === 'FormatError' || /Invalid PDF|No password given|XRef|startxref/i.test(message)) {
    return 'corrupt';
  }
  return 'failed';
}

if (!isMainThread && workerData?.role === ROLE) {
  parentPort!.on('message', async (bytes: Uint8Array) => {
    let reply: Reply;
    try {
      reply = { ok: true, content: await readPdfPages(bytes) };
    } catch (err) {
      const e = err as { name?: string; message?: string };
      reply = { ok: false, name: e?.name ?? 'Error', message: e?.message ?? String(err) };
    }
    parentPort!.postMessage(reply);
  });
}

/** The worker loads this very module: compiled (dist/) as is, the TypeScript sources through tsx. */
function startWorker(maxHeapMb: number): Worker {
  const self = import.meta.url;
  let boot = `import(${JSON.stringify(self)})`;
  if (self.endsWith('.ts')) {
    const tsxApi = pathToFileURL(createRequire(self).resolve('tsx/package.json').replace(/package\.json$/, 'dist/esm/api/index.mjs')).href;
    boot = `import(${JSON.stringify(tsxApi)}).then((m) => m.tsImport(${JSON.stringify(self)}, ${JSON.stringify(self)}))`;
  }
  const worker = new Worker(boot, {
    eval: true,
    workerData: { role: ROLE },
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: Math.min(64, maxHeapMb / 4) },
    stdout: false,
    stderr: false,
  });
  worker.unref();
  return worker;
}

/** Idle workers by heap cap; a worker that timed out or died is never reused. */
const idle = new Map<number, Worker[]>();
const MAX_IDLE = 2;

function acquire(maxHeapMb: number): Worker {
  return idle.get(maxHeapMb)?.pop() ?? startWorker(maxHeapMb);
}

function release(maxHeapMb: number, worker: Worker): void {
  const pool = idle.get(maxHeapMb) ?? [];
  if (pool.length < MAX_IDLE) {
    pool.push(worker);
    idle.set(maxHeapMb, pool);
  } else void worker.terminate();
}

/** At most one parsing worker per core; further documents wait (their time budget starts when parsing does). */
const MAX_BUSY = Math.max(1, availableParallelism());
let busy = 0;
const waiting: (() => void)[] = [];

async function slot(): Promise<() => void> {
  if (busy >= MAX_BUSY) await new Promise<void>((resolve) => waiting.push(resolve));
  busy++;
  return () => {
    busy--;
    waiting.shift()?.();
  };
}

/**
 * Inside an extraction pool worker (pipelines/extractPool/) the whole process is the budgeted unit,
 * watched and killed from outside: a second, nested worker thread would only add its start-up time
 * and its own copy of pdf.js's memory. The pool worker turns the thread off at start.
 */
let inlineParsing = false;
export function parsePdfsInThisThread(inThisThread = true): void {
  inlineParsing = inThisThread;
}

/** Read a PDF's pages in a worker thread within the budget. Never throws. */
export async function readPdfInWorker(bytes: Uint8Array, budget: PdfBudget): Promise<PdfReadOutcome> {
  if (inlineParsing) {
    try {
      return { ok: true, content: await readPdfPages(new Uint8Array(bytes)) };
    } catch (err) {
      const e = err as { name?: string; message?: string };
      return { ok: false, failure: failureOf(e?.name ?? 'Error', e?.message ?? String(err)), message: e?.message ?? String(err) };
    }
  }
  const free = await slot();
  try {
    return await readInWorker(bytes, budget);
  } finally {
    free();
  }
}

function readInWorker(bytes: Uint8Array, budget: PdfBudget): Promise<PdfReadOutcome> {
  const worker = acquire(budget.maxHeapMb);
  // A private copy, transferred: the caller's buffer stays usable. (Not bytes.slice(): on a Node
  // Buffer that is a view of the same memory, and transferring it would detach the caller's bytes.)
  const copy = new Uint8Array(bytes);
  return new Promise<PdfReadOutcome>((resolve) => {
    const finish = (outcome: PdfReadOutcome, reusable: boolean) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (reusable) release(budget.maxHeapMb, worker);
      else void worker.terminate();
      resolve(outcome);
    };
    const onMessage = (reply: Reply) =>
      finish(reply.ok ? reply : { ok: false, failure: failureOf(reply.name, reply.message), message: reply.message }, true);
    const onError = (err: Error & { code?: string }) => {
      const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      finish({ ok: false, failure: memory ? 'memory' : 'failed', message: err.message }, false);
    };
    const onExit = (code: number) => finish({ ok: false, failure: 'failed', message: `PDF worker exited with code ${code}` }, false);
    const timer = setTimeout(
      () => finish({ ok: false, failure: 'timeout', message: `no result within ${budget.timeoutMs} ms` }, false),
      budget.timeoutMs,
    );
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.postMessage(copy, [copy.buffer]);
  });
}
