// Is the text layer of a PDF worth reading? A scan has no text (or only a few stray characters);
// a font without a usable Unicode map gives private-use characters, replacement characters,
// Latin-1 mojibake, or real but wrong Chinese characters. Any of these must be reported as an
// error, never read as a table of zeros.
import type { Issue } from './document.ts';
import type { PdfPage } from './pdfPages.ts';

/** Fewer visible characters than this on a page means it carries no text layer to speak of. */
const MIN_PAGE_CHARS = 20;

/**
 * The most frequent characters of Chinese prose and of these reports. In real text they make up a
 * third or more of the Chinese characters; text decoded through the wrong map spreads evenly over
 * the whole CJK range and hits them a few times in a hundred.
 */
const COMMON = new Set(
  '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家力里如化高自二理起小现实加量都两体制机当使点从业本去把性好应开合还因由其些然前外天政四日那社义事平形相全表间样与关各重新内数正心反明看原又利比或但质第向道条只没结解问意建月公无系很情者最立代已通并提直题程展五果料员位入常文总次品式活设及管特件长求基资边级少图知较将组见计别角期根论运农指几区强放决被做必先回则任取据处府研信息申请报告办单务网站情况开展'
    .split(''),
);

const isCjk = (cp: number) => (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf);
const isPrivateUse = (cp: number) => (cp >= 0xe000 && cp <= 0xf8ff) || cp >= 0xf0000;
/** Latin-1 supplement and Latin Extended letters: GBK bytes read as single-byte text. */
const isMojibake = (cp: number) => cp >= 0x80 && cp <= 0x24f;

export interface TextQuality {
  pages: number;
  chars: number;
  /** Pages without a text layer that are covered by images: scans. */
  scannedPages: number[];
  /** Pages with no text and no image (blank, or text drawn as outlines). */
  emptyPages: number[];
  badShare: number;
  commonShare: number;
  cjk: number;
}

export function measureTextQuality(pages: PdfPage[]): TextQuality {
  let chars = 0;
  let bad = 0;
  let cjk = 0;
  let common = 0;
  const scannedPages: number[] = [];
  const emptyPages: number[] = [];
  for (const page of pages) {
    let pageChars = 0;
    for (const run of page.runs) {
      for (const ch of run.text) {
        const cp = ch.codePointAt(0)!;
        if (/\s/.test(ch)) continue;
        pageChars++;
        if (isPrivateUse(cp) || cp === 0xfffd || cp < 0x20 || isMojibake(cp)) bad++;
        if (isCjk(cp)) {
          cjk++;
          if (COMMON.has(ch)) common++;
        }
      }
    }
    chars += pageChars;
    if (pageChars < MIN_PAGE_CHARS) (page.imageCoverage > 0.25 ? scannedPages : emptyPages).push(page.number);
  }
  return { pages: pages.length, chars, scannedPages, emptyPages, badShare: chars ? bad / chars : 0, commonShare: cjk ? common / cjk : 0, cjk, };
}

/** Issues for the text layer; error-level ones mean the text must not be used. */
export function textQualityIssues(q: TextQuality): Issue[] {
  const textless = q.scannedPages.length + q.emptyPages.length;
  if (q.pages === 0) return [{ code: 'corrupt_pdf', severity: 'error', message: 'the PDF has no pages' }];
  if (textless === q.pages) {
    return q.scannedPages.length > 0
      ? [{ code: 'scanned_pdf', severity: 'error', message: `no text layer: ${q.scannedPages.length} of ${q.pages} pages are images only (a scan); OCR is needed` }]
      : [{ code: 'no_text_layer', severity: 'error', message: `no text on any of ${q.pages} pages (blank pages or text drawn as outlines)` }];
  }
  const issues: Issue[] = [];
  if (q.badShare > 0.1) {
    issues.push({
      code: 'garbled_text',
      severity: 'error',
      message: `${Math.round(q.badShare * 100)}% of the text is private-use, replacement or mojibake characters: a font without a usable Unicode map`,
    });
  } else if (q.cjk >= 50 && q.commonShare < 0.1) {
    issues.push({
      code: 'garbled_text',
      severity: 'error',
      message: `the Chinese text does not read as Chinese (${Math.round(q.commonShare * 100)}% common characters, expected over 25%): wrong character map`,
    });
  } else if (q.cjk < 20 && q.chars >= 200) {
    issues.push({ code: 'garbled_text', severity: 'error', message: `${q.chars} characters of text but almost no Chinese: a font without a usable Unicode map` });
  }
  if (q.scannedPages.length > 0) {
    issues.push({
      code: 'scanned_pages',
      severity: 'warning',
      message: `pages ${q.scannedPages.join(', ')} are images without text; their content is missing`,
    });
  }
  return issues;
}
