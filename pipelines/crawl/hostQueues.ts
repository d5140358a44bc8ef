// Politeness: one p-queue per host (default one request at a time) with a minimum quiet gap between
// requests to the same host, and one global p-queue capping requests in flight across all hosts.
//
// The gap is measured from the end of one response to the start of the next request when a host
// gets one request at a time, so the server never sees two of our requests closer than the gap
// (measured at the server, too: its clock sees request 1 before our clock sees response 1 end).
// With more than one request at a time per host, starts are spaced by the gap instead.
import PQueue from 'p-queue';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_POLITENESS, type PolitenessOptions } from './budgets.ts';

export { DEFAULT_POLITENESS, type PolitenessOptions } from './budgets.ts';

class HostState {
  readonly queue: PQueue;
  lastStart = 0;
  lastEnd = 0;
  inFlight = 0;
  /** Set by Retry-After or a backoff: no request before this time. */
  pausedUntil = 0;
  /** The gap in force (the configured one, or a larger robots.txt Crawl-delay). */
  gapMs: number;

  constructor(concurrency: number, gapMs: number) {
    this.queue = new PQueue({ concurrency });
    this.gapMs = gapMs;
  }

  nextStart(oneAtATime: boolean): number {
    const after = oneAtATime ? (this.inFlight > 0 ? Infinity : this.lastEnd) : this.lastStart;
    return Math.max(this.pausedUntil, after === 0 ? 0 : after + this.gapMs);
  }
}

export class HostScheduler {
  private readonly hosts = new Map<string, HostState>();
  private readonly global: PQueue;

  constructor(readonly options: PolitenessOptions = DEFAULT_POLITENESS) {
    this.global = new PQueue({ concurrency: Math.max(1, options.globalConcurrency) });
  }

  /**
   * Run `request` as one request to `host` when politeness allows. `priority` orders the host's
   * queue (retries and pagination go before fresh report pages).
   */
  async schedule<T>(host: string, request: () => Promise<T>, priority = 0): Promise<T> {
    const state = this.hostState(host);
    const oneAtATime = this.options.perHostConcurrency <= 1;
    return state.queue.add(
      async () => {
        for (;;) {
          const wait = state.nextStart(oneAtATime) - Date.now();
          if (wait > 0) {
            await sleep(Number.isFinite(wait) ? wait : 10);
            continue;
          }
          // Take a global slot, then re-check the host gate: the wait for the slot may have let another
          // request of this host (when several run at once) start in the meantime.
          const started = await this.global.add(async () => {
            if (state.nextStart(oneAtATime) > Date.now()) return { ran: false as const };
            state.inFlight++;
            state.lastStart = Date.now();
            try {
              return { ran: true as const, value: await request() };
            } finally {
              state.inFlight--;
              state.lastEnd = Date.now();
            }
          });
          if (started.ran) return started.value;
        }
      },
      { priority },
    );
  }

  /** Hold every request to `host` until `untilMs` (Retry-After, backoff after errors). */
  pauseHost(host: string, untilMs: number): void {
    const state = this.hostState(host);
    state.pausedUntil = Math.max(state.pausedUntil, untilMs);
  }

  /** Widen the gap of one host (robots.txt Crawl-delay); never below the configured minimum. */
  setHostGap(host: string, gapMs: number): void {
    const state = this.hostState(host);
    state.gapMs = Math.max(this.options.minGapMs, gapMs);
  }

  hostGap(host: string): number {
    return this.hostState(host).gapMs;
  }

  async onIdle(): Promise<void> {
    await Promise.all([...this.hosts.values()].map((h) => h.queue.onIdle()));
    await this.global.onIdle();
  }

  private hostState(host: string): HostState {
    let state = this.hosts.get(host);
    if (!state) {
      state = new HostState(Math.max(1, this.options.perHostConcurrency), this.options.minGapMs);
      this.hosts.set(host, state);
    }
    return state;
  }
}
