-- cross_year_checks: one row per item of a soft rule that compares two reports of the same agency in
-- consecutive years (spec/templates.md §6.3):
--   S-1  t3.carried_over.<column>[Y] = t3.carried_forward.<column>[Y-1], for every table-3 column both print;
--   S-2  t2.<x>.in_force[Y] = t2.<x>.in_force[Y-1] + t2.<x>.issued[Y] - t2.<x>.repealed[Y],
--        x in (regulations, normative_docs), only when both years use the v2021 table 2.
-- "Same agency": the same agency_id (agencies: 淮安市洪泽区人民政府 and 洪泽区人民政府 are one agency).
-- passed is NULL when a value is blank. These are warnings: agencies merge, get renamed or restate last year's numbers.
CREATE OR REPLACE VIEW cross_year_checks AS
WITH report_pairs AS (
  SELECT
    ca.agency_id,
    cur.report_id,
    prev.report_id   AS prev_report_id,
    cur.agency_name,
    prev.agency_name AS prev_agency_name,
    cur.report_year,
    cur.t2_layout,
    prev.t2_layout   AS prev_t2_layout
  FROM reports cur
  JOIN report_agencies ca ON ca.report_id = cur.report_id
  JOIN report_agencies pa ON pa.agency_id = ca.agency_id
  JOIN reports prev ON prev.report_id = pa.report_id AND prev.report_year = cur.report_year - 1
  WHERE cur.is_report AND prev.is_report
),
carry_over AS (
  SELECT
    'S-1'            AS rule,
    p.agency_id,
    p.agency_name,
    p.prev_agency_name,
    p.report_year,
    p.report_id,
    p.prev_report_id,
    cur.column_id    AS item,
    prev.value       AS expected,
    cur.value        AS actual
  FROM report_pairs p
  JOIN cells cur
    ON cur.report_id = p.report_id AND cur.table_name = 't3' AND cur.row_id = 'carried_over'
  JOIN cells prev
    ON prev.report_id = p.prev_report_id AND prev.table_name = 't3' AND prev.row_id = 'carried_forward'
   AND prev.column_id = cur.column_id
),
stock_flow AS (
  SELECT
    'S-2'            AS rule,
    p.agency_id,
    p.agency_name,
    p.prev_agency_name,
    p.report_year,
    p.report_id,
    p.prev_report_id,
    stock.row_id     AS item,
    prev_stock.value + issued.value - repealed.value AS expected,
    stock.value      AS actual
  FROM report_pairs p
  JOIN cells stock
    ON stock.report_id = p.report_id AND stock.table_name = 't2' AND stock.column_id = 'in_force'
   AND stock.row_id IN ('regulations', 'normative_docs')
  JOIN cells issued
    ON issued.report_id = p.report_id AND issued.cell_id = 't2.' || stock.row_id || '.issued'
  JOIN cells repealed
    ON repealed.report_id = p.report_id AND repealed.cell_id = 't2.' || stock.row_id || '.repealed'
  JOIN cells prev_stock
    ON prev_stock.report_id = p.prev_report_id AND prev_stock.cell_id = stock.cell_id
  WHERE p.t2_layout = 'v2021' AND p.prev_t2_layout = 'v2021'
)
SELECT
  rule,
  agency_id,
  agency_name,
  prev_agency_name,
  report_year,
  report_id,
  prev_report_id,
  item,
  expected,
  actual,
  actual - expected AS difference,
  actual = expected AS passed
FROM (SELECT * FROM carry_over UNION ALL SELECT * FROM stock_flow);
