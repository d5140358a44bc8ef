// Tesseract's TSV output (`tesseract IMAGE - tsv`) → words with their boxes and confidences (pure).

export interface OcrWord {
  text: string;
  /** Pixels in the recognised image. */
  left: number;
  top: number;
  width: number;
  height: number;
  /** Tesseract's word confidence, 0–100. */
  confidence: number;
  /** Image index (1-based) when several images were recognised in one call. */
  page: number;
  /** block.paragraph.line: words with the same key were read as one text line. */
  line: string;
}

/** Word rows (level 5) with text; header, layout rows and empty words are skipped. */
export function parseTsv(tsv: string): OcrWord[] {
  const words: OcrWord[] = [];
  for (const row of tsv.split('\n')) {
    const f = row.split('\t');
    if (f.length < 12 || f[0] !== '5') continue;
    const text = f.slice(11).join('\t').trim();
    if (text === '') continue;
    const [page, block, par, line, , left, top, width, height] = f.slice(1, 10).map(Number);
    words.push({ text, left, top, width, height, confidence: Math.max(0, Number(f[10])), page, line: `${block}.${par}.${line}` });
  }
  return words;
}
