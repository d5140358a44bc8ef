// The whole pipeline, offline, on the bundled samples: start the local imitation of government sites
// (pipelines/localSite/, serving data/samples as TRS and Hanweb pages, PDFs and decoys), run the nightly
// pipeline against it (crawl → extract → load), export Parquet, write the summary page, and summarise what came out.
import { runDemoCrawl, type DemoCrawlResult } from './crawl/demoSite.ts';
import type { RunReporter } from './crawl/progress.ts';
import { exportWarehouse, type ExportedRelation } from './export.ts';
import { runQuery, type QueryResult } from './query.ts';
import { writeReportPage, type ReportPageData } from './reportPage.ts';
import { withWarehouse, type OpenWarehouseOptions } from './warehouse.ts';

export interface DemoOptions {
  dbPath: string;
  dataDir: string;
  exportDir: string;
  /** The summary page (gov-reports report) the demo writes. */
  reportFile: string;
  samplesDir?: string;
  warehouse?: OpenWarehouseOptions;
  reporter?: RunReporter;
}

export interface DemoResult {
  crawl: DemoCrawlResult;
  exported: ExportedRelation[];
  report: ReportPageData['totals'];
  /** One row per report in the warehouse: where it came from, agency, year, template, headline numbers, errors. */
  headlines: QueryResult;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const crawl = await runDemoCrawl({
    dataDir: options.dataDir,
    dbPath: options.dbPath,
    warehouse: options.warehouse,
    samplesDir: options.samplesDir,
    reporter: options.reporter,
  });
  return withWarehouse(options.dbPath, { ...options.warehouse, readOnly: true }, async (warehouse) => ({
    crawl,
    exported: await exportWarehouse(warehouse, { format: 'parquet', outDir: options.exportDir }),
    report: await writeReportPage(warehouse, options.reportFile),
    headlines: await runQuery(
      warehouse,
      `SELECT regexp_replace(coalesce(r.source_url, r.source), '^https?://', '') AS source,
              h.agency_name AS agency, h.report_year AS year, h.template_version AS template,
              h.applications_received AS received, h.applications_granted AS granted, h.applications_denied AS denied,
              h.admin_reviews, h.lawsuits, h.cell_count AS cells, h.failed_checks,
              (SELECT string_agg(i.code, ', ' ORDER BY i.seq) FROM issues i
                WHERE i.report_id = h.report_id AND i.severity = 'error') AS errors
         FROM report_headlines h JOIN reports r USING (report_id)
        ORDER BY h.agency_name, h.report_year`,
    ),
  }));
}
