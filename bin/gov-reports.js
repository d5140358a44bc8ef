#!/usr/bin/env node
// The gov-reports executable: the sources are TypeScript, run through tsx's loader (a runtime dependency).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../pipelines/cli.ts');
process.exitCode = await main(process.argv);
