-- t4_reviews_lawsuits: one row per report × proceeding × outcome of table 4 (tidy form). proceeding is
-- admin_review (行政复议), litigation_direct (未经复议直接起诉) or litigation_after_review (复议后起诉); outcome is
-- upheld (维持), corrected (纠正), other (其他结果), pending (尚未审结) or total (总计). cases is NULL when the cell
-- was printed blank or unreadable. The derived litigation_total rows are left out (sum the two litigation rows).
CREATE OR REPLACE VIEW t4_reviews_lawsuits AS
SELECT
  c.report_id,
  a.agency_id,
  a.canonical_name,
  r.report_year,
  c.row_id    AS proceeding,
  c.column_id AS outcome,
  c.value::BIGINT AS cases,
  c.status
FROM cells c
JOIN reports r USING (report_id)
LEFT JOIN report_agencies a USING (report_id)
WHERE r.is_report AND c.table_name = 't4' AND c.row_id <> 'litigation_total';
