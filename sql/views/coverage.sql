-- coverage: one row per agency × year between the first and the last report year in the warehouse: whether
-- a report of that agency for that year was loaded (report_found) and how many. Gaps show where a report is
-- missing from the crawl (or was never published).
CREATE OR REPLACE VIEW coverage AS
WITH years AS (
  SELECT unnest(range(min(report_year), max(report_year) + 1)) AS report_year
  FROM reports WHERE is_report AND report_year IS NOT NULL
),
found AS (
  SELECT a.agency_id, r.report_year, count(*)::BIGINT AS reports
  FROM reports r JOIN report_agencies a USING (report_id)
  WHERE r.is_report AND r.report_year IS NOT NULL
  GROUP BY ALL
)
SELECT
  g.agency_id,
  g.canonical_name,
  g.province,
  g.prefecture,
  g.level,
  y.report_year::INTEGER AS report_year,
  f.reports IS NOT NULL AS report_found,
  coalesce(f.reports, 0) AS reports
FROM agencies g
CROSS JOIN years y
LEFT JOIN found f ON f.agency_id = g.agency_id AND f.report_year = y.report_year;
