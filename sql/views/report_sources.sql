-- report_sources: one row per (report, registry source) for reports that came through the crawler: the
-- registry's agency, region path (e.g. 黑龙江省/双鸭山市/岭东区), 6-digit region code, level and department of the
-- source whose crawl fetched the report's document. A report published on two sources' sites has two rows;
-- reports loaded from local files have none. This is where the report was found, which may be a portal hosting
-- other agencies' reports: the agency's own division is in report_agencies / agencies.
CREATE OR REPLACE VIEW report_sources AS
SELECT DISTINCT
  r.report_id,
  r.agency_name,
  r.report_year,
  s.source_id,
  s.agency      AS source_agency,
  s.region      AS region_path,
  s.region_code,
  s.level,
  s.department,
  s.url         AS source_list_url
FROM reports r
JOIN fetches f ON f.document_sha256 = r.document_sha256
JOIN sources s ON s.source_id = f.source_id
WHERE r.is_report;
