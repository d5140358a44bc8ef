// Resolve the agency of loaded reports (transforms/agencyIdentity.ts) and write report_agencies. Runs in
// the load transaction, and again after a crawl batch has written the fetches that tie a report to its
// registry source (the registry is evidence too).
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { resolveAgency } from '../transforms/agencyIdentity.ts';
import { DIVISION_DATASET } from '../transforms/divisions.ts';
import { appendRows } from './load.ts';

export async function resolveReportAgencies(connection: DuckDBConnection, reportIds: readonly string[]): Promise<number> {
  if (reportIds.length === 0) return 0;
  const ids = listValue([...reportIds]);
  const reader = await connection.runAndReadAll(
    `SELECT r.report_id, r.agency_name, r.title, r.contact_address, r.report_year,
            coalesce(list(DISTINCT {'agency': s.agency, 'region_code': s.region_code}) FILTER (WHERE s.source_id IS NOT NULL), []) AS registry
       FROM reports r
       LEFT JOIN fetches f ON f.document_sha256 = r.document_sha256
       LEFT JOIN sources s ON s.source_id = f.source_id
      WHERE r.report_id IN (SELECT unnest($1::VARCHAR[]))
      GROUP BY ALL`,
    [ids],
  );
  const rows = reader.getRowObjectsJS().map((row) => {
    const registry = (row.registry as { agency: string; region_code: string | null }[]).map((r) => ({ agency: r.agency, regionCode: r.region_code }));
    const agency = resolveAgency({
      name: row.agency_name as string | null,
      title: row.title as string | null,
      contactAddress: row.contact_address as string | null,
      registry,
      reportYear: row.report_year === null ? null : Number(row.report_year),
    });
    return { report_id: row.report_id, ...agency, division_dataset: DIVISION_DATASET };
  });
  await connection.run('DELETE FROM report_agencies WHERE report_id IN (SELECT unnest($1::VARCHAR[]))', [ids]);
  await appendRows(connection, 'report_agencies', rows);
  return rows.length;
}
