// The sources registry (../shared/spec/README.md): a CSV (UTF-8, header row) or YAML file listing,
// per source, the agency and the list page of its annual-report column. Each row is validated on
// its own: a bad row becomes an error naming its line, and the good rows are crawled.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, parseDocument, isSeq, isMap, type Node as YamlNode } from 'yaml';
import { z } from 'zod';

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const optionalUrl = z
  .string()
  .trim()
  .optional()
  .refine((value) => !value || isHttpUrl(value), 'is not an absolute http(s) URL');

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : null));

/** One registry row as written. `url` may be empty only when `report_url` names a known report page. */
export const sourceRowSchema = z
  .object({
    agency: z.string().trim().min(1, 'is empty'),
    url: optionalUrl,
    report_url: optionalUrl,
    region_code: z
      .string()
      .trim()
      .optional()
      .refine((value) => !value || /^\d{6}$/.test(value), 'must be a 6-digit 行政区划代码')
      .transform((value) => (value ? value : null)),
    region: optionalText,
    level: optionalText,
    department: optionalText,
    // Columns of the shared starting registry (../shared/registry/sources-cn.csv), composed into `region`.
    province: optionalText,
    city: optionalText,
    county: optionalText,
  })
  .refine((row) => Boolean(row.url || row.report_url), { message: 'is empty (and no report_url is given)', path: ['url'] });

export interface Source {
  /** First 16 hex digits of sha256(url): the key of the `sources` table. */
  sourceId: string;
  agency: string;
  /** The list page of the annual-report column; null when only a report page is known. */
  url: string | null;
  /** Known report pages to fetch besides what the list yields. */
  reportUrls: string[];
  regionCode: string | null;
  region: string | null;
  level: string | null;
  department: string | null;
  /** The registry line the row starts on (1-based, header = line 1 in CSV). */
  line: number;
}

export interface RegistryError {
  file: string;
  line: number;
  message: string;
}

export interface Registry {
  file: string;
  sources: Source[];
  errors: RegistryError[];
}

/** A registry whose file itself cannot be used (unreadable, no header, no agency/url column). */
export class RegistryFileError extends Error {}

export function sourceIdOf(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

/** Read and validate a registry file (.csv, .yaml or .yml). */
export function readRegistry(file: string): Registry {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new RegistryFileError(`cannot read sources registry ${file}: ${(error as Error).message}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new RegistryFileError(`sources registry ${file} is not UTF-8: save it as UTF-8 (Excel: "CSV UTF-8")`);
  }
  const ext = extname(file).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? parseYamlRegistry(text, file) : parseCsvRegistry(text, file);
}

export function parseCsvRegistry(text: string, file = 'sources.csv'): Registry {
  const records = parseCsv(text);
  if (records.length === 0) throw new RegistryFileError(`sources registry ${file} is empty: it needs a header row (agency,url,…)`);
  const header = records[0].fields.map((h) => h.trim().toLowerCase());
  if (!header.includes('agency') || !(header.includes('url') || header.includes('report_url'))) {
    throw new RegistryFileError(`sources registry ${file}: line 1 must be a header naming the columns agency and url (found: ${header.join(',')})`);
  }
  const rows = records.slice(1).filter((r) => r.fields.some((f) => f.trim() !== ''));
  return validateRows(
    rows.map((r) => ({ line: r.line, row: Object.fromEntries(header.map((name, i) => [name, r.fields[i] ?? ''])) })),
    file,
    rows.flatMap((r) => (r.fields.length > header.length && r.fields.slice(header.length).some((f) => f.trim()) ? [{ file, line: r.line, message: `has ${r.fields.length} fields but the header has ${header.length} (a comma inside an unquoted value?)` }] : [])),
  );
}

export function parseYamlRegistry(text: string, file = 'sources.yaml'): Registry {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new RegistryFileError(`sources registry ${file}: line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  const list = isMap(root) ? root.get('sources', true) : root;
  if (!isSeq(list)) throw new RegistryFileError(`sources registry ${file} must be a list of sources, or a map with a "sources" list`);
  const lineOf = (node: unknown) => {
    const range = (node as YamlNode | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : 0;
  };
  const rows = list.items.map((item) => {
    const value = (item as YamlNode).toJSON?.() ?? item;
    const row: Record<string, unknown> =
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v === null || v === undefined ? '' : String(v)]))
        : { agency: '' };
    return { line: lineOf(item), row };
  });
  return validateRows(rows, file, []);
}

function validateRows(rows: { line: number; row: Record<string, unknown> }[], file: string, errors: RegistryError[]): Registry {
  const sources: Source[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { line, row } of rows) {
    const parsed = sourceRowSchema.safeParse(row);
    if (!parsed.success) {
      const messages = parsed.error.issues.map((issue) => {
        const column = String(issue.path[0] ?? '');
        const value = column ? String(row[column] ?? '').trim() : '';
        return `${column || 'row'} ${issue.message}${value ? ` (got "${value}")` : ''}`;
      });
      errors.push({ file, line, message: messages.join('; ') });
      continue;
    }
    const r = parsed.data;
    const url = r.url || null;
    const key = url ?? r.report_url!;
    const duplicate = firstLineOf.get(key);
    if (duplicate !== undefined) {
      errors.push({ file, line, message: `url ${key} repeats line ${duplicate}` });
      continue;
    }
    firstLineOf.set(key, line);
    sources.push({
      sourceId: sourceIdOf(key),
      agency: r.agency,
      url: url ? new URL(url).toString() : null,
      reportUrls: r.report_url ? [new URL(r.report_url).toString()] : [],
      regionCode: r.region_code,
      region: r.region ?? ([r.province, r.city, r.county].filter(Boolean).join('/') || null),
      level: r.level,
      department: r.department,
      line,
    });
  }
  errors.sort((a, b) => a.line - b.line);
  return { file, sources, errors };
}

/** Every host a source lets the crawler fetch from: its list page's and its report pages'. */
export function hostsOf(source: Source): string[] {
  return [...new Set([source.url, ...source.reportUrls].filter((u): u is string => Boolean(u)).map((u) => new URL(u).host))];
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. Records keep their first line number. */
function parseCsv(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else field += ch;
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
  return records;
}
