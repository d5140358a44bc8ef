// One command-line input (a local file or an http(s) URL) → its bytes → ParsedDocument → ReportRecord.
// The I/O half of `extract` and `load`: the bytes are read here, the extraction runs in the pool's
// workers under their budgets (pipelines/extractPool/). An input that cannot be read or extracted still
// yields a record, with an error issue saying why, so a batch never stops at one bad document.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import type { ReportRecord } from '../transforms/recordSchema.ts';
import { DEFAULT_FETCHER_OPTIONS, Fetcher, type FetcherOptions } from './crawl/fetcher.ts';
import { HostScheduler } from './crawl/hostQueues.ts';
import { DocumentError } from './errors.ts';
import type { DocumentExtractor } from './extractPool/extractor.ts';
import { failedRecord } from './extractPool/job.ts';
import type { DocumentFacts } from './load.ts';
import { DEFAULT_OCR_SETTINGS, type OcrSettings } from './ocr/ocrOption.ts';

export interface ExtractedInput {
  /** The input as given on the command line. */
  input: string;
  record: ReportRecord;
  /** Facts for the documents table; null when no bytes could be read (the record is then not loaded). */
  document: DocumentFacts | null;
}

export interface ExtractInputOptions {
  /** Local paths are recorded as `source` relative to this directory (default: the working directory). */
  sourceRoot?: string;
  /** OCR of scanned pages (default: on, without a cache). */
  ocr?: OcrSettings;
  /** How URLs are fetched: the crawler's client, caps and User-Agent (default: its defaults, one retry). */
  fetcher?: Partial<FetcherOptions>;
}

/** A person waits on `extract URL`: one quick retry rather than the nightly crawl's three with long backoff. */
const INTERACTIVE_FETCH: Partial<FetcherOptions> = { retries: 1, backoffBaseMs: 1_000 };

const URL_INPUT = /^https?:\/\//i;
/** Any scheme://, so that ftp:// or file:// is named as given rather than read as a relative path. */
const OTHER_URL = /^[a-z][a-z0-9+.-]*:\/\//i;
const GLOB = /[*?[\]{}]/;

/** A local file larger than this is not read: no report is, and its bytes would have to cross to a worker. */
export const MAX_LOCAL_FILE_BYTES = 512 * 1024 * 1024;

async function readLocal(path: string): Promise<Uint8Array> {
  const { size } = await stat(path);
  if (size > MAX_LOCAL_FILE_BYTES) throw new Error(`${Math.round(size / 1024 / 1024)} MB is over the ${MAX_LOCAL_FILE_BYTES / 1024 / 1024} MB limit for one document`);
  return readFile(path);
}

export async function extractInput(input: string, extractor: DocumentExtractor, options: ExtractInputOptions = {}): Promise<ExtractedInput> {
  const isUrl = URL_INPUT.test(input);
  const otherUrl = !isUrl && OTHER_URL.test(input);
  const source = isUrl || otherUrl ? input : toPosix(relative(options.sourceRoot ?? process.cwd(), resolve(input)));
  let body: { bytes: Uint8Array; contentType: string | null };
  try {
    if (otherUrl) throw new Error(`only http:// and https:// URLs can be fetched (download it and give the file)`);
    body = isUrl ? await fetchBody(input, { ...INTERACTIVE_FETCH, ...options.fetcher }) : { bytes: await readLocal(input), contentType: null };
  } catch (error) {
    return { input, record: failedRecord({ source, sourceUrl: isUrl ? input : null }, 'unreadable', `cannot read ${input}: ${readFailure(input, error)}`), document: null };
  }
  const sha256 = createHash('sha256').update(body.bytes).digest('hex');
  const document: DocumentFacts = {
    sha256,
    byteSize: body.bytes.byteLength,
    contentType: body.contentType,
    url: isUrl ? input : null,
    localPath: isUrl ? null : resolve(input),
  };
  const { record } = await extractor.extract({
    bytes: body.bytes,
    fileName: isUrl ? new URL(input).pathname : input,
    contentType: body.contentType ?? undefined,
    url: isUrl ? input : undefined,
    record: { source, sha256, sourceUrl: isUrl ? input : null },
    ocr: options.ocr ?? DEFAULT_OCR_SETTINGS,
  });
  return { input, record, document };
}

/** True when the record carries an error-level issue: the input counts as failed for the exit status. */
export function inputFailed(record: ReportRecord): boolean {
  return record.issues.some((issue) => issue.severity === 'error');
}

/**
 * A URL given on the command line, through the crawler's fetcher (body cap counted after decompression,
 * total deadline, redirects, User-Agent). The user named it, so any http(s) host may be asked.
 */
async function fetchBody(url: string, options: Partial<FetcherOptions>): Promise<{ bytes: Uint8Array; contentType: string | null }> {
  const fetcher = new Fetcher({ ...DEFAULT_FETCHER_OPTIONS, ...options }, new HostScheduler(), async () => ({ ok: true }));
  try {
    const result = await fetcher.fetch({ url });
    if (result.outcome !== 'fetched' || !result.body) {
      throw result.error ?? new DocumentError(result.detail ?? result.outcome, { stage: 'fetch', sourceUrl: url });
    }
    return { bytes: result.body, contentType: result.contentType };
  } finally {
    await fetcher.close();
  }
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** Why an input could not be read, in words (a file-system code named, an unexpanded glob pointed out). */
function readFailure(input: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return GLOB.test(input) ? 'no file matches this pattern (the shell passed it on unexpanded)' : 'no such file (ENOENT)';
  if (code === 'EISDIR') return 'it is a folder: give the files in it (e.g. folder/*.pdf)';
  if (code === 'EACCES') return 'permission denied (EACCES)';
  return messageOf(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
