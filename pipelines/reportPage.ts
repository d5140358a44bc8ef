// `gov-reports report --out FILE.html`: one self-contained page with what an analyst wants to see first, in
// the spirit of the US Office of Information Policy's yearly summary of agencies' FOIA reports: reports per
// year and template, applications received and the outcome mix by year, the largest agencies, year-over-year
// change, grounds for denial, review and litigation outcomes, reports whose arithmetic fails, coverage by
// province. The chart library (ECharts, from npm) and the data are inlined: nothing is fetched at view time.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dataDictionary } from './dataDictionary.ts';
import { FatalRunError } from './errors.ts';
import type { Warehouse } from './warehouse.ts';

type Row = Record<string, string | number | boolean | null>;

const T3_LABELS: Record<string, string> = dataDictionary().cell_ids.tables.t3.rows;

/** Everything the page shows, as read from the warehouse's views. */
export interface ReportPageData {
  generatedAt: string;
  totals: { reports: number; agencies: number; agenciesResolved: number; applicationsReceived: number | null; years: string };
  reportsByYear: Row[];
  applicationsByYear: Row[];
  outcomeMixByYear: Row[];
  largestAgencies: Row[];
  yearOverYear: Row[];
  denialGrounds: Row[];
  reviewLitigation: Row[];
  failedArithmetic: Row[];
  coverageByProvince: Row[];
}

async function rows(warehouse: Warehouse, sql: string): Promise<Row[]> {
  const reader = await warehouse.read(sql);
  return reader.getRowObjectsJson() as Row[];
}

export async function readReportPageData(warehouse: Warehouse, now = new Date()): Promise<ReportPageData> {
  const [totals] = await rows(
    warehouse,
    `SELECT (SELECT count(*) FROM reports WHERE is_report)::INTEGER AS reports,
            (SELECT count(*) FROM agencies)::INTEGER AS agencies,
            (SELECT count(*) FROM agencies WHERE resolution = 'resolved')::INTEGER AS agencies_resolved,
            (SELECT sum(applications_received)::BIGINT FROM report_panel) AS applications_received,
            (SELECT coalesce(min(report_year) || '–' || max(report_year), '') FROM report_panel) AS years`,
  );
  return {
    generatedAt: now.toISOString(),
    totals: {
      reports: Number(totals.reports),
      agencies: Number(totals.agencies),
      agenciesResolved: Number(totals.agencies_resolved),
      applicationsReceived: totals.applications_received === null ? null : Number(totals.applications_received),
      years: String(totals.years),
    },
    reportsByYear: await rows(
      warehouse,
      `SELECT report_year::VARCHAR AS year, template_version AS template, count(*)::INTEGER AS reports
         FROM reports WHERE is_report AND report_year IS NOT NULL GROUP BY ALL ORDER BY 1, 2`,
    ),
    applicationsByYear: await rows(
      warehouse,
      `SELECT report_year::VARCHAR AS year, sum(applications_received)::INTEGER AS received,
              sum(applications_processed)::INTEGER AS processed, sum(applications_carried_forward)::INTEGER AS carried_forward,
              count(applications_received)::INTEGER AS reporting_agencies
         FROM report_panel GROUP BY 1 ORDER BY 1`,
    ),
    outcomeMixByYear: await rows(
      warehouse,
      `SELECT s.report_year::VARCHAR AS year, s.outcome_category AS outcome, sum(s.applications)::INTEGER AS applications
         FROM t3_outcome_shares s JOIN report_panel p USING (report_id)
        GROUP BY ALL ORDER BY 1, 2`,
    ),
    largestAgencies: await rows(
      warehouse,
      `SELECT canonical_name AS agency, report_year::VARCHAR AS year, applications_received AS received,
              applications_granted AS granted, applications_denied AS denied
         FROM report_panel WHERE applications_received IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY agency_id ORDER BY report_year DESC) = 1
        ORDER BY applications_received DESC, agency LIMIT 10`,
    ),
    yearOverYear: await rows(
      warehouse,
      `SELECT canonical_name AS agency, report_year::VARCHAR AS year, applications_received_prev_year AS previous,
              applications_received AS received, applications_received_change AS change,
              applications_received_change_pct AS change_pct
         FROM report_panel WHERE applications_received_change IS NOT NULL
        ORDER BY abs(applications_received_change) DESC, agency`,
    ),
    // Each ground with the label the template prints for it (from the data dictionary).
    denialGrounds: (
      await rows(
        warehouse,
        `SELECT a.outcome AS ground, sum(a.applications)::INTEGER AS applications
           FROM t3_applications a JOIN report_panel p USING (report_id)
          WHERE a.outcome_category = 'denied' AND a.applicant_type = 'total'
          GROUP BY 1 ORDER BY 2 DESC, 1`,
      )
    ).map((row) => ({ ...row, ground: `${(T3_LABELS[String(row.ground)] ?? '').replace(/^三（三）\d\./, '')} ${row.ground}`.trim() })),
    reviewLitigation: await rows(
      warehouse,
      `SELECT t.proceeding, t.outcome, sum(t.cases)::INTEGER AS cases
         FROM t4_reviews_lawsuits t JOIN report_panel p USING (report_id)
        WHERE t.outcome <> 'total'
        GROUP BY ALL ORDER BY 1, 2`,
    ),
    failedArithmetic: await rows(
      warehouse,
      `SELECT coalesce(a.canonical_name, f.agency_name) AS agency, f.report_year::VARCHAR AS year, f.rule, f.scope, f.detail
         FROM check_failures f LEFT JOIN report_agencies a USING (report_id)
        WHERE f.severity = 'error' ORDER BY agency, year, f.seq`,
    ),
    coverageByProvince: await rows(
      warehouse,
      `SELECT coalesce(province, '(unresolved)') AS province, count(DISTINCT agency_id)::INTEGER AS agencies,
              count(*) FILTER (WHERE report_found)::INTEGER AS agency_years_found,
              count(*) FILTER (WHERE NOT report_found)::INTEGER AS agency_years_missing
         FROM coverage GROUP BY 1 ORDER BY agencies DESC, 1`,
    ),
  };
}

