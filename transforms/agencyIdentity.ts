// Agency identity: the name a report prints (淮安市洪泽区人民政府, 洪泽区人民政府, 上海市科委) → one stable
// agency_id, its division (GB/T 2260 code and names), level and kind of body. Pure.
//
// The name is read as a chain of places (省 → 市 → 区/县, each inside the one before) followed by the body
// (人民政府, 民政局, 科委 …). When the chain is ambiguous (鼓楼区 exists in four provinces), other evidence
// decides: a place of the candidates' named in the title or the contact address, then the registry row of the
// crawl that fetched the report. When nothing decides, the report is `ambiguous` and keeps every candidate:
// never a guess. A name without any place takes its division from the contact address or the registry, and
// says so in `evidence`.
import { divisionIndex, within, type Division, type DivisionIndex } from './divisions.ts';

export type AgencyLevel = 'national' | 'provincial' | 'prefectural' | 'county' | 'township';
export type AgencyKind = 'people_government' | 'general_office' | 'department' | 'township_government' | 'subdistrict_office' | 'other';
export type AgencyResolution = 'resolved' | 'ambiguous' | 'unresolved';

export interface AgencyEvidence {
  /** meta.agency_name. */
  name: string | null;
  title: string | null;
  contactAddress: string | null;
  /** Registry rows of the sources whose crawl fetched the report. */
  registry: readonly { agency: string; regionCode: string | null }[];
  reportYear: number | null;
}

export interface ResolvedAgency {
  agency_id: string;
  canonical_name: string;
  name_as_printed: string | null;
  division_code: string | null;
  province: string | null;
  prefecture: string | null;
  county: string | null;
  township: string | null;
  level: AgencyLevel | null;
  kind: AgencyKind;
  /** 民政, 发改, 科技 … for departments; null otherwise. */
  department_type: string | null;
  resolution: AgencyResolution;
  /** What decided the division: name, name+title, name+contact_address, name+registry, contact_address, registry. */
  evidence: string | null;
  /** Division codes still possible when ambiguous (or the one chosen). */
  candidate_codes: string[];
}

/** Words that stand for the agency without naming it: never an agency name. */
export const GENERIC_AGENCY_NAMES =
  /^(我|本|该)(区|县|市|州|盟|旗|镇|乡|街道|局|委|办|厅|部|署|院|会|机关|单位|部门|中心|政府|公司|站|所)$|^(本机关|本单位|本部门|我单位|我部门|我机关|行政机关|政府|人民政府|单位|机关)$/;

const ABBREVIATIONS: readonly [RegExp, string][] = [
  [/科委$/, '科学技术委员会'],
  [/发改委$/, '发展和改革委员会'],
  [/发改局$/, '发展和改革局'],
  [/卫健委$/, '卫生健康委员会'],
  [/住建局$/, '住房和城乡建设局'],
  [/人社局$/, '人力资源和社会保障局'],
  [/市场监管局$/, '市场监督管理局'],
  [/党工委管委会$|管委会$/, '管理委员会'],
  [/^政府$/, '人民政府'],
];

/** Department types by key phrase of the body's name (first match wins). */
const DEPARTMENT_TYPES: readonly [RegExp, string][] = [
  [/民政/, '民政'],
  [/发展和改革|发改/, '发改'],
  [/科学技术|科技/, '科技'],
  [/财政/, '财政'],
  [/卫生健康|卫健/, '卫健'],
  [/疾病预防控制/, '疾控'],
  [/教育/, '教育'],
  [/公安/, '公安'],
  [/司法/, '司法'],
  [/自然资源|国土/, '自然资源'],
  [/生态环境|环境保护/, '生态环境'],
  [/住房和城乡建设|住建/, '住建'],
  [/交通运输/, '交通运输'],
  [/农业农村|农业/, '农业农村'],
  [/水利|水务/, '水利'],
  [/商务/, '商务'],
  [/人力资源和社会保障|人社/, '人社'],
  [/市场监督管理|市场监管/, '市场监管'],
  [/审计/, '审计'],
  [/税务/, '税务'],
  [/应急管理/, '应急管理'],
  [/文化|旅游/, '文旅'],
  [/统计/, '统计'],
  [/退役军人/, '退役军人'],
  [/医疗保障/, '医保'],
  [/城市管理|城管/, '城管'],
  [/林业|林草/, '林草'],
  [/工业和信息化|工信/, '工信'],
];

const ZONE = /(开发区|新区|实验区|示范区|园区|保税区|高新区)$/;

const normalize = (text: string) => text.normalize('NFKC').replace(/[\s\u3000]+/g, '');

interface PlaceChain {
  /** Candidate divisions for the deepest place matched (several when the name repeats). */
  candidates: Division[];
  /** What follows the places. */
  rest: string;
  /** A printed alias (平潭综合实验区) matched, with its own rules. */
  aliasBody: string | null;
  aliasDisplay: string | null;
}

