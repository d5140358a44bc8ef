-- report_headlines: one row per loaded document (reports row), with the headline numbers of tables 3 and 4
-- and how much of it failed a rule. A headline number is NULL when the report does not print the cells it is
-- made of (an absent cell is unknown, not 0). applications_denied sums the eight （三）不予公开 rows that were
-- printed; lawsuits adds 未经复议直接起诉 and 复议后起诉 and is NULL when either total is missing.
-- t3_status / t4_status say whether the table was read (found | partial | absent): a 0 is a printed 0 only
-- where its table was found. Where table 3 or 4 was not wholly read, *_stated carry the counts the prose states.
CREATE OR REPLACE VIEW report_headlines AS
WITH headline_cells AS (
  SELECT
    report_id,
    max(value) FILTER (WHERE cell_id = 't3.new_received.total')            AS applications_received,
    max(value) FILTER (WHERE cell_id = 't3.granted.total')                 AS applications_granted,
    sum(value) FILTER (WHERE table_name = 't3' AND column_id = 'total'
                         AND row_id LIKE 'denied\_%' ESCAPE '\' AND row_id <> 'denied_total')
                                                                           AS applications_denied,
    max(value) FILTER (WHERE cell_id = 't4.admin_review.total')            AS admin_reviews,
    max(value) FILTER (WHERE cell_id = 't4.litigation_direct.total')       AS lawsuits_direct,
    max(value) FILTER (WHERE cell_id = 't4.litigation_after_review.total') AS lawsuits_after_review,
    count(*)::INTEGER                                                       AS cell_count
  FROM cells
  GROUP BY report_id
),
check_counts AS (
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
  r.agency_name,
  r.report_year,
  r.template_version,
  r.t2_layout,
  r.t3_layout,
  r.is_report,
  h.applications_received,
  h.applications_granted,
  h.applications_denied,
  h.admin_reviews,
  h.lawsuits_direct + h.lawsuits_after_review AS lawsuits,
  coalesce(h.cell_count, 0)          AS cell_count,
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
LEFT JOIN headline_cells h USING (report_id)
LEFT JOIN check_counts k USING (report_id)
LEFT JOIN issue_counts i USING (report_id);
