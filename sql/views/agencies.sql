-- agencies: one row per agency (agency_id), over every report loaded as an annual report. agency_id is
-- "<6-digit division code>:<canonical body>" (320813:人民政府, 310000:科学技术委员会), or "national:<name>" for a
-- central body, or "unresolved:<name as printed>" when the division could not be told (resolution says why:
-- `ambiguous` keeps the candidate codes, `unresolved` found no place). name_variants lists every name the
-- reports printed for it (淮安市洪泽区人民政府 and 洪泽区人民政府 are one agency).
CREATE OR REPLACE VIEW agencies AS
SELECT
  a.agency_id,
  a.canonical_name,
  list(DISTINCT a.name_as_printed ORDER BY a.name_as_printed) FILTER (WHERE a.name_as_printed IS NOT NULL) AS name_variants,
  a.division_code,
  a.province,
  a.prefecture,
  a.county,
  a.township,
  a.level,
  a.kind,
  a.department_type,
  a.resolution,
  a.candidate_codes,
  count(*)::BIGINT           AS report_count,
  min(r.report_year)         AS first_year,
  max(r.report_year)         AS last_year,
  a.division_dataset
FROM report_agencies a
JOIN reports r USING (report_id)
WHERE r.is_report
GROUP BY ALL;
