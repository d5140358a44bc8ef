// The canonical extraction record of ../shared/spec/README.md, defined once. The TypeScript types
// come from z.infer, and sql/schema.sql mirrors them (test/schema.test.ts checks they agree).
import { z } from 'zod';
import { issueSchema } from '../extractors/document.ts';

export const cellStatusSchema = z.enum(['reported', 'blank', 'derived', 'imputed_zero', 'unparsed']);
export type CellStatus = z.infer<typeof cellStatusSchema>;

export const layoutSchema = z.enum(['v2019', 'v2021', 'hybrid', 'unknown']);
export type Layout = z.infer<typeof layoutSchema>;

/** Where a printed cell sat: table index in the document, row and column inside that grid. */
export const cellPositionSchema = z.object({
  table: z.number().int(),
  row: z.number().int(),
  col: z.number().int(),
});

export const cellValueSchema = z.object({
  value: z.number().nullable(),
  status: cellStatusSchema,
  /** The cell text as printed ('' for a blank cell; the formula for a derived one). */
  raw: z.string(),
  /** Null for derived and imputed cells that were not printed at all. */
  at: cellPositionSchema.nullable(),
});
export type CellValue = z.infer<typeof cellValueSchema>;

export const checkSchema = z.object({
  rule: z.string(),
  scope: z.string(),
  severity: z.enum(['error', 'warning']),
  passed: z.boolean(),
  detail: z.string(),
});
export type Check = z.infer<typeof checkSchema>;

export const agencyNameSourceSchema = z.enum(['title', 'book_title', 'body', 'signature', 'contact', 'page', 'crawl']);

export const contactSchema = z.object({
  address: z.string().nullable(),
  postcode: z.string().nullable(),
  phone: z.string().nullable(),
  fax: z.string().nullable(),
  email: z.string().nullable(),
  person: z.string().nullable(),
  url: z.string().nullable(),
});
export type Contact = z.infer<typeof contactSchema>;

export const tableReadStatusSchema = z.enum(['found', 'partial', 'absent']);
export type TableReadStatus = z.infer<typeof tableReadStatusSchema>;

/** What was read of one statistical table: the completeness contract every record states for tables 2, 3 and 4. */
export const tableReadSchema = z.object({
  status: tableReadStatusSchema,
  /** Cells read from printed positions (reported, blank or unparsed; not derived, imputed or prose). */
  printed_cells: z.number().int(),
  /** partial: the last template row read before the table stops or loses rows. */
  stops_after: z.string().nullable(),
  /** partial or absent: the code of the issue that says why (t4_not_found, t3_truncated, …). */
  reason: z.string().nullable(),
});
export type TableRead = z.infer<typeof tableReadSchema>;

export const metaSchema = z.object({
  title: z.string().nullable(),
  agency_name: z.string().nullable(),
  agency_name_source: agencyNameSourceSchema.nullable(),
  region_path: z.string().nullable(),
  report_year: z.number().int().nullable(),
  report_year_source: z.string().nullable(),
  t2_layout: layoutSchema,
  t3_layout: layoutSchema,
  template_version: layoutSchema,
  publish_date: z.string().nullable(),
  publish_date_source: z.string().nullable(),
  period_start: z.string().nullable(),
  period_end: z.string().nullable(),
  cited_notice: z.string().nullable(),
  contact: contactSchema,
  truncated_tables: z.array(z.string()),
  tables: z.object({ t2: tableReadSchema, t3: tableReadSchema, t4: tableReadSchema }),
  document_format: z.string(),
});
export type ReportMeta = z.infer<typeof metaSchema>;

export const proseCountSchema = z.object({
  channel: z.string(),
  count: z.number(),
  unit: z.string(),
  approx: z.boolean(),
  text: z.string(),
});

export const proseSchema = z.object({
  proactive_items_total: z.number().nullable(),
  proactive_items_by_channel: z.array(proseCountSchema),
  applications_received: z.number().nullable(),
  no_applications_statement: z.string().nullable(),
  no_review_litigation_statement: z.string().nullable(),
  /**
   * Counts the text states that tables also hold, kept apart from the cells (status prose): compared with
   * the tables by rule S-6, and the only figure there is when the table is absent or partial.
   */
  stated: z.object({
    admin_reviews: z.number().nullable(),
    lawsuits: z.number().nullable(),
    documents_issued: z.number().nullable(),
  }),
  info_processing_fee: z.object({
    status: z.enum(['none', 'collected', 'not_mentioned']),
    amount_yuan: z.number().nullable(),
    text: z.string().nullable(),
  }),
});
export type ReportProse = z.infer<typeof proseSchema>;

export const reportRecordSchema = z.object({
  /** Deterministic: the first 16 hex digits of the document's SHA-256. */
  report_id: z.string(),
  source: z.string(),
  source_url: z.string().nullable(),
  sha256: z.string(),
  extractor_version: z.string(),
  meta: metaSchema,
  cells: z.record(z.string(), cellValueSchema),
  prose: proseSchema,
  checks: z.array(checkSchema),
  issues: z.array(issueSchema),
});
export type ReportRecord = z.infer<typeof reportRecordSchema>;
