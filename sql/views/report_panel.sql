-- report_panel: one row per agency and report year (agency_id × report_year), the analyst's panel. When an
-- agency has several reports for one year (a corrected version, the same report as HTML and PDF with
-- different bytes), the row is the one published last (then loaded last); reports_in_year says how many there
-- were (see duplicate_reports). Counts are applications, cases or documents (BIGINT); NULL means the report
-- does not print the cells the figure is made of, never 0. applications_received_change compares with the
-- agency's report of the year before, NULL when there is none.
CREATE OR REPLACE VIEW report_panel AS
WITH failed AS (
  SELECT report_id, count(*) FILTER (WHERE NOT passed)::BIGINT AS failed_checks
  FROM checks GROUP BY report_id
),
ranked AS (
  SELECT
    r.*,
    a.agency_id, a.canonical_name, a.division_code, a.province, a.prefecture, a.county, a.level, a.kind,
    a.department_type, a.resolution AS agency_resolution,
    count(*) OVER (PARTITION BY a.agency_id, r.report_year)::BIGINT AS reports_in_year,
    row_number() OVER (PARTITION BY a.agency_id, r.report_year
                       ORDER BY r.publish_date DESC NULLS LAST, r.extracted_at DESC, r.report_id) AS pick
  FROM reports r
  JOIN report_agencies a USING (report_id)
  WHERE r.is_report AND r.report_year IS NOT NULL
),
panel AS (
  SELECT
    k.agency_id, k.canonical_name, k.division_code, k.province, k.prefecture, k.county, k.level, k.kind,
    k.department_type, k.agency_resolution, k.report_year, k.report_id, k.template_version, k.t2_layout, k.t3_layout,
    f.* EXCLUDE (report_id),
    coalesce(x.failed_checks, 0)            AS failed_checks,
    k.reports_in_year,
    k.publish_date,
    k.source_url,
    k.source
  FROM ranked k
  LEFT JOIN report_figures f USING (report_id)
  LEFT JOIN failed x USING (report_id)
  WHERE k.pick = 1
)
SELECT
  p.* EXCLUDE (publish_date, source_url, source, failed_checks, reports_in_year),
  prev.applications_received AS applications_received_prev_year,
  p.applications_received - prev.applications_received AS applications_received_change,
  round(100.0 * (p.applications_received - prev.applications_received) / nullif(prev.applications_received, 0), 1)
                                             AS applications_received_change_pct,
  p.failed_checks,
  p.reports_in_year,
  p.publish_date,
  p.source_url,
  p.source
FROM panel p
LEFT JOIN panel prev ON prev.agency_id = p.agency_id AND prev.report_year = p.report_year - 1;
