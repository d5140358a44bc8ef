// word/document.xml → text blocks, table grids and the pictures' relationship ids, in document order.
// It reads what the earlier path (mammoth's HTML read by the HTML extractor) read, from one light
// htmlparser2 DOM instead of xmldom and mammoth's document model: a paragraph is a line (w:br breaks it),
// a table is a grid whose w:gridSpan is a colspan and whose w:vMerge runs are rowspans (counted by grid
// column as mammoth did, then placed by the HTML table model in tableGrid.ts), and a table holding a table
// (page layout) or of one column is read as lines. Only the elements Word prints text or pictures from are
// entered: tracked deletions, field codes and property elements are not text, and of an mc:AlternateContent
// only the fallback is read (as mammoth did). Text boxes (w:pict) come after their paragraph. Unlike
// mammoth, a simple field's printed result (w:fldSimple) is read, and footnote marks ("[1]") are not
// written into the text. List numbers, footnotes and comments are not read; a symbol-font character
// (w:sym F0xx, e.g. a Wingdings tick) has no Unicode meaning and is dropped.
import { parseDocument } from 'htmlparser2';
import type { AnyNode, Element } from 'domhandler';
import type { Block, Issue } from './document.ts';
import { isElement, isTextNode, LineBuffer, walk } from './htmlBody.ts';
import { MAX_COLSPAN, placeCells, spanValue, type RawCell } from './tableGrid.ts';

export interface DocxBody {
  blocks: Block[];
  issues: Issue[];
  /** Relationship ids of the pictures (a:blip r:embed, v:imagedata r:id), in document order. */
  pictures: string[];
}

/** Elements whose content is read as it stands (runs, links, content controls, insertions, shapes, text boxes). */
const CONTAINERS = new Set([
  'w:document', 'w:body', 'w:r', 'w:t', 'w:hyperlink', 'w:sdt', 'w:sdtContent', 'w:customXml', 'w:ins', 'w:moveTo', 'w:smartTag',
  'w:fldSimple', 'w:dir', 'w:bdo', 'w:object', 'w:drawing', 'v:roundrect', 'v:shape', 'v:textbox', 'w:txbxContent', 'v:group',
  'v:rect', 'mc:AlternateContent', 'mc:Fallback',
]);
/** Everything the reader enters: what the nested-table test looks through. */
const READ = new Set([...CONTAINERS, 'w:p', 'w:tbl', 'w:tr', 'w:tc', 'w:pict']);

export function readDocxBody(xml: string): DocxBody {
  const doc = parseDocument(xml, { xmlMode: true, decodeEntities: true });
  canonicalPrefixes(doc.children.find(isElement));
  const reader = new DocxReader();
  walk(doc, reader.enter, reader.exit);
  reader.breakLine();
  return { blocks: reader.blocks, issues: reader.issues, pictures: reader.pictures };
}

interface WordCell extends RawCell {
  /** w:vMerge without "restart": the cell continues the merged cell above it. */
  continues: boolean;
}

/** A data table being read: its rows of cells, and text found outside any cell. */
interface DataTable {
  ordinal: number;
  rows: WordCell[][];
  row: WordCell[] | null;
  cell: WordCell | null;
  before: LineBuffer;
}

/** A paragraph being read: text boxes wait until its own text is done. */
interface Paragraph {
  deferred: Element[];
  deletedMark: boolean;
}

class DocxReader {
  readonly blocks: Block[] = [];
  readonly issues: Issue[] = [];
  readonly pictures: string[] = [];
  private readonly body = new LineBuffer();
  /** Open tables: a data table, or null for one read as lines. Data tables hold no tables, so at most the top one is data. */
  private readonly tables: (DataTable | null)[] = [];
  private data: DataTable | null = null;
  private readonly paragraphs: Paragraph[] = [];
  /** Text boxes of a paragraph whose mark was deleted: its content joins the next paragraph. */
  private carried: Element[] = [];
  private tableCount = 0;
  private gridCount = 0;

  private target(): LineBuffer {
    return this.data ? (this.data.cell?.buf ?? this.data.before) : this.body;
  }

  breakLine(): void {
    if (this.data) {
      this.target().lineBreak();
      return;
    }
    const line = this.body.lineBreak();
    if (line) this.blocks.push({ kind: 'text', text: line });
  }

