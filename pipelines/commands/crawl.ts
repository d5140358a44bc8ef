// gov-reports crawl: find and fetch annual reports from the registry's sources into the raw archive
// (data/raw/) and the crawl ledger (fetches, documents, runs); no extraction.
import type { Command } from 'commander';
import { addCrawlOptions, crawlFromCli, type CrawlCliOptions } from '../crawl/cliOptions.ts';

export function register(program: Command): void {
  addCrawlOptions(program.command('crawl').description('find and fetch annual reports (politely, incrementally) into the raw archive; no extraction')).action(
    async (options: CrawlCliOptions, command: Command) => {
      await crawlFromCli('crawl', options, command);
    },
  );
}