const require = createRequire(import.meta.url);

/** The ECharts build shipped in the npm package, inlined into the page. */
function echartsSource(): string {
  return readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function table(data: Row[], columns: [key: string, label: string][], empty: string): string {
  if (data.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const head = columns.map(([, label]) => `<th>${escapeHtml(label)}</th>`).join('');
  const body = data
    .map((row) => `<tr>${columns.map(([key]) => `<td>${escapeHtml(row[key] === null || row[key] === undefined ? '–' : String(row[key]))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** The page: HTML, the data as JSON, ECharts and the chart definitions, all in one file. */
export function buildReportPage(data: ReportPageData): string {
  const t = data.totals;
  // </script> inside the JSON would end the element early.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gov-reports: OGI annual reports summary</title>
<style>
body { font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; }
.totals { display: flex; gap: 2rem; flex-wrap: wrap; } .totals div { font-size: .9rem; color: #555; } .totals b { display: block; font-size: 1.6rem; color: #222; }
.chart { width: 100%; height: 340px; }
table { border-collapse: collapse; font-size: .85rem; width: 100%; } th, td { border-bottom: 1px solid #eee; padding: .3rem .5rem; text-align: left; } th { background: #f6f6f6; }
.empty, .note { color: #666; font-size: .9rem; }
</style>
</head>
<body>
<h1>政府信息公开工作年度报告 · summary of the warehouse</h1>
<p class="note">Generated ${escapeHtml(data.generatedAt)} by gov-reports from the warehouse's views (report_panel, t3_outcome_shares, t3_applications, t4_reviews_lawsuits, check_failures, coverage). One report per agency and year; figures are sums over the agencies that print them.</p>
<div class="totals" id="totals">
  <div><b>${t.reports}</b>annual reports</div>
  <div><b>${t.agencies}</b>agencies (${t.agenciesResolved} resolved to a division)</div>
  <div><b>${t.applicationsReceived ?? '–'}</b>applications received</div>
  <div><b>${escapeHtml(t.years || '–')}</b>report years</div>
</div>

<h2>Reports per year and template</h2>
<div class="chart" id="chart-reports-by-year"></div>

<h2>Applications received and answered, by year</h2>
<div class="chart" id="chart-applications-by-year"></div>

<h2>Outcome mix by year (applications answered)</h2>
<div class="chart" id="chart-outcome-mix"></div>

<h2>Largest agencies (applications received, latest year)</h2>
<div class="chart" id="chart-largest-agencies"></div>

<h2>Year-over-year change in applications received</h2>
${table(data.yearOverYear, [['agency', 'agency'], ['year', 'year'], ['previous', 'year before'], ['received', 'received'], ['change', 'change'], ['change_pct', 'change %']], 'No agency has reports for two consecutive years yet.')}

<h2>Grounds for denial (（三）不予公开, all years)</h2>
<div class="chart" id="chart-denial-grounds"></div>

<h2>Administrative review and litigation outcomes (all years)</h2>
<div class="chart" id="chart-review-litigation"></div>

<h2>Reports whose arithmetic fails (hard rules H1–H5)</h2>
${table(data.failedArithmetic, [['agency', 'agency'], ['year', 'year'], ['rule', 'rule'], ['scope', 'scope'], ['detail', 'detail']], 'Every report passes the template arithmetic.')}

<h2>Coverage by province</h2>
<div class="chart" id="chart-coverage"></div>
${table(data.coverageByProvince, [['province', 'province'], ['agencies', 'agencies'], ['agency_years_found', 'agency-years with a report'], ['agency_years_missing', 'agency-years missing']], 'No agencies yet.')}

<script type="application/json" id="report-data">${json}</script>
<script>${echartsSource()}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var unique = function (list) { return list.filter(function (v, i) { return list.indexOf(v) === i; }); };
  var charts = [];
  var rendered = 0;
  function chart(id, option) {
    var el = document.getElementById(id);
    var c = echarts.init(el, null, { renderer: 'svg' });
    c.on('finished', function once() { c.off('finished', once); rendered += 1; document.body.dataset.chartsRendered = String(rendered); });
    option.animation = false;
    option.tooltip = option.tooltip || { trigger: 'axis' };
    c.setOption(option);
    charts.push(c);
  }
  function stacked(rows, category, series, value) {
    var cats = unique(rows.map(function (r) { return r[category]; }));
    var names = unique(rows.map(function (r) { return r[series]; }));
    return { cats: cats, series: names.map(function (name) {
      return { name: name, type: 'bar', stack: 'all', label: { show: true }, data: cats.map(function (c) {
        var hit = rows.filter(function (r) { return r[category] === c && r[series] === name; })[0];
        return hit ? hit[value] : 0;
      }) };
    }) };
  }
  var byYear = stacked(data.reportsByYear, 'year', 'template', 'reports');
  chart('chart-reports-by-year', { legend: {}, xAxis: { type: 'category', data: byYear.cats }, yAxis: { type: 'value', minInterval: 1 }, series: byYear.series });
  var apps = data.applicationsByYear;
  chart('chart-applications-by-year', { legend: {}, xAxis: { type: 'category', data: apps.map(function (r) { return r.year; }) }, yAxis: { type: 'value' },
    series: [['received', '本年新收 received'], ['processed', '办理结果总计 answered'], ['carried_forward', '结转下年度 carried forward']].map(function (s) {
      return { name: s[1], type: 'bar', label: { show: true }, data: apps.map(function (r) { return r[s[0]]; }) };
    }) });
  var mix = stacked(data.outcomeMixByYear, 'year', 'outcome', 'applications');
  chart('chart-outcome-mix', { legend: {}, xAxis: { type: 'category', data: mix.cats }, yAxis: { type: 'value' }, series: mix.series });
  var top = data.largestAgencies.slice().reverse();
  chart('chart-largest-agencies', { grid: { left: 200 }, xAxis: { type: 'value' }, yAxis: { type: 'category', data: top.map(function (r) { return r.agency + ' ' + r.year; }) },
    series: [{ name: 'received', type: 'bar', label: { show: true, position: 'right' }, data: top.map(function (r) { return r.received; }) }] });
  var grounds = data.denialGrounds.slice().reverse();
  chart('chart-denial-grounds', { grid: { left: 330 }, xAxis: { type: 'value', minInterval: 1 }, yAxis: { type: 'category', data: grounds.map(function (r) { return r.ground; }) },
    series: [{ name: 'applications', type: 'bar', label: { show: true, position: 'right' }, data: grounds.map(function (r) { return r.applications; }) }] });
  var rl = stacked(data.reviewLitigation, 'proceeding', 'outcome', 'cases');
  chart('chart-review-litigation', { legend: {}, xAxis: { type: 'category', data: rl.cats }, yAxis: { type: 'value', minInterval: 1 }, series: rl.series });
  var cov = data.coverageByProvince;
  chart('chart-coverage', { legend: {}, grid: { left: 140 }, xAxis: { type: 'value', minInterval: 1 }, yAxis: { type: 'category', data: cov.map(function (r) { return r.province; }) },
    series: [['agency_years_found', 'found'], ['agency_years_missing', 'missing']].map(function (s) {
      return { name: s[1], type: 'bar', stack: 'all', label: { show: true }, data: cov.map(function (r) { return r[s[0]]; }) };
    }) });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
</script>
</body>
</html>
`;
}

/** Read the warehouse and write the page to `file`. */
export async function writeReportPage(warehouse: Warehouse, file: string): Promise<ReportPageData['totals']> {
  const data = await readReportPageData(warehouse);
  try {
    writeFileSync(file, buildReportPage(data));
  } catch (error) {
    throw new FatalRunError(`cannot write the report page ${file}: ${(error as Error).message}; choose a writable path`, { stage: 'export', cause: error });
  }
  return data.totals;
}
