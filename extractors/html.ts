// HTML page → ParsedDocument. Pure: the caller decodes the bytes (decode.ts) and passes the page URL
// only so that attachment links can be made absolute.
import { parseDocument } from 'htmlparser2';
import type { AnyNode, Element } from 'domhandler';
import type { Issue, ParsedDocument } from './document.ts';
import { indexPage, isElement, locateBody, readBody, statsOf, type PageIndex } from './htmlBody.ts';
import { findAttachments, resolveLinks, findCatalog, findPublishDate, findTitle, readCatalog, readMetaTags } from './htmlMetadata.ts';

/** How far above the body container attachment links are looked for (TRS puts 附件 lists beside the body). */
const ARTICLE_AREA_LEVELS = 2;

export function extractHtml(html: string, opts: { url?: string } = {}): ParsedDocument {
  const doc = parseDocument(html, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, withStartIndices: true });
  const index = indexPage(doc);
  const issues: Issue[] = [];

  const body = locateBody(index);
  if (body.guessed) {
    issues.push({ code: 'body_container_guessed', severity: 'info', message: `no known content container; body taken from ${body.how}` });
  }
  const catalogBlock = findCatalog(index, body.container);
  const catalog = catalogBlock ? readCatalog(catalogBlock) : {};
  const content = readBody(body.roots, index, new Set(catalogBlock ? [catalogBlock] : []));
  issues.push(...content.issues);

  const tables = content.blocks.filter((b) => b.kind === 'table').length;
  if (content.blocks.length === 0) {
    issues.push({ code: 'empty_body', severity: 'warning', message: `no text or tables found in the body (${body.how})` });
  } else if (tables === 0 && content.images > 0) {
    issues.push({ code: 'body_images', severity: 'info', message: `the body has ${content.images} image(s) and no tables: the report may be scanned` });
  }

  const metaTags = readMetaTags(index);
  const title = findTitle(index, metaTags, body.roots, catalog);
  const published = findPublishDate(index, catalog, metaTags, { roots: body.roots, catalogBlock, blocks: content.blocks });
  const areas: AnyNode[] = [articleArea(index, body.container)];
  if (catalogBlock) areas.push(catalogBlock);

  return {
    format: 'html',
    title: title?.title ?? null,
    blocks: content.blocks,
    page: {
      metaTags,
      catalog,
      publishDate: published?.date ?? null,
      publishDateSource: published?.source ?? null,
      attachments: findAttachments(index, areas, opts.url),
      ...(content.imageSources.length ? { images: resolveLinks(index, content.imageSources, opts.url) } : {}),
    },
    issues,
  };
}

/** The body container and a little around it, stopping before the page-wide wrappers. */
function articleArea(index: PageIndex, container: AnyNode): AnyNode {
  let area = container;
  const limit = Math.max(2 * (isElement(container) ? statsOf(index, container).text : 0), 1000);
  for (let level = 0; level < ARTICLE_AREA_LEVELS; level++) {
    const parent: AnyNode | null = area.parent;
    if (!parent || !isElement(parent) || /^(body|html)$/.test(parent.name) || statsOf(index, parent as Element).text > limit) break;
    area = parent;
  }
  return area;
}
