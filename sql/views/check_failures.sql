-- check_failures: one row per arithmetic rule (H1–H5, S-5, S-6) that a report failed, with the report's
-- agency and year beside it. The values themselves are never changed by a failed rule: see cells.
CREATE OR REPLACE VIEW check_failures AS
SELECT
  r.report_id,
  r.agency_name,
  r.report_year,
  r.template_version,
  k.seq,
  k.rule,
  k.scope,
  k.severity,
  k.detail,
  r.source,
  r.source_url
FROM checks k
JOIN reports r USING (report_id)
WHERE NOT k.passed AND r.is_report;
