// What a crawl tells the person or the log collector watching it: progress bars on a terminal
// (cli-progress), JSON lines (pino) everywhere else, so a nightly job's log can be parsed; readable
// lines without bars when text is asked for off a terminal (--log-format text).
import cliProgress from 'cli-progress';
import { pino, type Logger } from 'pino';
import type { CrawlObserver } from './crawler.ts';
import type { BundleEvent, DocumentEvent } from './journal.ts';

export interface RunReporter {
  log: Logger;
  observer: CrawlObserver;
  sourcesPlanned(count: number): void;
  bundleFetched(bundle: BundleEvent): void;
  documentSettled(event: DocumentEvent): void;
  stop(): void;
}

export interface ReporterOptions {
  /** Draw bars (default: when stderr is a terminal). */
  tty?: boolean;
  /** pino level (default: warn with bars, info otherwise). */
  level?: string;
  /** Lines without bars: JSON (default) or readable text. */
  format?: 'json' | 'text';
  /** Where log lines go (default stderr). */
  destination?: NodeJS.WritableStream;
}

export function createReporter(options: ReporterOptions = {}): RunReporter {
  const tty = options.tty ?? Boolean(process.stderr.isTTY);
  if (!tty) {
    const level = options.level ?? 'info';
    const destination = options.destination ?? (options.format === 'text' ? textLines(process.stderr) : pino.destination(2));
    const log = pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
    return {
      log,
      observer: {
        onSource: (source, event) => log.info({ agency: source.agency, url: source.url, status: event.status, detail: event.detail }, 'source done'),
        onReportsFound: (source, count) => log.info({ agency: source.agency, reports: count }, 'reports found'),
      },
      sourcesPlanned: (count) => log.info({ sources: count }, 'crawl started'),
      bundleFetched: (bundle) => log.debug({ url: bundle.url, documents: bundle.documents.length }, 'report fetched'),
      documentSettled: (event) =>
        log[event.outcome === 'failed' || event.outcome === 'blocked' ? 'warn' : 'info']({ url: event.url, outcome: event.outcome, detail: event.detail ?? undefined }, 'document'),
      stop: () => log.flush(),
    };
  }

  const bars = new cliProgress.MultiBar(
    { stream: process.stderr, format: '{name} {bar} {value}/{total} {note}', hideCursor: true, clearOnComplete: false, barsize: 30 },
    cliProgress.Presets.shades_classic,
  );
  const sources = bars.create(0, 0, { name: 'sources  ', note: '' });
  const reports = bars.create(0, 0, { name: 'reports  ', note: '' });
  const documents = bars.create(0, 0, { name: 'documents', note: '' });
  let requests = 0;
  let reportTotal = 0;
  let documentTotal = 0;
  // Warnings go above the bars instead of through them.
  const log = pino({ level: options.level ?? 'warn', base: undefined, timestamp: false }, textLines({ write: (line) => bars.log(line) }));
  return {
    log,
    observer: {
      onFetch: (event) => {
        requests++;
        reports.update({ note: `${requests} requests, last ${event.status ?? event.outcome} ${event.url.slice(0, 60)}` });
      },
      onReportsFound: (_source, count) => {
        reportTotal += count;
        reports.setTotal(reportTotal);
      },
      onSource: (source, event) => {
        sources.increment(1, { note: `${source.agency}: ${event.status}` });
      },
    },
    sourcesPlanned: (count) => sources.setTotal(count),
    bundleFetched: (bundle) => {
      reports.increment(1);
      documentTotal += bundle.documents.length;
      documents.setTotal(documentTotal);
    },
    documentSettled: (event) => documents.increment(1, { note: `${event.outcome} ${event.url.slice(-50)}` }),
    stop: () => bars.stop(),
  };
}

/** A pino destination that writes each entry as "msg key=value …" (for people). */
function textLines(out: { write(line: string): unknown }): { write(line: string): void } {
  return {
    write(line: string) {
      const { level: _level, time: _time, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
      const fields = Object.entries(rest).map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('');
      out.write(`${String(msg)}${fields}\n`);
    },
  };
}
