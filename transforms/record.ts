// ParsedDocument → ReportRecord: the one transform every format goes through.
import type { Issue, ParsedDocument } from '../extractors/document.ts';
import { copyCells, type CellMap } from './cells.ts';
import { TABLE_NAMES, allAbsent, tablesRead } from './completeness.ts';
import { completeCells } from './derive.ts';
import { bodyText, nearMissReason, readMetadata, readProse } from './metadata.ts';
import { reviewOcrCells } from './ocrChecks.ts';
import { snapOcrLabels } from './ocrLabels.ts';
import { reportRecordSchema, type Layout, type ReportRecord } from './recordSchema.ts';
import { rowStream } from './rowStream.ts';
import { readTable2 } from './table2.ts';
import { readTable3 } from './table3.ts';
import { readTable4 } from './table4.ts';
import { EXTRACTOR_VERSION } from './version.ts';

export interface RecordContext {
  /** A local path or the URL the document came from. */
  source: string;
  sha256: string;
  sourceUrl?: string | null;
}

function templateVersion(t2: Layout, t3: Layout): Layout {
  if (t2 === t3) return t2;
  if (t2 === 'unknown' && t3 === 'unknown') return 'unknown';
  return 'hybrid';
}

/** Cells in a stable order: t2, t3, t4, each in the order they were read. */
function ordered(cells: CellMap): CellMap {
  const ids = Object.keys(cells);
  const out: CellMap = {};
  for (const table of ['t2.', 't3.', 't4.']) {
    for (const id of ids) if (id.startsWith(table)) out[id] = cells[id];
  }
  return out;
}

export function buildRecord(read: ParsedDocument, ctx: RecordContext): ReportRecord {
  const doc = snapOcrLabels(read);
  const text = bodyText(doc);
  const items = rowStream(doc);
  const meta = readMetadata(doc, text);
  const prose = readProse(text);
  const issues: Issue[] = [...doc.issues];
  const base = {
    report_id: ctx.sha256.slice(0, 16),
    source: ctx.source,
    source_url: ctx.sourceUrl ?? null,
    sha256: ctx.sha256,
    extractor_version: EXTRACTOR_VERSION,
    prose,
  };
  type Layouts = Pick<ReportRecord['meta'], 't2_layout' | 't3_layout' | 'template_version' | 'truncated_tables' | 'tables'>;
  const unknownLayouts = (reason: string): Layouts => ({
    t2_layout: 'unknown', t3_layout: 'unknown', template_version: 'unknown', truncated_tables: [], tables: allAbsent(reason),
  });
  const metaOut = (layouts: Layouts) => ({ ...meta, ...layouts, document_format: doc.format });

  const nearMiss = nearMissReason(meta.title);
  if (nearMiss) {
    issues.push({ code: 'not_annual_report', severity: 'error', message: nearMiss });
    return reportRecordSchema.parse({ ...base, meta: metaOut(unknownLayouts('not_annual_report')), cells: {}, checks: [], issues });
  }

  const t2 = readTable2(items);
  const t3 = readTable3(items);
  const t4 = readTable4(items);
  const cells = copyCells(t2.cells, t3.cells, t4.cells);
  issues.push(...t2.issues, ...t3.issues, ...t4.issues);

  if (Object.keys(cells).length === 0) {
    if (!doc.issues.some((i) => i.severity === 'error')) {
      issues.push({
        code: 'no_report_tables',
        severity: 'error',
        message: 'no table 2, 3 or 4 of the annual-report template was found: the document is not an annual report, or its tables are images or unreadable',
      });
    }
    return reportRecordSchema.parse({ ...base, meta: metaOut(unknownLayouts(issues.find((i) => i.severity === 'error')!.code)), cells: {}, checks: [], issues });
  }

  const printed = copyCells(cells);
  completeCells(cells, prose.no_applications_statement !== null, issues);
  const reviewed = reviewOcrCells(doc, printed, cells, (c) => completeCells(c, prose.no_applications_statement !== null, []), prose);
  issues.push(...reviewed.issues);
  const readings = { t2, t3, t4 };
  const layouts = { t2: t2.layout, t3: t3.layout, t4: 'unknown' as const };
  const tables = tablesRead(cells, readings, layouts, prose, issues);
  if (tables.t3.status === 'absent' && tables.t4.status === 'absent') {
    issues.push({
      code: 'headline_tables_not_found',
      severity: 'error',
      message: 'neither table 3 nor table 4 was read: the document is cut short or not a whole report; it is not loaded as one',
    });
  }
  const truncated = TABLE_NAMES.filter((t) => readings[t].truncated);
  if (!meta.agency_name) issues.push({ code: 'agency_not_found', severity: 'warning', message: 'no agency name in the title, preamble, signature or contact text' });
  if (!meta.report_year) issues.push({ code: 'year_not_found', severity: 'warning', message: 'no report year in the title or statistics period' });
  if (meta.report_year && meta.publish_date) {
    const published = Number(meta.publish_date.slice(0, 4));
    if (published !== meta.report_year + 1) {
      issues.push({
        code: 'publish_year_mismatch',
        severity: 'warning',
        message: `report year ${meta.report_year} but published ${meta.publish_date} (${meta.publish_date_source}); reports are due in January of the next year`,
      });
    }
  }
  return reportRecordSchema.parse({
    ...base,
    meta: metaOut({
      t2_layout: t2.layout,
      t3_layout: t3.layout,
      template_version: templateVersion(t2.layout, t3.layout),
      truncated_tables: truncated,
      tables,
    }),
    cells: ordered(reviewed.cells),
    checks: reviewed.checks,
    issues,
  });
}
