-- cell_values_wide_t3: one row per (report, table-3 row), the applicant columns side by side as printed
-- (自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计) plus the derived 法人或其他组织 subtotal.
-- A column is NULL when the report has no such cell (edition, truncation) or prints it blank.
CREATE OR REPLACE VIEW cell_values_wide_t3 AS
SELECT
  c.report_id,
  r.agency_name,
  r.report_year,
  r.t3_layout,
  c.row_id,
  max(c.value) FILTER (WHERE c.column_id = 'natural_person')        AS natural_person,
  max(c.value) FILTER (WHERE c.column_id = 'commercial_enterprise') AS commercial_enterprise,
  max(c.value) FILTER (WHERE c.column_id = 'research_institution')  AS research_institution,
  max(c.value) FILTER (WHERE c.column_id = 'social_welfare_org')    AS social_welfare_org,
  max(c.value) FILTER (WHERE c.column_id = 'legal_service_org')     AS legal_service_org,
  max(c.value) FILTER (WHERE c.column_id = 'other_org')             AS other_org,
  max(c.value) FILTER (WHERE c.column_id = 'legal_person_or_org')   AS legal_person_or_org,
  max(c.value) FILTER (WHERE c.column_id = 'total')                 AS total
FROM cells c
JOIN reports r USING (report_id)
WHERE c.table_name = 't3' AND r.is_report
GROUP BY c.report_id, r.agency_name, r.report_year, r.t3_layout, c.row_id;
