// The whole pipeline, offline, on the bundled samples (data/samples: seeds and the hand-checked corpus):
// extract every document, load them into the warehouse, export Parquet, and summarise what came out.
import { listValue } from '@duckdb/node-api';
import { exportWarehouse, type ExportedRelation } from './export.ts';
import type { ExtractedInput } from './extractInputs.ts';
import { ingest, type IngestResult } from './ingest.ts';
import { runQuery, type QueryResult } from './query.ts';
import { listSamples, SAMPLES_DIR } from './samples.ts';
import { withWarehouse, type OpenWarehouseOptions } from './warehouse.ts';

export interface DemoOptions {
  dbPath: string;
  exportDir: string;
  samplesDir?: string;
  warehouse?: OpenWarehouseOptions;
  onExtracted?: (extracted: ExtractedInput) => void;
}

export interface DemoResult {
  ingested: IngestResult;
  exported: ExportedRelation[];
  /** One row per sample document: agency, year, template, headline numbers, error codes. */
  headlines: QueryResult;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const samplesDir = options.samplesDir ?? SAMPLES_DIR;
  const ingested = await ingest(listSamples(samplesDir), {
    dbPath: options.dbPath,
    warehouse: options.warehouse,
    sourceRoot: samplesDir,
    onExtracted: options.onExtracted,
  });
  const reportIds = ingested.inputs.filter((input) => input.document).map((input) => input.record.report_id);
  return withWarehouse(options.dbPath, { ...options.warehouse, readOnly: true }, async (warehouse) => ({
    ingested,
    exported: await exportWarehouse(warehouse, { format: 'parquet', outDir: options.exportDir }),
    headlines: await runQuery(
      warehouse,
      `SELECT h.source, h.agency_name AS agency, h.report_year AS year, h.template_version AS template,
              h.applications_received AS received, h.applications_granted AS granted, h.applications_denied AS denied,
              h.admin_reviews, h.lawsuits, h.cell_count AS cells, h.failed_checks,
              (SELECT string_agg(i.code, ', ' ORDER BY i.seq) FROM issues i
                WHERE i.report_id = h.report_id AND i.severity = 'error') AS errors
         FROM report_headlines h
        WHERE h.report_id IN (SELECT unnest($1::VARCHAR[]))
        ORDER BY h.source`,
      [listValue(reportIds)],
    ),
  }));
}