/** Read places from the start of `text`, each inside the previous; longest name first at each step. */
function placeChain(text: string, index: DivisionIndex, year: number | null): PlaceChain {
  let candidates: Division[] = [];
  let pos = 0;
  let aliasBody: string | null = null;
  let aliasDisplay: string | null = null;
  for (;;) {
    let step: Division[] = [];
    let length = 0;
    for (let len = Math.min(index.longestName, text.length - pos); len >= 2 && step.length === 0; len--) {
      const name = text.slice(pos, pos + len);
      const alias = index.aliases.get(name);
      if (alias && (year === null || ((alias.validFrom ?? -Infinity) <= year && year <= (alias.validTo ?? Infinity)))) {
        const division = index.byCode.get(alias.code);
        if (division && (candidates.length === 0 || candidates.some((outer) => within(division, outer)))) {
          step = [division];
          length = len;
          aliasBody = alias.governmentBody ?? null;
          aliasDisplay = alias.display ? alias.name : null;
          break;
        }
      }
      const named = (index.byName.get(name) ?? []).filter((d) => candidates.length === 0 || candidates.some((outer) => within(d, outer) && d.code !== outer.code));
      if (named.length > 0) {
        step = named;
        length = len;
      }
    }
    if (step.length === 0) break;
    // 上海市 is both the province and its single prefecture: keep the province.
    const provinces = step.filter((d) => d.level === 'provincial');
    candidates = provinces.length > 0 ? provinces : step;
    pos += length;
  }
  return { candidates, rest: text.slice(pos), aliasBody, aliasDisplay };
}

/** Narrow candidates to those whose prefecture (else province) is named in `text`: the most specific place decides. */
function narrowBy(candidates: Division[], text: string | null, index: DivisionIndex): Division[] {
  if (!text || candidates.length < 2) return candidates;
  for (const outerCode of [(d: Division) => d.prefectureCode, (d: Division) => d.provinceCode]) {
    const named = candidates.filter((d) => {
      const code = outerCode(d);
      const outer = code ? index.byCode.get(code) : undefined;
      return outer !== undefined && outer.code !== d.code && text.includes(outer.name);
    });
    if (named.length > 0) return named;
  }
  return candidates;
}

function narrowByRegistry(candidates: Division[], registry: AgencyEvidence['registry']): Division[] {
  const codes = registry.map((r) => r.regionCode).filter((c): c is string => c !== null && /^\d{6}$/.test(c));
  if (candidates.length < 2 || codes.length === 0) return candidates;
  const matching = candidates.filter((d) => codes.some((code) => d.code === code || code.startsWith(d.code.slice(0, code.endsWith('0000') ? 2 : 4))));
  return matching.length > 0 ? matching : candidates;
}

/** 公安局城厢分局, 生态环境局安化分局: the county-level division of the prefecture the branch is named after. */
function branchDivision(prefecture: Division, body: string, index: DivisionIndex): Division | null {
  const branch = /局(.{2,8}?)分局$/.exec(body)?.[1];
  if (!branch || prefecture.level !== 'prefectural') return null;
  const matches = [...index.byCode.values()].filter(
    (d) => d.level === 'county' && d.prefectureCode === prefecture.code && (d.name === branch || d.name.slice(0, -1) === branch),
  );
  return matches.length === 1 ? matches[0] : null;
}

function bodyKind(body: string): { kind: AgencyKind; township: string | null; departmentType: string | null } {
  const township = /^(.{1,12}?(?:镇|乡|街道))(人民政府|办事处|街道办事处)?$/.exec(body);
  if (township) {
    return { kind: township[1].endsWith('街道') ? 'subdistrict_office' : 'township_government', township: township[1], departmentType: null };
  }
  if (body === '' || body === '人民政府' || body === '管理委员会') return { kind: 'people_government', township: null, departmentType: null };
  if (/^(人民政府)?办公(室|厅)$/.test(body)) return { kind: 'general_office', township: null, departmentType: null };
  const type = DEPARTMENT_TYPES.find(([re]) => re.test(body))?.[1] ?? null;
  if (type || /(局|委员会|委|厅|办|中心|署|院)$/.test(body)) return { kind: 'department', township: null, departmentType: type };
  return { kind: 'other', township: null, departmentType: null };
}

function canonicalBody(body: string): string {
  let out = body.replace(/^(中共)?/, '').replace(/^(党工委)?(管委会|管理委员会)(?=.+)/, '');
  for (const [re, replacement] of ABBREVIATIONS) out = out.replace(re, replacement);
  return out;
}

