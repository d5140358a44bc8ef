-- report_figures: one row per report (annual reports only), its headline figures as named columns: the cells of
-- tables 2–4 an analyst asks for first. Counts (BIGINT); NULL when the report does not print the cells a figure is
-- made of (unknown, not 0). applications_denied sums the eight （三）不予公开 rows printed, applications_unavailable
-- the three （四）无法提供 rows; lawsuits adds 未经复议直接起诉 and 复议后起诉 (NULL when either is missing).
CREATE OR REPLACE VIEW report_figures AS
WITH figures AS (
  SELECT
    report_id,
    max(value) FILTER (WHERE cell_id = 't2.regulations.issued')               AS regulations_issued,
    max(value) FILTER (WHERE cell_id = 't2.normative_docs.issued')            AS normative_docs_issued,
    max(value) FILTER (WHERE cell_id = 't2.normative_docs.in_force')          AS normative_docs_in_force,
    max(value) FILTER (WHERE cell_id = 't2.licensing.decisions')              AS licensing_decisions,
    max(value) FILTER (WHERE cell_id = 't2.penalty.decisions')                AS penalty_decisions,
    max(value) FILTER (WHERE cell_id = 't3.new_received.total')               AS applications_received,
    max(value) FILTER (WHERE cell_id = 't3.carried_over.total')               AS applications_carried_over,
    max(value) FILTER (WHERE cell_id = 't3.new_received.natural_person')      AS applications_from_natural_persons,
    max(value) FILTER (WHERE cell_id = 't3.granted.total')                    AS applications_granted,
    max(value) FILTER (WHERE cell_id = 't3.partially_granted.total')          AS applications_partially_granted,
    sum(value) FILTER (WHERE table_name = 't3' AND column_id = 'total'
                         AND row_id LIKE 'denied\_%' ESCAPE '\' AND row_id <> 'denied_total') AS applications_denied,
    sum(value) FILTER (WHERE table_name = 't3' AND column_id = 'total'
                         AND row_id LIKE 'unavailable\_%' ESCAPE '\' AND row_id <> 'unavailable_total') AS applications_unavailable,
    max(value) FILTER (WHERE cell_id = 't3.results_total.total')              AS applications_processed,
    max(value) FILTER (WHERE cell_id = 't3.carried_forward.total')            AS applications_carried_forward,
    max(value) FILTER (WHERE cell_id = 't4.admin_review.total')               AS admin_reviews,
    max(value) FILTER (WHERE cell_id = 't4.admin_review.corrected')           AS admin_reviews_corrected,
    max(value) FILTER (WHERE cell_id = 't4.litigation_direct.total')          AS lawsuits_direct,
    max(value) FILTER (WHERE cell_id = 't4.litigation_after_review.total')    AS lawsuits_after_review,
    max(value) FILTER (WHERE cell_id = 't4.litigation_total.corrected')       AS lawsuits_corrected
  FROM cells
  GROUP BY report_id
)
SELECT
  f.report_id,
  f.regulations_issued::BIGINT AS regulations_issued,
  f.normative_docs_issued::BIGINT AS normative_docs_issued,
  f.normative_docs_in_force::BIGINT AS normative_docs_in_force,
  f.licensing_decisions::BIGINT AS licensing_decisions,
  f.penalty_decisions::BIGINT AS penalty_decisions,
  f.applications_received::BIGINT AS applications_received,
  f.applications_carried_over::BIGINT AS applications_carried_over,
  f.applications_from_natural_persons::BIGINT AS applications_from_natural_persons,
  f.applications_granted::BIGINT AS applications_granted,
  f.applications_partially_granted::BIGINT AS applications_partially_granted,
  f.applications_denied::BIGINT AS applications_denied,
  f.applications_unavailable::BIGINT AS applications_unavailable,
  f.applications_processed::BIGINT AS applications_processed,
  f.applications_carried_forward::BIGINT AS applications_carried_forward,
  f.admin_reviews::BIGINT AS admin_reviews,
  f.admin_reviews_corrected::BIGINT AS admin_reviews_corrected,
  f.lawsuits_direct::BIGINT AS lawsuits_direct,
  f.lawsuits_after_review::BIGINT AS lawsuits_after_review,
  (f.lawsuits_direct + f.lawsuits_after_review)::BIGINT AS lawsuits,
  f.lawsuits_corrected::BIGINT AS lawsuits_corrected
FROM figures f
JOIN reports r USING (report_id)
WHERE r.is_report;
