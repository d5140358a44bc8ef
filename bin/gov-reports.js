#!/usr/bin/env node
// The gov-reports executable: the compiled command line in dist/ (built by `npm run build`, which
// `npm ci`, `npm install` and `npm install -g .` run through `prepare`).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/pipelines/cli.js', import.meta.url);
if (!existsSync(compiled)) {
  console.error('gov-reports: not built yet: run `npm run build` in the gov-reports folder (or `npm run cli -- …` to run the sources)');
  process.exit(2);
}
const { runCli } = await import(compiled.href);
await runCli();
