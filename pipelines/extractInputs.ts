// One command-line input (a local file or an http(s) URL) → its bytes → ParsedDocument → ReportRecord.
// The I/O half of `extract` and `load`: the bytes are read here, the extraction runs in the pool's
// workers under their budgets (pipelines/extractPool/). An input that cannot be read or extracted still
// yields a record, with an error issue saying why, so a batch never stops at one bad document.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import type { ReportRecord } from '../transforms/recordSchema.ts';
import type { DocumentExtractor } from './extractPool/extractor.ts';
import { failedRecord } from './extractPool/job.ts';
import type { DocumentFacts } from './load.ts';

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
}

const URL_INPUT = /^https?:\/\//i;

/** A local file larger than this is not read: no report is, and its bytes would have to cross to a worker. */
export const MAX_LOCAL_FILE_BYTES = 512 * 1024 * 1024;

async function readLocal(path: string): Promise<Uint8Array> {
  const { size } = await stat(path);
  if (size > MAX_LOCAL_FILE_BYTES) throw new Error(`${Math.round(size / 1024 / 1024)} MB is over the ${MAX_LOCAL_FILE_BYTES / 1024 / 1024} MB limit for one document`);
  return readFile(path);
}

export async function extractInput(input: string, extractor: DocumentExtractor, options: ExtractInputOptions = {}): Promise<ExtractedInput> {
  const isUrl = URL_INPUT.test(input);
  const source = isUrl ? input : toPosix(relative(options.sourceRoot ?? process.cwd(), resolve(input)));
  let body: { bytes: Uint8Array; contentType: string | null };
  try {
    body = isUrl ? await fetchBody(input) : { bytes: await readLocal(input), contentType: null };
  } catch (error) {
    return { input, record: failedRecord({ source, sourceUrl: isUrl ? input : null }, 'unreadable', `cannot read ${input}: ${messageOf(error)}`), document: null };
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
  });
  return { input, record, document };
}

/** True when the record carries an error-level issue: the input counts as failed for the exit status. */
export function inputFailed(record: ReportRecord): boolean {
  return record.issues.some((issue) => issue.severity === 'error');
}

async function fetchBody(url: string): Promise<{ bytes: Uint8Array; contentType: string | null }> {
  const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  return { bytes: new Uint8Array(await response.arrayBuffer()), contentType: response.headers.get('content-type') };
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
