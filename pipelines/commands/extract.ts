// gov-reports extract FILE-OR-URL... [--json]: records on stdout, one per input.
import type { Command } from 'commander';
import { outputSettings } from '../cliOutput.ts';
import { describeRecord } from '../cliSupport.ts';

export function register(program: Command): void {
  program
    .command('extract')
    .description('extract report records from local files or URLs (no warehouse); a JSON line or a summary per input')
    .argument('<inputs...>', 'report files (HTML, text, markdown, PDF, Word) or http(s) URLs')
    .option('--json', 'print each record as one line of JSON (JSON Lines) instead of a summary')
    .option('--no-ocr', 'do not read scanned pages by OCR (they are reported as scans)')
    .action(async (inputs: string[], options: { json?: boolean; ocr: boolean }) => {
      // Loaded when the command runs, so --help and usage errors do not pay for the extractors.
      const { extractInput, inputFailed } = await import('../extractInputs.ts');
      const { DocumentExtractor } = await import('../extractPool/extractor.ts');
      // One worker: the records are printed in input order, and its budget guards every document.
      const extractor = new DocumentExtractor({ workers: 1 });
      let failed = 0;
      try {
        for (const input of inputs) {
          const { record } = await extractInput(input, extractor, { ocr: { enabled: options.ocr, cacheDir: null } });
          if (inputFailed(record)) failed++;
          process.stdout.write(`${options.json ? JSON.stringify(record) : describeRecord(record)}\n`);
        }
      } finally {
        await extractor.close();
      }
      // With --json every line of stdout is a record; the exit status says whether any failed.
      if (failed > 0 && !options.json && !outputSettings().quiet) process.stdout.write(`${failed} of ${inputs.length} input(s) failed\n`);
      if (failed > 0) process.exitCode = 1;
    });
}
