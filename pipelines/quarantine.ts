// Documents that exceeded their extraction budget (time, memory) or killed their worker. The first
// time is a strike; the second time the document is quarantined: later runs skip it (its record says
// so) instead of spending the budget on it every night. `gov-reports quarantine` lists them and
// `--retry` releases them (after an extractor fix, say). Kept as an append-only JSON Lines file in the
// data directory, beside the raw archive and the crawl journal, so it survives the warehouse.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureDirectory } from './directories.ts';

/** Budget failures before a document is quarantined. */
export const STRIKES_TO_QUARANTINE = 2;

export interface Strike {
  at: string;
  failure: string;
  message: string;
}

export interface QuarantineEntry {
  sha256: string;
  source: string;
  strikes: Strike[];
  quarantined: boolean;
}

type QuarantineEvent =
  | ({ type: 'strike'; sha256: string; source: string } & Strike)
  | { type: 'retry'; sha256: string; at: string };

export class Quarantine {
  private readonly entries = new Map<string, QuarantineEntry>();

  private constructor(readonly file: string) {}

  static open(dataDir: string): Quarantine {
    const quarantine = new Quarantine(join(dataDir, 'quarantine.jsonl'));
    if (existsSync(quarantine.file)) {
      for (const line of readFileSync(quarantine.file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          quarantine.apply(JSON.parse(line) as QuarantineEvent);
        } catch {
          // A line torn by a kill mid-write: the strike it held is lost, nothing else.
        }
      }
    }
    return quarantine;
  }

  /** The entry of a quarantined document, or undefined when it may be extracted. */
  quarantined(sha256: string): QuarantineEntry | undefined {
    const entry = this.entries.get(sha256);
    return entry?.quarantined ? entry : undefined;
  }

  /** Record a budget failure; returns the entry (quarantined once it has enough strikes). */
  strike(sha256: string, source: string, failure: string, message: string): QuarantineEntry {
    this.record({ type: 'strike', sha256, source, failure, message, at: new Date().toISOString() });
    return this.entries.get(sha256)!;
  }

  /** Forget the strikes of these documents (every document when none is named); returns how many were released. */
  retry(shaPrefixes: readonly string[] = []): QuarantineEntry[] {
    const released = this.list().filter((entry) => shaPrefixes.length === 0 || shaPrefixes.some((prefix) => entry.sha256.startsWith(prefix)));
    for (const entry of released) this.record({ type: 'retry', sha256: entry.sha256, at: new Date().toISOString() });
    return released;
  }

  /** Documents with at least one strike, quarantined first. */
  list(): QuarantineEntry[] {
    return [...this.entries.values()].sort((a, b) => Number(b.quarantined) - Number(a.quarantined) || a.source.localeCompare(b.source));
  }

  private record(event: QuarantineEvent): void {
    ensureDirectory(dirname(this.file));
    appendFileSync(this.file, `${JSON.stringify(event)}\n`);
    this.apply(event);
  }

  private apply(event: QuarantineEvent): void {
    if (event.type === 'retry') {
      this.entries.delete(event.sha256);
      return;
    }
    const entry = this.entries.get(event.sha256) ?? { sha256: event.sha256, source: event.source, strikes: [], quarantined: false };
    entry.source = event.source;
    entry.strikes.push({ at: event.at, failure: event.failure, message: event.message });
    entry.quarantined = entry.strikes.length >= STRIKES_TO_QUARANTINE;
    this.entries.set(event.sha256, entry);
  }
}
