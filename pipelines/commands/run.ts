// gov-reports run: crawl → extract → load, what the nightly job calls. Resumes an interrupted run.
import type { Command } from 'commander';
import { addCrawlOptions, crawlFromCli, type CrawlCliOptions } from '../crawl/cliOptions.ts';

export function register(program: Command): void {
  addCrawlOptions(
    program
      .command('run')
      .description('crawl the registry, extract new or changed reports and load them (the nightly job; resumes an interrupted run)'),
  )
    .option('--no-ocr', 'do not read scanned pages by OCR (they are reported as scans)')
    .addHelpText(
      'after',
      '\nA second run sends conditional requests (If-None-Match / If-Modified-Since) and extracts only new or changed bodies,' +
        '\nor bodies read by an older extractor version. Exit status: 0 when the run finished (per-source errors are' +
        '\nreported, and 1 with --strict), 1 when the run could not finish, 2 on a usage error.',
    )
    .action(async (options: CrawlCliOptions, command: Command) => {
      await crawlFromCli('run', options, command);
    });
}
