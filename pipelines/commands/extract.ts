// gov-reports extract FILE-OR-URL... [--json]: records on stdout, one per input.
import type { Command } from 'commander';
import { describeRecord } from '../cliSupport.ts';

export function register(program: Command): void {
  program
    .command('extract')
    .description('extract report records from local files or URLs (no warehouse); a JSON line or a summary per input')
    .argument('<inputs...>', 'report files (HTML, text, markdown, PDF, Word) or http(s) URLs')
    .option('--json', 'print each record as one line of JSON (JSON Lines) instead of a summary')
    .addHelpText('after', '\nExit status: 0 when every input was read as a report, 1 when any failed, 2 on a usage error.')
    .action(async (inputs: string[], options: { json?: boolean }) => {
      // Loaded when the command runs, so --help and usage errors do not pay for the extractors.
      const { extractInput, inputFailed } = await import('../extractInputs.ts');
      const { DocumentExtractor } = await import('../extractPool/extractor.ts');
      // One worker: the records are printed in input order, and its budget guards every document.
      const extractor = new DocumentExtractor({ workers: 1 });
      let failed = 0;
      try {
        for (const input of inputs) {
          const { record } = await extractInput(input, extractor);
          if (inputFailed(record)) failed++;
          process.stdout.write(`${options.json ? JSON.stringify(record) : describeRecord(record)}\n`);
        }
      } finally {
        await extractor.close();
      }
      if (failed > 0) {
        if (!options.json) console.error(`${failed} of ${inputs.length} input(s) failed`);
        process.exitCode = 1;
      }
    });
}
