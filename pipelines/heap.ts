// The coordinator's garbage, given back while a long run goes on.
//
// A reprocess parses hundreds of records a second (each a few hundred cells) and turns them into
// rows; almost all of it is garbage a batch later. V8 collects it, but grows the heap between full
// collections in proportion to what it last found live, and keeps what it grew: over 100,000 reports
// the coordinator's RSS climbed from ~500 MB to ~900 MB while the live heap stayed 130–200 MB
// (measured with a full collection every few batches: RSS then stayed 400–610 MB, the peak of the
// whole run fell from 1,708 to 1,383 MB, and the run took the same time). So after a warehouse batch,
// once the heap holds much more than was live at the last full collection, one is asked for.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Garbage the heap may hold before a full collection is asked for. */
export const GARBAGE_ALLOWANCE_BYTES = 256 * 2 ** 20;

let collect: (() => void) | null = null;
let liveAfterLastCollection = 0;

/**
 * V8's full collection, without starting node with --expose-gc: the flag is set at run time and the
 * function taken from a fresh context (the way Jest measures heap use).
 */
function fullCollection(): () => void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  return collect;
}

/**
 * Run a full collection when the heap has grown more than GARBAGE_ALLOWANCE_BYTES past what was live
 * after the last one. Returns how long it took (ms), or null when none was needed.
 */
export function collectGarbageIfGrown(allowanceBytes = GARBAGE_ALLOWANCE_BYTES): number | null {
  if (process.memoryUsage().heapUsed - liveAfterLastCollection < allowanceBytes) return null;
  const started = performance.now();
  fullCollection()();
  liveAfterLastCollection = process.memoryUsage().heapUsed;
  return performance.now() - started;
}
