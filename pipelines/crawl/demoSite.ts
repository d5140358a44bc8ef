// The demo's crawl: start the local imitation of two government sites (pipelines/localSite/: a TRS portal and
// a Hanweb department site serving the bundled samples, plus a 412-guarded and a dead host), write a
// registry for them, and run crawl → extract → load against it, offline. Its raw archive and crawl journal
// are the data directory's (data/raw/, data/crawl/), like any crawl's, so `reprocess` rebuilds from them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDirectory } from '../directories.ts';
import { startGovSite } from '../localSite/server.ts';
import { runPipeline, type RunSummary } from '../run.ts';
import type { OpenWarehouseOptions } from '../warehouse.ts';
import { DEFAULT_CRAWL_SETTINGS, type CrawlSettings } from './crawler.ts';
import { createReporter, type RunReporter } from './progress.ts';

/** Fixed ports keep the demo's URLs stable, so a second demo is a real nightly rerun (304s, nothing re-extracted). */
export const DEMO_SITE_PORT = 18402;

/** Quick but still polite: the site is local, the behaviours are the real ones. */
export const DEMO_CRAWL_SETTINGS: CrawlSettings = {
  politeness: { perHostConcurrency: 1, minGapMs: 100, globalConcurrency: 4 },
  fetcher: { ...DEFAULT_CRAWL_SETTINGS.fetcher, timeoutMs: 1000, retries: 1, backoffBaseMs: 200 },
  maxListPages: 50,
};

export interface DemoCrawlOptions {
  dataDir: string;
  dbPath: string;
  warehouse?: OpenWarehouseOptions;
  samplesDir?: string;
  reporter?: RunReporter;
}

export interface DemoCrawlResult {
  summary: RunSummary;
  /** The registry the demo wrote (for the printout: what was crawled). */
  sourcesFile: string;
}

export async function runDemoCrawl(options: DemoCrawlOptions): Promise<DemoCrawlResult> {
  const site = await startGovSite({ samplesDir: options.samplesDir, port: DEMO_SITE_PORT, timeoutPageDelayMs: 2000 });
  try {
    // The demo's archive and journal are the data directory's own, so `reprocess` after `demo` finds them.
    const dataDir = options.dataDir;
    ensureDirectory(dataDir);
    const sourcesFile = join(dataDir, 'demo-sources.csv');
    writeFileSync(sourcesFile, site.registryCsv({ withBadRows: true }));
    const summary = await runPipeline({
      command: 'run',
      sourcesFile,
      dataDir,
      dbPath: options.dbPath,
      warehouse: options.warehouse,
      settings: DEMO_CRAWL_SETTINGS,
      // The demo prints its own summary: only warnings from the crawl itself.
      reporter: options.reporter ?? createReporter({ level: 'warn' }),
    });
    return { summary, sourcesFile };
  } finally {
    await site.close();
  }
}