  readonly enter = (node: AnyNode): boolean => {
    if (isTextNode(node)) {
      if ((node.parent as Element | null)?.name === 'w:t') this.target().add(node.data);
      return false;
    }
    if (!isElement(node)) return node.type === 'root';
    const el = node;
    switch (el.name) {
      case 'w:p':
        this.paragraphs.push({ deferred: this.carried, deletedMark: child(child(child(el, 'w:pPr'), 'w:rPr'), 'w:del') !== null });
        this.carried = [];
        return true;
      case 'w:tab':
        this.target().add('\t');
        return false;
      case 'w:br': {
        const type = el.attribs['w:type'];
        if (!type || type === 'textWrapping') this.breakLine();
        return false;
      }
      case 'w:cr':
        this.breakLine();
        return false;
      case 'w:noBreakHyphen':
        this.target().add('\u2011');
        return false;
      case 'w:softHyphen':
        this.target().add('\u00ad');
        return false;
      case 'w:sym':
        this.target().add(symbol(el.attribs['w:char']));
        return false;
      case 'w:pict': {
        const paragraph = this.paragraphs[this.paragraphs.length - 1];
        if (!paragraph) return true;
        paragraph.deferred.push(el);
        return false;
      }
      case 'wp:inline':
      case 'wp:anchor':
        for (const blip of pictureBlips(el)) if (blip.attribs['r:embed']) this.pictures.push(blip.attribs['r:embed']);
        return false;
      case 'v:imagedata':
        if (el.attribs['r:id']) this.pictures.push(el.attribs['r:id']);
        return false;
      case 'w:tbl':
        this.openTable(el);
        return true;
      case 'w:tr':
        if (child(child(el, 'w:trPr'), 'w:del')) return false; // a deleted row
        if (this.data) {
          this.data.row = [];
          this.data.cell = null;
          this.data.rows.push(this.data.row);
        } else this.breakLine();
        return true;
      case 'w:tc':
        if (this.data) this.openCell(this.data, el);
        else this.breakLine();
        return true;
      default:
        return CONTAINERS.has(el.name);
    }
  };

  readonly exit = (node: AnyNode): void => {
    if (!isElement(node)) return;
    switch (node.name) {
      case 'w:p': {
        const paragraph = this.paragraphs.pop() as Paragraph;
        if (paragraph.deletedMark) {
          this.carried = paragraph.deferred;
          return;
        }
        this.breakLine();
        for (const box of paragraph.deferred) for (const c of box.children) walk(c, this.enter, this.exit);
        return;
      }
      case 'w:tc':
        if (this.data) this.data.cell = null;
        else this.breakLine();
        return;
      case 'w:tr':
        if (this.data) this.data.row = this.data.cell = null;
        else this.breakLine();
        return;
      case 'w:tbl':
        this.closeTable();
        return;
    }
  };

  private openTable(el: Element): void {
    this.breakLine();
    const ordinal = this.tableCount++;
    this.data = holdsTable(el) ? null : { ordinal, rows: [], row: null, cell: null, before: new LineBuffer() };
    this.tables.push(this.data);
  }

  private openCell(table: DataTable, el: Element): void {
    if (!table.row) {
      table.row = [];
      table.rows.push(table.row);
    }
    const properties = child(el, 'w:tcPr');
    const vMerge = child(properties, 'w:vMerge');
    table.cell = {
      buf: new LineBuffer(),
      rowspan: 1,
      colspan: spanValue(child(properties, 'w:gridSpan')?.attribs['w:val'], MAX_COLSPAN, 1),
      continues: vMerge !== null && vMerge.attribs['w:val'] !== 'restart',
    };
    table.row.push(table.cell);
  }

  /** A data table of two columns or more becomes a grid; one column, or none, is read as lines. */
  private closeTable(): void {
    const table = this.tables.pop();
    this.data = null;
    if (!table) {
      this.breakLine();
      return;
    }
    const rows = mergeRows(table.rows);
    const repairs: string[] = [];
    const grid = placeCells(rows, repairs);
    table.before.lineBreak();
    for (const text of table.before.lines) this.blocks.push({ kind: 'text', text });
    if (grid.reduce((w, r) => Math.max(w, r.length), 0) > 1) {
      const source = `table#${table.ordinal}`;
      this.blocks.push({ kind: 'table', grid: { index: this.gridCount++, rows: grid, structured: true, source } });
      if (repairs.length > 0) this.issues.push({ code: 'table_repaired', severity: 'info', message: `${source}: ${repairs.join('; ')}` });
      return;
    }
    for (const cell of rows.flat()) for (const text of cell.buf.lines) this.blocks.push({ kind: 'text', text });
  }
}

