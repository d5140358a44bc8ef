// The parts of a .docx package the reader needs, inflated one by one from the zip: the main document
// part (named by _rels/.rels, word/document.xml when it names none) and the pictures its relationships
// point to. Nothing else (styles, numbering, fonts, media not asked for) is inflated.
import { parseDocument } from 'htmlparser2';
import { isElement } from './htmlBody.ts';
import { inflateEntry, ZipError, type ZipEntry } from './zipArchive.ts';
import { MAX_ZIP_PART_BYTES, MAX_ZIP_TOTAL_BYTES } from './zipBudget.ts';

const OFFICE_DOCUMENT = /\/relationships\/officeDocument$/;

export interface DocxPackage {
  /** The text of the main document part. */
  documentXml: string;
  /** The zip path of the part a relationship of the main document points to inside the package (a picture), or null. */
  target(relationshipId: string): string | null;
  /** A picture's bytes (throws ZipError when damaged or over the budget). */
  picture(path: string): Uint8Array;
}

export function openDocx(bytes: Uint8Array, entries: ZipEntry[]): DocxPackage {
  const byName = new Map(entries.map((e) => [e.name, e]));
  // The budgets of zipBudget.ts, now enforced on the bytes actually inflated: XML parts, and pictures (stored near their own size).
  const part = (path: string, maxBytes = MAX_ZIP_PART_BYTES): Uint8Array => {
    const entry = byName.get(path);
    if (!entry) throw new ZipError(`the package has no part ${path}`);
    return inflateEntry(bytes, entry, maxBytes);
  };
  const optional = (path: string): Uint8Array | null => (byName.has(path) ? part(path) : null);
  const packageRels = optional('_rels/.rels');
  const main = (packageRels && [...relationships(packageRels, '').values()].find((r) => OFFICE_DOCUMENT.test(r.type))?.target) || 'word/document.xml';
  const slash = main.lastIndexOf('/');
  const rels = optional(`${main.slice(0, slash + 1)}_rels/${main.slice(slash + 1)}.rels`);
  const targets = rels ? relationships(rels, main.slice(0, slash + 1)) : new Map<string, Relationship>();
  return {
    documentXml: xmlText(part(main)),
    target: (id) => targets.get(id)?.target ?? null,
    picture: (path) => part(path, MAX_ZIP_TOTAL_BYTES),
  };
}

interface Relationship {
  type: string;
  /** Zip path of the target part ('' for an external target). */
  target: string;
}

/** A relationships part by Id, targets resolved against the directory of the part they belong to. */
function relationships(xml: Uint8Array, base: string): Map<string, Relationship> {
  const found = new Map<string, Relationship>();
  const doc = parseDocument(xmlText(xml), { xmlMode: true });
  const root = doc.children.find(isElement);
  for (const r of root?.children ?? []) {
    if (!isElement(r) || !/(^|:)Relationship$/.test(r.name) || !r.attribs.Id) continue;
    const external = r.attribs.TargetMode === 'External';
    found.set(r.attribs.Id, { type: r.attribs.Type ?? '', target: external ? '' : resolvePath(base, r.attribs.Target ?? '') });
  }
  return found;
}

/** A relationship target as a zip path: '/word/media/a.png' is absolute, 'media/a.png' and '../x' are relative to `base`. */
function resolvePath(base: string, target: string): string {
  const parts = target.startsWith('/') ? [] : base.split('/').filter(Boolean);
  for (const segment of target.split('/')) {
    if (segment === '..') parts.pop();
    else if (segment && segment !== '.') parts.push(segment);
  }
  return parts.join('/');
}

/** XML bytes as text: UTF-8 unless a byte-order mark says UTF-16. */
function xmlText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder().decode(bytes);
}
