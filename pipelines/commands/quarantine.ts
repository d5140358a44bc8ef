// gov-reports quarantine [--retry SHA...|--retry-all]: the documents that exceeded their extraction
// budget (pipelines/quarantine.ts), and a way to give them another chance.
import type { Command } from 'commander';
import { globalOptions } from '../cliSupport.ts';

export function register(program: Command): void {
  program
    .command('quarantine')
    .description('list documents that exceeded their extraction budget (skipped after 2 failures); --retry releases them')
    .option('--retry <sha256-prefix...>', 'release these documents: the next load, run or reprocess extracts them again')
    .option('--retry-all', 'release every document')
    .addHelpText('after', '\nExit status: 0, 2 on a usage error.')
    .action(async (options: { retry?: string[]; retryAll?: boolean }, command: Command) => {
      const { Quarantine } = await import('../quarantine.ts');
      const quarantine = Quarantine.open(globalOptions(command).dataDir);
      if (options.retry || options.retryAll) {
        const released = quarantine.retry(options.retryAll ? [] : options.retry);
        for (const entry of released) console.log(`released ${entry.sha256.slice(0, 16)} ${entry.source}`);
        console.log(`${released.length} document(s) released`);
        return;
      }
      const entries = quarantine.list();
      for (const entry of entries) {
        const last = entry.strikes[entry.strikes.length - 1];
        console.log(`${entry.quarantined ? 'quarantined' : 'struck once'}\t${entry.sha256.slice(0, 16)}\t${entry.source}\t${last.failure}: ${last.message} (${last.at})`);
      }
      console.log(`${entries.filter((e) => e.quarantined).length} quarantined, ${entries.filter((e) => !e.quarantined).length} struck once (${quarantine.file})`);
    });
}
