// The OCR runner: pdftoppm rasterises a page, Tesseract reads an image, each as a subprocess with a
// time and memory budget (a shell `ulimit -v -t` under it, SIGKILL from here on the wall clock), at
// most one per core and single-threaded (OMP_THREAD_LIMIT=1), so two pages are read at once on two
// cores. Images go in on stdin and TSV comes out on stdout: no temporary files.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { OCR_METHOD_VERSION, type OcrRunner, type RecognitionMode } from '../../extractors/ocr.ts';
import { encodePgm, parsePgm, type GrayImage } from '../../extractors/ocrImage.ts';
import { OcrPageError } from '../errors.ts';

export interface TesseractSettings {
  /** Rasterising resolution. */
  dpi: number;
  /** Wall-clock budget of one subprocess (one page). */
  pageTimeoutMs: number;
  /** Address-space budget of one subprocess. */
  maxMemoryMb: number;
  /** Subprocesses at once (default: one per core). */
  concurrency: number;
}

export const DEFAULT_TESSERACT_SETTINGS: TesseractSettings = {
  dpi: 300,
  // A 300 dpi page takes 2–15 s on one core; a loaded machine needs the headroom, a runaway page is still cut.
  pageTimeoutMs: 120_000,
  maxMemoryMb: 1536,
  concurrency: Math.max(1, availableParallelism()),
};

export type TesseractProbe = { ok: true; engine: string } | { ok: false; reason: string };

const LANGUAGES = ['chi_sim', 'eng'];

let probed: Promise<TesseractProbe> | null = null;

/** Is OCR possible here? Checked once per process: tesseract with its chi_sim and eng models, and pdftoppm. */
export function probeTesseract(): Promise<TesseractProbe> {
  probed ??= (async (): Promise<TesseractProbe> => {
    const budget = { timeoutMs: 15_000, maxMemoryMb: 512 };
    let version: string;
    let langs: string;
    try {
      version = (await run('tesseract', ['--version'], null, budget)).toString('utf8').split('\n')[0].trim();
      langs = (await run('tesseract', ['--list-langs'], null, budget)).toString('utf8');
    } catch {
      return { ok: false, reason: 'tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim)' };
    }
    const missing = LANGUAGES.filter((l) => !langs.split(/\s+/).includes(l));
    if (missing.length > 0) return { ok: false, reason: `tesseract has no ${missing.join(', ')} model (Debian: apt-get install tesseract-ocr-chi-sim)` };
    try {
      await run('pdftoppm', ['-v'], null, budget);
    } catch {
      return { ok: false, reason: 'pdftoppm is not installed (Debian: apt-get install poppler-utils)' };
    }
    const dir = /"([^"]+)"/.exec(langs)?.[1] ?? '';
    // The model files' sizes stand for their version (tesseract does not print one).
    const models = LANGUAGES.map((l) => {
      try {
        const s = statSync(`${dir}/${l}.traineddata`);
        return `${l}:${s.size}`;
      } catch {
        return l;
      }
    });
    return { ok: true, engine: `${version} ${models.join(' ')}` };
  })();
  return probed;
}

/** A runner for the extractor (extractors/ocr.ts), for an engine `probeTesseract` found. */
export function tesseractRunner(engine: string, settings: Partial<TesseractSettings> = {}): OcrRunner {
  const s = { ...DEFAULT_TESSERACT_SETTINGS, ...settings };
  const budget = { timeoutMs: s.pageTimeoutMs, maxMemoryMb: s.maxMemoryMb };
  const slots = semaphore(s.concurrency);
  return {
    engine: `${engine} dpi${s.dpi} method${OCR_METHOD_VERSION}`,
    dpi: s.dpi,
    concurrency: s.concurrency,
    async rasterise(pdf, page) {
      const out = await slots(() => run('pdftoppm', ['-r', String(s.dpi), '-gray', '-f', String(page), '-l', String(page), '-'], pdf, budget, `rasterising page ${page}`));
      return parsePgm(out);
    },
    async recognise(image: GrayImage, mode: RecognitionMode, dpi: number) {
      // psm 6: a page of text lines; psm 11: sparse text, found wherever it lies (cells of different widths stacked).
      const args = mode === 'text' || mode === 'cells'
        ? ['stdin', 'stdout', '-l', 'chi_sim', '--psm', mode === 'text' ? '6' : '11', '--dpi', String(dpi), 'tsv']
        : ['stdin', 'stdout', '-l', 'eng', '--psm', mode === 'digits' ? '6' : '7', '--dpi', String(dpi), '-c', 'tessedit_char_whitelist=0123456789.-', 'tsv'];
      const out = await slots(() => run('tesseract', args, encodePgm(image), budget, `recognising ${mode}`));
      return out.toString('utf8');
    },
  };
}

function semaphore(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let busy = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (busy >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    busy++;
    try {
      return await task();
    } finally {
      busy--;
      waiting.shift()?.();
    }
  };
}

/**
 * Run a command with stdin `input`, return its stdout. The shell sets the memory and CPU-time limits
 * and then becomes the command (exec), so the pid killed on timeout is the command's own.
 */
function run(command: string, args: string[], input: Uint8Array | null, budget: { timeoutMs: number; maxMemoryMb: number }, what = command): Promise<Buffer> {
  const cpuSeconds = Math.max(1, Math.ceil(budget.timeoutMs / 1000));
  const script = `ulimit -v ${budget.maxMemoryMb * 1024} 2>/dev/null; ulimit -t ${cpuSeconds} 2>/dev/null; exec "$0" "$@"`;
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script, command, ...args], {
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, budget.timeoutMs);
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => {
      if (err.length < 4000) err += b.toString('utf8');
    });
    child.stdin?.on('error', () => {}); // a child that dies early closes its stdin; the exit says why
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new OcrPageError(`${what}: cannot start ${command}: ${e.message}`, 'failed', e));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(Buffer.concat(out));
      const stderr = err.trim().split('\n').slice(-2).join(' ');
      if (timedOut || signal === 'SIGXCPU') return reject(new OcrPageError(`${what}: ${command} exceeded its ${budget.timeoutMs / 1000} s budget`, 'timeout'));
      if (/alloc|memory/i.test(stderr)) return reject(new OcrPageError(`${what}: ${command} exceeded its ${budget.maxMemoryMb} MB memory budget`, 'memory'));
      reject(new OcrPageError(`${what}: ${command} failed (${signal ?? `exit ${code}`}): ${stderr}`, 'failed'));
    });
    if (input) child.stdin!.end(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  });
}
