import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // test/slow/ holds the slower families (hostile input, scale, OCR, browser): `npm run test:slow`.
    include: ['test/**/*.test.ts'],
    exclude: ['test/slow/**', 'node_modules/**'],
    // Real DuckDB files, spawned CLI processes and PDF extraction on a 2-core machine: generous limits.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Native DuckDB bindings are happiest in separate processes rather than worker threads.
    pool: 'forks',
    benchmark: {
      include: ['test/bench/**/*.bench.ts'],
    },
  },
});
