// The coordinator asks V8 for a full collection once a batch leaves much garbage behind
// (pipelines/heap.ts), and not otherwise.
import { describe, expect, it } from 'vitest';
import { collectGarbageIfGrown } from '../pipelines/heap.ts';

describe('collectGarbageIfGrown', () => {
  it('collects when the heap grew past the allowance, and gives the garbage back', () => {
    collectGarbageIfGrown(0); // a baseline: what is live now
    // Parsed records of a few hundred cells each, dropped at once: what a warehouse batch leaves behind.
    const kept: unknown[] = [];
    for (let i = 0; i < 2000; i++) kept.push(JSON.parse(JSON.stringify({ cells: Array.from({ length: 300 }, (_, j) => ({ value: j, raw: String(j) })) })));
    kept.length = 0;
    const before = process.memoryUsage().heapUsed;
    const ms = collectGarbageIfGrown(16 * 2 ** 20);
    expect(ms).not.toBeNull();
    expect(process.memoryUsage().heapUsed).toBeLessThan(before - 32 * 2 ** 20);
  });

  it('does nothing while the heap holds less garbage than allowed', () => {
    collectGarbageIfGrown(0);
    const small = Array.from({ length: 1000 }, (_, i) => ({ value: i }));
    expect(small).toHaveLength(1000);
    expect(collectGarbageIfGrown(512 * 2 ** 20)).toBeNull();
  });
});