export function resolveAgency(evidence: AgencyEvidence, index: DivisionIndex = divisionIndex()): ResolvedAgency {
  const printed = evidence.name ? normalize(evidence.name) : null;
  const name = printed && !GENERIC_AGENCY_NAMES.test(printed) ? printed : null;
  const chain = name ? placeChain(name, index, evidence.reportYear) : { candidates: [], rest: '', aliasBody: null, aliasDisplay: null };
  let candidates = chain.candidates;
  const used: string[] = [];
  if (candidates.length > 0) used.push('name');
  for (const [label, text] of [['title', evidence.title], ['contact_address', evidence.contactAddress]] as const) {
    const narrowed = narrowBy(candidates, text ? normalize(text) : null, index);
    if (narrowed.length < candidates.length) {
      used.push(label);
      candidates = narrowed;
    }
  }
  const viaRegistry = narrowByRegistry(candidates, evidence.registry);
  if (viaRegistry.length < candidates.length) {
    used.push('registry');
    candidates = viaRegistry;
  }
  const rest = name ? chain.rest : '';
  if (candidates.length === 1 && /分局$/.test(rest)) {
    const branch = branchDivision(candidates[0], rest, index);
    if (branch) {
      candidates = [branch];
      used.push('branch');
    }
  }
  if (name && candidates.length === 0) {
    // No place in the name: the contact address, then the registry row of a source that is this agency.
    const fromAddress = evidence.contactAddress ? placeChain(normalize(evidence.contactAddress), index, evidence.reportYear).candidates : [];
    if (fromAddress.length === 1) {
      candidates = fromAddress;
      used.push('contact_address');
    } else {
      const own = evidence.registry.find((r) => r.regionCode && /^\d{6}$/.test(r.regionCode) && normalize(r.agency).endsWith(name));
      const division = own ? index.byCode.get(own.regionCode!) : undefined;
      if (division) {
        candidates = [division];
        used.push('registry');
      }
    }
  }

  const body = chain.aliasBody && (rest === '' || /^(党工委)?(管委会|管理委员会)$/.test(rest)) ? chain.aliasBody : canonicalBody(rest);
  const { kind, township, departmentType } = bodyKind(body);
  // A zone (开发区, 新区, 实验区 …) is governed by a 管理委员会, a place by its 人民政府; a printed body stays as printed.
  const zone = candidates.length === 1 && ZONE.test(candidates[0].name);
  const governmentBody = chain.aliasBody ?? (body === '管理委员会' || (body === '' && zone) ? '管理委员会' : '人民政府');
  const bodyName = kind === 'people_government' ? governmentBody : body;
  const resolution: AgencyResolution = !name ? 'unresolved' : candidates.length === 1 ? 'resolved' : candidates.length > 1 ? 'ambiguous' : 'unresolved';

  // Central bodies (国务院办公厅, 国家统计局) have no division: their name is their identity.
  const national = name !== null && chain.candidates.length === 0 && /^(国务院|国家|中华人民共和国|[\u4e00-\u9fff]{2,10}部$)/.test(name);
  if (national) {
    const canonical = canonicalBody(name);
    return {
      agency_id: `national:${canonical}`, canonical_name: canonical, name_as_printed: printed, division_code: null,
      province: null, prefecture: null, county: null, township: null, level: 'national', kind, department_type: departmentType,
      resolution: 'resolved', evidence: 'name', candidate_codes: [],
    };
  }
  if (resolution !== 'resolved') {
    const key = name ?? printed ?? '';
    return {
      agency_id: `unresolved:${key}`,
      canonical_name: key,
      name_as_printed: printed,
      division_code: null,
      province: null,
      prefecture: null,
      county: null,
      township,
      level: null,
      kind: name ? kind : 'other',
      department_type: departmentType,
      resolution,
      evidence: used.length > 0 ? used.join('+') : null,
      candidate_codes: candidates.map((d) => d.code).sort(),
    };
  }

  const division = candidates[0];
  const province = index.byCode.get(division.provinceCode)!;
  const prefecture = division.prefectureCode ? index.byCode.get(division.prefectureCode) ?? null : null;
  const county = division.level === 'county' ? division : null;
  const placeName = (d: Division) => (d === division && chain.aliasDisplay ? chain.aliasDisplay : d.name);
  // County names that repeat nationwide keep their prefecture in front (鼓楼区 → 南京市鼓楼区).
  const countyUnique = county ? (index.byName.get(county.name) ?? []).length <= 1 : true;
  const place =
    division.level === 'provincial'
      ? province.name
      : division.level === 'prefectural'
        ? division.name
        : countyUnique || !prefecture
          ? placeName(division)
          : `${prefecture.name}${placeName(division)}`;
  const level: AgencyLevel = township ? 'township' : division.level;
  return {
    agency_id: `${division.code}:${bodyName}`,
    canonical_name: `${place}${bodyName}`,
    name_as_printed: printed,
    division_code: division.code,
    province: province.name,
    // A municipality (上海市) is its own single prefecture: named once, as the province.
    prefecture: prefecture && prefecture.name !== province.name ? prefecture.name : null,
    county: county ? placeName(county) : null,
    township,
    level,
    kind,
    department_type: departmentType,
    resolution,
    evidence: used.join('+'),
    candidate_codes: [division.code],
  };
}
