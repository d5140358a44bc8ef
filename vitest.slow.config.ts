import { defineConfig } from 'vitest/config';

// The slower test families (hostile input, scale, OCR, a real browser), run by `npm run test:slow` and by CI.
export default defineConfig({
  test: {
    include: ['test/slow/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