/** w:vMerge runs → rowspans, as mammoth counted them: a continuing cell extends the cell that started at its grid column (gridSpans summed) and is dropped. */
function mergeRows(rows: WordCell[][]): RawCell[][] {
  const started = new Map<number, WordCell>();
  for (const row of rows) {
    let column = 0;
    for (const cell of row) {
      const above = cell.continues ? started.get(column) : undefined;
      if (above) above.rowspan++;
      else {
        cell.continues = false;
        started.set(column, cell);
      }
      column += cell.colspan;
    }
  }
  return rows.map((row) => row.filter((cell) => !cell.continues));
}

function child(el: Element | null, name: string): Element | null {
  if (!el) return null;
  for (const c of el.children) if (isElement(c) && c.name === name) return c;
  return null;
}

/** True when a table the reader would enter lies inside this one (a layout table). */
function holdsTable(table: Element): boolean {
  let found = false;
  walk(table, (n) => {
    if (found || !isElement(n)) return false;
    if (n !== table && n.name === 'w:tbl') found = true;
    return !found && READ.has(n.name);
  });
  return found;
}

/** The pictures of a DrawingML drawing (a:graphic/a:graphicData/pic:pic/pic:blipFill/a:blip); its shapes and text boxes are not read. */
function pictureBlips(drawing: Element): Element[] {
  let level = [drawing];
  for (const name of ['a:graphic', 'a:graphicData', 'pic:pic', 'pic:blipFill', 'a:blip']) {
    level = level.flatMap((el) => el.children.filter((c): c is Element => isElement(c) && c.name === name));
  }
  return level;
}

/** A w:sym character: Unicode as it stands; a symbol font's private code (F0xx) names a glyph, not a character. */
function symbol(hex: string | undefined): string {
  const code = hex ? Number.parseInt(hex, 16) : Number.NaN;
  return Number.isNaN(code) || (code >= 0xf000 && code <= 0xf0ff) || code > 0x10ffff ? '' : String.fromCodePoint(code);
}

/** The namespaces read here, by URI (transitional and strict OOXML), with the prefixes Word writes. */
const PREFIXES: Record<string, string> = {
  'http://schemas.openxmlformats.org/wordprocessingml/2006/main': 'w',
  'http://purl.oclc.org/ooxml/wordprocessingml/main': 'w',
  'http://schemas.openxmlformats.org/officeDocument/2006/relationships': 'r',
  'http://purl.oclc.org/ooxml/officeDocument/relationships': 'r',
  'http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing': 'wp',
  'http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing': 'wp',
  'http://schemas.openxmlformats.org/drawingml/2006/main': 'a',
  'http://purl.oclc.org/ooxml/drawingml/main': 'a',
  'http://schemas.openxmlformats.org/drawingml/2006/picture': 'pic',
  'http://purl.oclc.org/ooxml/drawingml/picture': 'pic',
  'urn:schemas-microsoft-com:vml': 'v',
  'http://schemas.openxmlformats.org/markup-compatibility/2006': 'mc',
};

/**
 * Names are matched by Word's usual prefixes (w:p, r:embed). A document whose root binds those
 * namespaces to other prefixes (or to the default namespace) has its names rewritten to them first.
 */
function canonicalPrefixes(root: Element | undefined): void {
  if (!root) return;
  const rename = new Map<string, string>();
  for (const [name, uri] of Object.entries(root.attribs)) {
    const canonical = PREFIXES[uri];
    if (!canonical) continue;
    const prefix = name === 'xmlns' ? '' : name.startsWith('xmlns:') ? name.slice(6) : null;
    if (prefix !== null && prefix !== canonical) rename.set(prefix, canonical);
  }
  if (rename.size === 0) return;
  const canonicalName = (name: string, isAttribute: boolean): string => {
    const colon = name.indexOf(':');
    if (colon < 0) return !isAttribute && rename.has('') ? `${rename.get('')}:${name}` : name;
    const prefix = rename.get(name.slice(0, colon));
    return prefix ? `${prefix}:${name.slice(colon + 1)}` : name;
  };
  walk(root, (n) => {
    if (!isElement(n)) return false;
    n.name = canonicalName(n.name, false);
    n.attribs = Object.fromEntries(Object.entries(n.attribs).map(([k, v]) => [k.startsWith('xmlns') ? k : canonicalName(k, true), v]));
    return true;
  });
}
