// HTML of the imitation government sites, in the shapes real platforms publish
// (../shared/docs/sites.md §2): TRS WCM column and article pages, Hanweb JCMS column pages with the
// list embedded as <datastore> CDATA records, and a 瑞数-style 412 challenge page.

import { extractText } from '../../extractors/text.ts';

export const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A report's plain text (the seeds: tab, pipe, markdown and one-cell-per-line renderings) as the HTML an
 * agency pastes into its CMS: the text extractor reads the rendering, and each of its grids becomes one
 * <table> (one <td> per cell, so padding cells become real empty cells), each text line a paragraph.
 */
export function reportTextToHtml(text: string): string {
  return extractText(text)
    .blocks.map((block) =>
      block.kind === 'text'
        ? `<p>${esc(block.text)}</p>`
        : [
            '<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">',
            ...block.grid.rows.map((row) => `<tr>${row.map((cell) => `<td>${esc(cell.text).replace(/\n/g, '<br>')}</td>`).join('')}</tr>`),
            '</table>',
          ].join('\n'),
    )
    .join('\n');
}

export interface ListItem {
  href: string;
  title: string;
  date: string;
}

/** Visible list text is cut with "..." like real lists; the full title sits in title="". */
function truncated(title: string): string {
  return title.length > 22 ? `${title.slice(0, 20)}...` : title;
}

export function trsListPage(options: {
  siteName: string;
  columnName: string;
  items: ListItem[];
  page: number;
  totalPages: number;
  subColumns?: { href: string; text: string }[];
}): string {
  const items = options.items
    .map((item) => `      <li><a href="${esc(item.href)}" target="_blank" title="${esc(item.title)}">${esc(truncated(item.title))}</a><span>${item.date}</span></li>`)
    .join('\n');
  const nav = (options.subColumns ?? []).map((c) => `<a href="${esc(c.href)}">${esc(c.text)}</a>`).join(' ');
  return `<!DOCTYPE html>
<html><head><meta charset="UTF-8"><title>${esc(options.columnName)}-${esc(options.siteName)}</title>
<meta name="SiteName" content="${esc(options.siteName)}"><meta name="ColumnName" content="${esc(options.columnName)}">
<script src="../../jslm/fenye/fenye.js"></script></head>
<body><div class="header"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></div>
<div class="crumb">当前位置：首页 &gt; 政府信息公开 &gt; ${esc(options.columnName)}</div>
<div class="subnav">${nav}</div>
<div class="list"><ul>
${items}
</ul></div>
<div class="page"><ul><script type="text/javascript">
    createPageHTML(${options.totalPages}, ${options.page}, "index", "html");
</script></ul></div>
<div class="footer">主办：${esc(options.siteName)}</div></body></html>`;
}

export function trsArticle(options: {
  siteName: string;
  title: string;
  publisher: string;
  pubDateTime: string;
  indexNo: string;
  bodyHtml: string;
  charset?: string;
  extraScript?: string;
}): string {
  const day = options.pubDateTime.slice(0, 10).split('-');
  return `<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=${options.charset ?? 'utf-8'}">
<title>${esc(options.title)}</title>
<meta name="ArticleTitle" content="${esc(options.title)}">
<meta name="PubDate" content="${options.pubDateTime}">
<meta name="ContentSource" content="${esc(options.publisher)}">
<meta name="SiteName" content="${esc(options.siteName)}">
<meta name="ColumnName" content="政府信息公开年报">
</head><body>
<div class="crumb">政务公开 &gt; 政府信息公开年报 &gt; 正文</div>
<table class="xxgk-meta">
 <tr><td><b>索 引 号：</b></td><td>${esc(options.indexNo)}</td><td><b>发布机构：</b></td><td>${esc(options.publisher)}</td></tr>
 <tr><td><b>标　　题：</b></td><td colspan="3">${esc(options.title)}</td></tr>
 <tr><td><b>发布日期：</b></td><td>${day[0]}年${day[1]}月${day[2]}日</td><td><b>文　　号：</b></td><td></td></tr>
</table>
<h1>${esc(options.title)}</h1>
<div class="view TRS_UEDITOR trs_paper_default trs_web"><div class="TRS_Editor">
${options.bodyHtml}
</div>
${options.extraScript ?? ''}
</div>
<div class="footer"><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></div>
</body></html>`;
}

export interface HanwebRecord {
  href: string;
  title: string;
  date: string;
}

export function hanwebRecord(record: HanwebRecord): string {
  return `<record><![CDATA[
<li class="clearfix bt-list-new"><a title='${esc(record.title)}' target="_blank" href="${esc(record.href)}">  ${esc(truncated(record.title))}</a><span class="bt-list-time">${record.date}</span>    </li>    ]]></record>`;
}

