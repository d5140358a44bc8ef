// Typed pipeline errors, in the spirit of crawlee's errors.ts: the class says what the caller should
// do, the fields say where it happened. Catch by class, not by message:
//
//   RetryableError     transient (network, a lock held by another process): try again later
//   DocumentError      this document is bad or unreadable: record it, skip it, go on with the run
//   FatalRunError      the run cannot go on (warehouse rejected a batch, bad configuration): stop
//   UsageError         the command line (or config file, or environment) asks for something impossible: exit 2
//
// Every error carries the pipeline stage and, when known, the source URL and document hash, so the
// run ledger and the CLI can say which document failed where without parsing messages.

export type PipelineStage =
  | 'crawl'
  | 'fetch'
  | 'archive'
  | 'read'
  | 'extract'
  | 'transform'
  | 'load'
  | 'warehouse'
  | 'export'
  | 'query'
  | 'cli';

export interface PipelineErrorContext {
  stage: PipelineStage;
  sourceUrl?: string;
  documentSha256?: string;
  cause?: unknown;
}

/** Base class: never thrown directly, so that every error says what to do next. */
export abstract class PipelineError extends Error {
  readonly stage: PipelineStage;
  readonly sourceUrl?: string;
  readonly documentSha256?: string;

  constructor(message: string, context: PipelineErrorContext) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.stage = context.stage;
    this.sourceUrl = context.sourceUrl;
    this.documentSha256 = context.documentSha256;
  }

  /** The command line's exit status when this ends a command (1; 2 for a usage error). */
  get exitCode(): number {
    return 1;
  }

  /** One line for logs and the CLI: "load: message (url, sha256 prefix)". */
  describe(): string {
    const where = [this.sourceUrl, this.documentSha256?.slice(0, 16)].filter(Boolean).join(', ');
    return `${this.stage}: ${this.message}${where ? ` (${where})` : ''}`;
  }
}

/** A transient failure: the same operation may succeed later (timeouts, 5xx, 429, a held lock). */
export class RetryableError extends PipelineError {}

/** This document cannot be processed: record the failure against it and continue with the others. */
export class DocumentError extends PipelineError {}

/** The run cannot continue; whatever was committed before stays, nothing after this is attempted. */
export class FatalRunError extends PipelineError {}

/**
 * What the user asked for cannot be done as asked (a file given as --db that is not a DuckDB file, an empty
 * query, a bad config file): the message says what to change. Exit status 2, like a bad option.
 */
export class UsageError extends PipelineError {
  constructor(message: string, context: Partial<PipelineErrorContext> = {}) {
    super(message, { stage: 'cli', ...context });
  }

  override get exitCode(): number {
    return 2;
  }

  override describe(): string {
    return this.stage === 'cli' ? this.message : super.describe();
  }
}

/** Another process held the warehouse file for longer than we were willing to wait. */
export class WarehouseLockedError extends RetryableError {
  constructor(
    readonly dbPath: string,
    readonly waitedMs: number,
    /** "node (PID 1234)" as DuckDB reports the holder, when it does. */
    readonly holder: string | null,
    cause?: unknown,
  ) {
    super(
      `${dbPath} is locked by another process${holder ? ` (${holder})` : ''}; gave up after ${Math.round(waitedMs / 1000)} s. ` +
        'Close the other DuckDB session (or wait for the running load) and try again.',
      { stage: 'warehouse', cause },
    );
  }
}

/**
 * The warehouse rejected a load batch. The batch's transaction was rolled back, so the tables hold
 * exactly what they held before it; `reportIds` names the records of the batch.
 */
export class LoadBatchError extends FatalRunError {
  constructor(
    message: string,
    readonly reportIds: readonly string[],
    cause?: unknown,
  ) {
    super(message, { stage: 'load', cause });
  }
}

/** An OCR subprocess (pdftoppm, tesseract) failed on one page: over its time or memory budget, or crashed. */
export class OcrPageError extends DocumentError {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'memory' | 'failed',
    cause?: unknown,
  ) {
    super(message, { stage: 'extract', cause });
  }
}
/**
 * A response body larger than the cap, counted after decompression (gzip, deflate, br) as it arrives:
 * reading stopped at the cap, and the body is neither stored nor extracted.
 */
export class BodyTooLargeError extends DocumentError {
  constructor(
    readonly limitBytes: number,
    /** The Content-Encoding it was decompressed from, when it was. */
    readonly encoding: string | null,
    sourceUrl?: string,
  ) {
    super(
      `the body exceeds the ${formatBytes(limitBytes)} cap${encoding ? ` once decompressed (${encoding}; a decompression bomb or a huge file)` : ''}; reading stopped there`,
      { stage: 'fetch', sourceUrl },
    );
  }
}

/** A request that got no complete answer within its total time budget (all attempts and redirects together). */
export class FetchDeadlineError extends DocumentError {
  constructor(
    readonly deadlineMs: number,
    readonly status: number | null,
    sourceUrl?: string,
  ) {
    super(
      `no complete answer within the ${Math.round(deadlineMs / 1000)} s budget of one request${status === null ? '' : ` (HTTP ${status}, the body was still arriving)`}`,
      { stage: 'fetch', sourceUrl },
    );
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
