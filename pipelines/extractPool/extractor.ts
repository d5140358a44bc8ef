// The pool as the pipelines use it: a job in, a record out, always. A document over budget (or whose
// worker died) becomes a record with an error issue and a strike in the quarantine; a quarantined
// document is not extracted at all. So no single document can stop or stall a batch.
import type { ReportRecord } from '../../transforms/recordSchema.ts';
import { tellOcrSkippedOnce } from '../ocr/ocrOption.ts';
import { Quarantine } from '../quarantine.ts';
import { failedRecord, type ExtractJob } from './job.ts';
import { ExtractPool, type ExtractPoolOptions, type PoolOutcome } from './pool.ts';

export interface ExtractedRecord {
  record: ReportRecord;
  /** Set when the worker did not produce the record: what happened instead. */
  failure: Extract<PoolOutcome, { ok: false }>['failure'] | 'quarantined' | null;
  ms: number;
  peakRssMb: number;
}

export interface DocumentExtractorOptions extends ExtractPoolOptions {
  /** The data directory whose quarantine.jsonl records budget failures; none: failures are not remembered. */
  dataDir?: string;
}

const ISSUE_CODES = { timeout: 'extract_timeout', memory: 'extract_memory', crashed: 'extract_crashed', error: 'extract_failed' } as const;

export class DocumentExtractor {
  readonly pool: ExtractPool;
  readonly quarantine: Quarantine | null;

  constructor(options: DocumentExtractorOptions = {}) {
    this.pool = new ExtractPool(options);
    this.quarantine = options.dataDir ? Quarantine.open(options.dataDir) : null;
  }

  async extract(job: ExtractJob): Promise<ExtractedRecord> {
    const { sha256, source } = job.record;
    const held = this.quarantine?.quarantined(sha256);
    if (held) {
      const last = held.strikes[held.strikes.length - 1];
      const message =
        `not extracted: quarantined after ${held.strikes.length} failed attempts (last: ${last.failure}, ${last.message}); ` +
        `run \`gov-reports quarantine --retry ${sha256.slice(0, 16)}\` to try it again`;
      return { record: failedRecord(job.record, 'quarantined', message), failure: 'quarantined', ms: 0, peakRssMb: 0 };
    }
    const outcome = await this.pool.extract(job);
    if (outcome.ok) {
      tellOcrSkippedOnce(outcome.record);
      return { record: outcome.record, failure: null, ms: outcome.ms, peakRssMb: outcome.peakRssMb };
    }
    const budget = this.pool.budget;
    let message = `${outcome.message} (budget per document: ${budget.timeoutMs / 1000} s, ${budget.maxRssMb} MB)`;
    if (outcome.failure === 'error') message = `extraction failed: ${outcome.message}`;
    else if (this.quarantine) {
      const entry = this.quarantine.strike(sha256, source, outcome.failure, outcome.message);
      message += entry.quarantined
        ? `; quarantined after ${entry.strikes.length} failures: later runs skip it (\`gov-reports quarantine\`)`
        : '; it will be tried once more, then quarantined';
    }
    return { record: failedRecord(job.record, ISSUE_CODES[outcome.failure], message), failure: outcome.failure, ms: outcome.ms, peakRssMb: outcome.peakRssMb };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
