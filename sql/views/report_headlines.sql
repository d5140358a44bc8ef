-- report_headlines: one row per loaded annual report (reports row with is_report; pages that are not reports are
-- left out), with the headline numbers of tables 3 and 4
-- and how much of it failed a rule. A headline number is NULL when the report does not print the cells it is
-- made of (an absent cell is unknown, not 0). applications_denied sums the eight （三）不予公开 rows that were
-- printed; lawsuits adds 未经复议直接起诉 and 复议后起诉 and is NULL when either total is missing.
-- t2_status / t3_status / t4_status say whether the table was read (found | partial | absent): a 0 is a printed 0
-- only where its table was found. Where table 3 or 4 was not wholly read, *_stated carry the counts the prose states.
CREATE OR REPLACE VIEW report_headlines AS
WITH check_counts AS (
  SELECT
    report_id,
    count(*) FILTER (WHERE NOT passed)::INTEGER                        AS failed_checks,
    count(*) FILTER (WHERE NOT passed AND severity = 'error')::INTEGER AS failed_hard_checks
  FROM checks
  GROUP BY report_id
),
issue_counts AS (
  SELECT
    report_id,
    count(*) FILTER (WHERE severity = 'error')::INTEGER   AS error_issues,
    count(*) FILTER (WHERE severity = 'warning')::INTEGER AS warning_issues
  FROM issues
  GROUP BY report_id
)
SELECT
  r.report_id,
  a.agency_id,
  r.agency_name,
  r.report_year,
  r.template_version,
  r.t2_layout,
  r.t3_layout,
  h.applications_received,
  h.applications_granted,
  h.applications_denied,
  h.admin_reviews,
  h.lawsuits,
  (SELECT count(*) FROM cells c WHERE c.report_id = r.report_id)::INTEGER AS cell_count,
  r.t2_status,
  r.t3_status,
  r.t4_status,
  CASE WHEN r.t3_status <> 'found' THEN r.applications_received END AS applications_received_stated,
  CASE WHEN r.t4_status <> 'found' THEN r.stated_admin_reviews END AS admin_reviews_stated,
  CASE WHEN r.t4_status <> 'found' THEN r.stated_lawsuits END      AS lawsuits_stated,
  coalesce(k.failed_checks, 0)       AS failed_checks,
  coalesce(k.failed_hard_checks, 0)  AS failed_hard_checks,
  coalesce(i.error_issues, 0)        AS error_issues,
  coalesce(i.warning_issues, 0)      AS warning_issues,
  r.source,
  r.source_url,
  r.document_sha256
FROM reports r
LEFT JOIN report_figures h USING (report_id)
LEFT JOIN check_counts k USING (report_id)
LEFT JOIN issue_counts i USING (report_id)
LEFT JOIN report_agencies a USING (report_id)
WHERE r.is_report;
