// OCR misreads a character or two of a printed label (予 → 子, 禁 → 蔡, a duplicated word), and the label
// mapping (labels.ts) needs its key phrases intact. For a document read by OCR, each label cell and short
// heading is snapped to the template's own printed text (spec/templates.md §3–§5) when it is clearly that
// text, misread: most of the template text's characters appear in it in order. The snapped text then goes
// through labels.ts like any other label; values are never touched here.
import type { Block, ParsedDocument } from '../extractors/document.ts';
import { normalizeLabel } from './normalize.ts';

/** The labels, headers and headings the two template editions print, verbatim. */
const TEMPLATE_TEXT = [
  '二、主动公开政府信息情况', '三、收到和处理政府信息公开申请情况', '四、政府信息公开行政复议、行政诉讼情况',
  '信息内容', '本年制发件数', '本年废止件数', '现行有效件数', '本年处理决定数量', '本年收费金额(单位:万元)',
  '本年新制作数量', '本年新公开数量', '对外公开总数量', '上一年项目数量', '本年增/减', '处理决定数量', '采购项目数量', '采购总金额',
  '规章', '行政规范性文件', '规范性文件', '行政许可', '其他对外管理服务事项', '行政处罚', '行政强制', '行政事业性收费', '政府集中采购',
  '(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)', '申请人情况', '自然人', '法人或其他组织', '商业企业', '科研机构',
  '社会公益组织', '法律服务机构', '其他', '总计',
  '一、本年新收政府信息公开申请数量', '二、上年结转政府信息公开申请数量', '三、本年度办理结果', '(一)予以公开',
  '(二)部分公开(区分处理的,只计这一情形,不计其他情形)', '(三)不予公开', '1.属于国家秘密', '2.其他法律行政法规禁止公开',
  '3.危及"三安全一稳定"', '4.保护第三方合法权益', '5.属于三类内部事务信息', '6.属于四类过程性信息', '7.属于行政执法案卷',
  '8.属于行政查询事项', '(四)无法提供', '1.本机关不掌握相关政府信息', '2.没有现成信息需要另行制作', '3.补正后申请内容仍不明确',
  '(五)不予处理', '1.信访举报投诉类申请', '2.重复申请', '3.要求提供公开出版物', '4.无正当理由大量反复申请',
  '5.要求行政机关确认或重新出具已获取信息', '(六)其他处理', '1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请',
  '2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请', '3.其他', '(七)总计', '四、结转下年度继续办理',
  '行政复议', '行政诉讼', '结果维持', '结果纠正', '其他结果', '尚未审结', '未经复议直接起诉', '复议后起诉',
].map((text) => ({ text, key: normalizeLabel(text) }));

/** Share of the template text's characters that the OCR text holds in the same order. */
function lcs(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = new Array<number>(y.length + 1).fill(0);
  for (const cx of x) {
    const cur = [0];
    for (let j = 0; j < y.length; j++) cur.push(cx === y[j] ? prev[j] + 1 : Math.max(prev[j + 1], cur[j]));
    prev = cur;
  }
  return prev[y.length];
}

const cjk = (s: string) => s.match(/[\u3400-\u9fff]/g)?.length ?? 0;

/** The template text an OCR'd label stands for, or null when none is clearly meant. */
export function snapLabel(text: string): string | null {
  const key = normalizeLabel(text);
  if (cjk(key) < 2) return null;
  let best: { text: string; common: number; spread: number } | null = null;
  for (const t of TEMPLATE_TEXT) {
    if (t.key === key) return null;
    const length = [...t.key].length;
    const own = [...key].length;
    if (own > 2.2 * length || own < 0.6 * length) continue;
    const common = lcs(key, t.key);
    // Most of the template text, and at least two characters of it, read in order.
    if (common < Math.max(2, Math.ceil(0.7 * length))) continue;
    const spread = Math.abs(own - length);
    if (!best || common > best.common || (common === best.common && spread < best.spread)) best = { text: t.text, common, spread };
  }
  return best?.text ?? null;
}

/** Angle brackets are what OCR reads a printed bracket as (（ → 〈); the template prints none. */
const ocrBrackets = (text: string) => text.replace(/[〈《]/g, '(').replace(/[〉》]/g, ')');

/** The document with its OCR'd labels and headings snapped to the template's text. */
export function snapOcrLabels(doc: ParsedDocument): ParsedDocument {
  if (!doc.ocr) return doc;
  const blocks = doc.blocks.map((block): Block => {
    if (block.kind === 'text') {
      const text = ocrBrackets(block.text);
      const snapped = text.length <= 40 ? snapLabel(text) : null;
      return { ...block, text: snapped ?? text };
    }
    const rows = block.grid.rows.map((row) => row.map((cell) => {
      const text = ocrBrackets(cell.text);
      return { ...cell, text: snapLabel(text) ?? text };
    }));
    return { kind: 'table', grid: { ...block.grid, rows } };
  });
  return { ...doc, blocks };
}
