-- cell_values_wide_t4: one row per (report, table-4 group): 行政复议 (admin_review), 未经复议直接起诉
-- (litigation_direct), 复议后起诉 (litigation_after_review) and the derived litigation_total, with the five
-- outcome columns side by side. NULL when the report has no such cell or prints it blank.
CREATE OR REPLACE VIEW cell_values_wide_t4 AS
SELECT
  c.report_id,
  r.agency_name,
  r.report_year,
  c.row_id AS review_group,
  max(c.value) FILTER (WHERE c.column_id = 'upheld')    AS upheld,
  max(c.value) FILTER (WHERE c.column_id = 'corrected') AS corrected,
  max(c.value) FILTER (WHERE c.column_id = 'other')     AS other,
  max(c.value) FILTER (WHERE c.column_id = 'pending')   AS pending,
  max(c.value) FILTER (WHERE c.column_id = 'total')     AS total
FROM cells c
JOIN reports r USING (report_id)
WHERE c.table_name = 't4' AND r.is_report
GROUP BY c.report_id, r.agency_name, r.report_year, c.row_id;
