// China's administrative divisions (GB/T 2260 six-digit codes), from the npm package @vant/area-data
// (pinned in package.json; its codes are those in force in December 2024). Pure data: an index by code
// and by name, plus the names the dataset does not carry but reports use (a 实验区 printed instead of
// the county it administers, a county renamed into a district). Codes change (莱芜市 371200 was merged
// into 济南市 in 2019), so each alias states the years it is valid for.
import { areaList } from '@vant/area-data';

export const DIVISION_DATASET = '@vant/area-data 2.1.0 (GB/T 2260 codes in force in December 2024)';

export type DivisionLevel = 'provincial' | 'prefectural' | 'county';

export interface Division {
  code: string;
  name: string;
  level: DivisionLevel;
  /** Province code (XX0000). */
  provinceCode: string;
  /** Prefecture code (XXYY00), null for a province and for counties directly under a province. */
  prefectureCode: string | null;
}

/** A name a report may print for a division that the dataset names otherwise. */
export interface DivisionAlias {
  name: string;
  code: string;
  /** First and last report year the name is right for (null: open-ended). */
  validFrom: number | null;
  validTo: number | null;
  /** The canonical name of the division's own government when it is not 人民政府 (管理委员会 of a 实验区). */
  governmentBody?: string;
  /** Print this name, not the dataset's, in canonical agency names. */
  display?: boolean;
}

export const DIVISION_ALIASES: readonly DivisionAlias[] = [
  // 平潭综合实验区 administers 平潭县 (350128); its government is the 管理委员会.
  { name: '平潭综合实验区', code: '350128', validFrom: 2010, validTo: null, governmentBody: '管理委员会', display: true },
  // 洪泽县 became 淮安市洪泽区 in 2016 (320829 → 320813).
  { name: '洪泽县', code: '320813', validFrom: null, validTo: 2015 },
  // 莱芜市 (371200) was merged into 济南市 in 2019 and became 莱芜区 (370116).
  { name: '莱芜市', code: '370116', validFrom: null, validTo: 2018 },
];

/** City-list entries that are groupings, not places ("县" under 重庆市, 省直辖县): never matched in text. */
const PLACEHOLDER = /^(省直辖县|县|自治区直辖县级行政区划|省直辖县级行政区划)$/;

export interface DivisionIndex {
  byCode: ReadonlyMap<string, Division>;
  /** Name as printed → divisions of that name (several when a district name repeats across provinces). */
  byName: ReadonlyMap<string, readonly Division[]>;
  aliases: ReadonlyMap<string, DivisionAlias>;
  /** Longest name in the index, to bound prefix matching. */
  longestName: number;
}

const PEOPLES = '土家|哈尼|哈萨克|蒙古|维吾尔|布依|朝鲜|傈僳|拉祜|东乡|纳西|景颇|柯尔克孜|达斡尔|仫佬|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|鄂温克|保安|裕固|独龙|鄂伦春|赫哲|藏|回|苗|彝|壮|满|侗|瑶|白|傣|黎|佤|畲|水|土|羌|怒|京';
const AUTONOMOUS = new RegExp(`^(.+?)(?:(?:${PEOPLES})族)+自治(州|县|旗)$`);

let cached: DivisionIndex | null = null;

export function divisionIndex(): DivisionIndex {
  if (cached) return cached;
  const byCode = new Map<string, Division>();
  const add = (code: string, name: string, level: DivisionLevel) => {
    const provinceCode = `${code.slice(0, 2)}0000`;
    const prefecture = `${code.slice(0, 4)}00`;
    const prefectureCode = level === 'provincial' ? null : level === 'prefectural' ? code : areaList.city_list[prefecture] && !PLACEHOLDER.test(areaList.city_list[prefecture]) ? prefecture : null;
    byCode.set(code, { code, name, level, provinceCode, prefectureCode });
  };
  for (const [code, name] of Object.entries(areaList.province_list)) add(code, name, 'provincial');
  for (const [code, name] of Object.entries(areaList.city_list)) if (!PLACEHOLDER.test(name)) add(code, name, 'prefectural');
  for (const [code, name] of Object.entries(areaList.county_list)) add(code, name, 'county');
  const byName = new Map<string, Division[]>();
  const addName = (name: string, division: Division) => {
    const list = byName.get(name) ?? [];
    if (!list.includes(division)) list.push(division);
    byName.set(name, list);
  };
  for (const division of byCode.values()) {
    if (division.name.length < 2) continue;
    addName(division.name, division);
    // Autonomous divisions are usually printed without their peoples: 甘南藏族自治州 → 甘南州, 张家川回族自治县 → 张家川县.
    const short = AUTONOMOUS.exec(division.name);
    if (short) addName(`${short[1]}${short[2]}`, division);
  }
  const aliases = new Map(DIVISION_ALIASES.map((alias) => [alias.name, alias]));
  const longestName = Math.max(...[...byName.keys(), ...aliases.keys()].map((name) => name.length));
  cached = { byCode, byName, aliases, longestName };
  return cached;
}

/** True when `inner` lies within `outer` (or is it). */
export function within(inner: Division, outer: Division): boolean {
  if (outer.level === 'provincial') return inner.provinceCode === outer.code;
  if (outer.level === 'prefectural') return inner.code === outer.code || inner.prefectureCode === outer.code;
  return inner.code === outer.code;
}
