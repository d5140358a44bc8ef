// gov-reports extract FILE-OR-URL... [--json]: records on stdout, one per input.
import type { Command } from 'commander';
import { describeRecord } from '../cliSupport.ts';

export function register(program: Command): void {
  program
    .command('extract')
    .description('extract report records from local files or URLs (no warehouse); a JSON line or a summary per input')
    .argument('<inputs...>', 'report files (HTML, text, markdown, PDF, Word) or http(s) URLs')
    .option('--json', 'print each record as one line of JSON (JSON Lines) instead of a summary')
    .option('--no-ocr', 'do not read scanned pages by OCR (they are reported as scans)')
    .addHelpText('after', '\nExit status: 0 when every input was read as a report, 1 when any failed, 2 on a usage error.')
    .action(async (inputs: string[], options: { json?: boolean; ocr: boolean }) => {
      // Loaded when the command runs, so --help and usage errors do not pay for the extractors.
      const { extractInput, inputFailed } = await import('../extractInputs.ts');
      let failed = 0;
      for (const input of inputs) {
        const { record } = await extractInput(input, { ocr: { enabled: options.ocr, cacheDir: null } });
        if (inputFailed(record)) failed++;
        process.stdout.write(`${options.json ? JSON.stringify(record) : describeRecord(record)}\n`);
      }
      if (failed > 0) {
        if (!options.json) console.error(`${failed} of ${inputs.length} input(s) failed`);
        process.exitCode = 1;
      }
    });
}
