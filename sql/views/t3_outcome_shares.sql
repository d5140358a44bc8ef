-- t3_outcome_shares: one row per report × outcome category (granted, partially_granted, denied, unavailable,
-- not_processed, other): the applications answered that way (all applicants) and their share of all results
-- of the year (（七）总计). share is a fraction between 0 and 1, NULL when the total is 0 or missing.
CREATE OR REPLACE VIEW t3_outcome_shares AS
WITH totals AS (
  SELECT report_id, applications AS results_total FROM t3_applications WHERE outcome = 'results_total' AND applicant_type = 'total'
)
SELECT
  o.report_id,
  o.agency_id,
  o.canonical_name,
  o.report_year,
  o.outcome_category,
  sum(o.applications)::BIGINT AS applications,
  t.results_total,
  round(sum(o.applications) / nullif(t.results_total, 0), 4) AS share
FROM t3_applications o
LEFT JOIN totals t USING (report_id)
WHERE o.outcome_group = 'result' AND o.applicant_type = 'total'
GROUP BY o.report_id, o.agency_id, o.canonical_name, o.report_year, o.outcome_category, t.results_total;
