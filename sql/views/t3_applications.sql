-- t3_applications: one row per report × table-3 row × applicant type (tidy form of table 3), for analysts who
-- group and pivot themselves. outcome_group puts each row in its part of the template: received (一、二),
-- result (三、（一）–（六）), total (（七）总计) or carried_forward (四). Derived subtotals (denied_total …,
-- legal_person_or_org) are left out so that sums over rows or columns never count a cell twice; applications
-- is NULL when the cell was printed blank or could not be read (status says which).
CREATE OR REPLACE VIEW t3_applications AS
SELECT
  c.report_id,
  a.agency_id,
  a.canonical_name,
  r.report_year,
  r.t3_layout,
  c.row_id AS outcome,
  CASE
    WHEN c.row_id IN ('new_received', 'carried_over') THEN 'received'
    WHEN c.row_id = 'results_total' THEN 'total'
    WHEN c.row_id = 'carried_forward' THEN 'carried_forward'
    ELSE 'result'
  END AS outcome_group,
  CASE
    WHEN c.row_id IN ('granted', 'partially_granted') THEN c.row_id
    WHEN c.row_id LIKE 'denied\_%' ESCAPE '\' THEN 'denied'
    WHEN c.row_id LIKE 'unavailable\_%' ESCAPE '\' THEN 'unavailable'
    WHEN c.row_id LIKE 'not\_processed\_%' ESCAPE '\' THEN 'not_processed'
    WHEN c.row_id LIKE 'other\_%' ESCAPE '\' THEN 'other'
  END AS outcome_category,
  c.column_id AS applicant_type,
  c.value::BIGINT AS applications,
  c.status
FROM cells c
JOIN reports r USING (report_id)
LEFT JOIN report_agencies a USING (report_id)
WHERE r.is_report AND c.table_name = 't3'
  AND c.row_id NOT IN ('denied_total', 'unavailable_total', 'not_processed_total')
  AND c.column_id <> 'legal_person_or_org'
  -- v2021 prints （六） as three rows and derives other_total: count it once.
  AND NOT (c.row_id = 'other_total' AND c.status = 'derived');
