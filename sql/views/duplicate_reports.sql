-- duplicate_reports: one row per agency × report year that was found more than once: several reports (different
-- bodies: a corrected version, HTML and PDF) or one body at several places (URLs, local files). report_panel keeps
-- one of them (publish_date, then load time); this view lists them all so nothing is double-counted silently.
CREATE OR REPLACE VIEW duplicate_reports AS
WITH located AS (
  SELECT a.agency_id, a.canonical_name, r.report_year, r.report_id, r.document_sha256,
         coalesce(l.location, r.source_url, r.source) AS location
  FROM reports r
  JOIN report_agencies a USING (report_id)
  LEFT JOIN document_locations l ON l.document_sha256 = r.document_sha256
  WHERE r.is_report AND r.report_year IS NOT NULL
)
SELECT
  agency_id,
  canonical_name,
  report_year,
  count(DISTINCT report_id)::BIGINT AS report_count,
  count(DISTINCT location)::BIGINT  AS location_count,
  list(DISTINCT report_id ORDER BY report_id) AS report_ids,
  list(DISTINCT location ORDER BY location)   AS locations
FROM located
GROUP BY agency_id, canonical_name, report_year
HAVING count(DISTINCT report_id) > 1 OR count(DISTINCT location) > 1;