/**
 * A Hanweb column page: the first group embedded in a pc unit and, again, in a mobile unit; the
 * search-form handler carries a decoy totalRecord before the real one.
 */
export function hanwebColumnPage(options: {
  siteName: string;
  columnId: string;
  columnName: string;
  units: string[];
  embedded: HanwebRecord[];
  totalRecord: number;
  perPage: number;
  groupSize: number;
}): string {
  const records = options.embedded.map(hanwebRecord).join('\n');
  const unit = (unitId: string) => `<div id="${unitId}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&appid=1&webid=3&path=/&columnid=${options.columnId}&unitid=${unitId}&webname=%25E7%25A4%25BA%25E4%25BE%258B&permissiontype=0"></a>]]></nextgroup>
<recordset>
<ul class="column-list bt-all bt-lists-cover"></ul>
${records}
</recordset></datastore></script></div>
<script>var param_${unitId} = {col:1,appid:'1',webid:3,path:'/',columnid:${options.columnId},sourceContentType:1,unitid:'${unitId}',webname:'${esc(options.siteName)}',permissiontype:0};
function jpage_${unitId}(){ $('#${unitId}').jpage({ totalRecord:1000, groupSize:${options.groupSize}, proxyUrl:'/module/web/jpage/dataproxy.jsp', perPage:${options.perPage}, ajaxParam:param_${unitId} }); };
$(function(){ $('#${unitId}').jpage({ dataStore:$('#${unitId}').children('script').html(), totalRecord:${options.totalRecord}, groupSize:${options.groupSize}, proxyUrl:'/module/web/jpage/dataproxy.jsp', perPage:${options.perPage}, ajaxParam:param_${unitId} }); });</script>`;
  return `<!DOCTYPE html>
<html><head><meta charset="UTF-8"><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>${esc(options.columnName)} ${esc(options.siteName)}</title>
<link rel="stylesheet" href="/module/jslib/hanweb.css"></head>
<body><div class="bt-position">您当前的位置：首页 &gt; 政府信息公开 &gt; ${esc(options.columnName)}</div>
<div class="pclist">${unit(options.units[0])}</div>
<div class="moblist">${options.units.slice(1).map(unit).join('\n')}</div>
<form action="/module/search/index.jsp"><input name="q"></form>
</body></html>`;
}

export function hanwebDataproxyAnswer(records: HanwebRecord[], totalRecord: number, perPage: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<datastore><nextgroup><![CDATA[]]></nextgroup><recordset>
${records.map(hanwebRecord).join('\n')}
</recordset><totalrecord>${totalRecord}</totalrecord><totalpage>${Math.ceil(totalRecord / perPage)}</totalpage></datastore>`;
}

export function hanwebArticle(options: { siteName: string; title: string; publisher: string; date: string; indexNo: string; bodyHtml: string }): string {
  return `<!DOCTYPE html>
<html><head><meta charset="UTF-8">
<title>${esc(options.title)}</title>
<meta name="ArticleTitle" content="${esc(options.title)}">
<meta name="PubDate" content="${options.date} 17:28">
<meta name="ContentSource" content="${esc(options.publisher)}">
<meta name="ColumnName" content="政府信息公开年报">
</head><body>
<div class="xxgk_table">索引号: ${esc(options.indexNo)} 公开方式: 主动公开 / 文号: 公开日期: ${options.date} / 发布单位: ${esc(options.publisher)} 主题分类: 政务公开</div>
<div class="title">${esc(options.title)}</div>
<div class="byline">时间:${options.date} 17:28 来源:${esc(options.publisher)} 浏览次数:</div>
<div id="zoom"><meta name="ContentStart"/>
${options.bodyHtml}
<meta name="ContentEnd"/></div>
</body></html>`;
}

/** What 瑞数 serves first: HTTP 412, an obfuscated `$_ts` script, a meta r="m" node, and a reload once the cookie is set. */
export function challengePage(): string {
  return `<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta id="9DhefwqGPrzGxEp9hPaoag" content="NfSgw7BbwXpl4kDWmRa0bWkGyNrJQX_9gsKsyBmGhY2eH7Zbj4P" r="m">
<script type="text/javascript">$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=85021;$_ts.cd="qr8crrAloqGmtG3trGAkrGqrcqqcra";if($_ts.lcd)$_ts.lcd();</script>
<script type="text/javascript" src="/4QbVtADbnLVIc/c.FxJzG50F.b4c2e0d.js" r="m"></script>
</head><body></body></html>`;
}
