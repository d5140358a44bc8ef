// Hostile documents through the extraction pool (pipelines/extractPool/): truncated files, random bytes
// under every extension, a 50 MB page, a 100,000-row table, deep nesting, decompression bombs (.docx,
// honest and lying about its sizes; a Flate-bomb PDF), PDFs whose cross-references loop, wrong charsets. Each must end
// as a record (with an error issue when nothing could be read) within the per-document budget, and the
// good documents of the same batch must load. Needs nothing but Node; about 5 minutes on 2 cores.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentExtractor, type ExtractedRecord } from '../../pipelines/extractPool/extractor.ts';
import { ingest } from '../../pipelines/ingest.ts';
import { streamInputs } from '../../pipelines/inputStream.ts';
import { Quarantine } from '../../pipelines/quarantine.ts';
import { SAMPLES_DIR } from '../../pipelines/samples.ts';
import { withWarehouse } from '../../pipelines/warehouse.ts';
import { reportRecordSchema } from '../../transforms/recordSchema.ts';
import { makeTempDir } from '../helpers/warehouse.ts';
import * as hostile from '../helpers/hostile.ts';

/** The budgets these tests run under (docs/budgets.md gives the defaults): a bomb must stop here. */
const BUDGET = { timeoutMs: 60_000, maxRssMb: 1024 };
/** The memory poll runs every 100 ms: a fast-growing worker may pass the budget by this much before it is killed. */
const RSS_OVERSHOOT_MB = 512;

let extractor: DocumentExtractor;
let temp: ReturnType<typeof makeTempDir>;

beforeAll(() => {
  temp = makeTempDir('hostile');
  extractor = new DocumentExtractor({ workers: 2, budget: BUDGET });
});
afterAll(async () => {
  await extractor.close();
  temp.cleanup();
});

async function extract(input: hostile.HostileInput): Promise<ExtractedRecord> {
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const result = await extractor.extract({ bytes: input.bytes, fileName: input.name, record: { source: input.name, sha256 } });
  // One line per input: the table of docs/budgets.md is this output.
  console.log(`${input.name}\t${(input.bytes.length / 1024).toFixed(0)} KB\t${result.failure ?? 'record'}\t${result.record.issues.find((i) => i.severity === 'error')?.code ?? `${Object.keys(result.record.cells).length} cells`}\t${result.ms} ms\t${Math.round(result.peakRssMb)} MB`);
  return result;
}

/** Within budget, a valid record, never an extractor exception or a dead worker; unread documents say why. */
function expectContained(result: ExtractedRecord): void {
  expect(result.failure === 'error' || result.failure === 'crashed', result.record.issues.map((i) => i.message).join('; ')).toBe(false);
  expect(reportRecordSchema.safeParse(result.record).success).toBe(true);
  expect(result.ms).toBeLessThan(BUDGET.timeoutMs + 5_000);
  expect(result.peakRssMb).toBeLessThan(BUDGET.maxRssMb + RSS_OVERSHOOT_MB);
  if (Object.keys(result.record.cells).length === 0) expect(result.record.issues.some((i) => i.severity === 'error')).toBe(true);
}

describe('each hostile document ends as a per-document outcome within its budget', () => {
  it.each(hostile.truncatedFiles().map((f) => [f.name, f] as const))('truncated: %s', async (_name, input) => {
    const result = await extract(input);
    expectContained(result);
    expect(result.failure).toBeNull(); // the readers themselves stop at the cut; no budget needed
  });

  it.each(hostile.randomFiles().map((f) => [f.name, f] as const))('random bytes: %s', async (_name, input) => {
    const result = await extract(input);
    expectContained(result);
    expect(result.failure).toBeNull();
    expect(Object.keys(result.record.cells)).toHaveLength(0);
  });

  it.each(hostile.wrongCharsets().map((f) => [f.name, f] as const))('wrong charset: %s', async (name, input) => {
    const result = await extract(input);
    expectContained(result);
    // A contradicted declaration is overruled by the bytes: the report reads in full. Big5 cannot encode
    // the simplified characters of the report, so its labels are lost and it is refused, not misread.
    if (name.startsWith('big5')) expect(result.record.issues.some((i) => i.code === 'no_report_tables')).toBe(true);
    else expect(Object.keys(result.record.cells).length).toBe(258);
  });

  it.each([...hostile.loopingPdfs(), hostile.docxBomb(306), hostile.docxBomb(306, true), hostile.flateBombPdf(1024)].map((f) => [f.name, f] as const))(
    'bomb or loop: %s',
    async (name, input) => {
      const result = await extract(input);
      expectContained(result);
      if (name === 'bomb-306mb.docx') {
        // The zip directory declares 306 MB: refused before anything is inflated.
        expect(result.record.issues[0].code).toBe('decompression_limit');
        expect(result.peakRssMb).toBeLessThan(BUDGET.maxRssMb / 2);
      }
      if (name === 'bomb-306mb-lying.docx') {
        // The directory claims 4 KB: inflation stops at the 64 MB budget of a part (a worker of ~440 MB grows by about
        // that much), where inflating all 306 MB took the worker to ~750 MB.
        expect(result.failure).toBeNull();
        expect(result.record.issues[0]).toMatchObject({ code: 'decompression_limit', severity: 'error' });
        expect(result.record.issues[0].message).toContain('inflates to more than 64 MB although its zip directory declares 4096 bytes');
        expect(result.peakRssMb).toBeLessThan(640);
      }
      if (name.startsWith('flate-bomb')) {
        // Its one stream is inflated up to the 256 MB cap, then the PDF is refused before pdf.js reads it.
        expect(result.failure).toBeNull();
        expect(result.record.issues[0]).toMatchObject({ code: 'decompression_limit', severity: 'error' });
        expect(result.record.issues[0].message).toMatch(/stream 1 inflates to more than 256 MB/);
      }
    },
  );

  it.each([hostile.hugePage(50), hostile.hugeTable(100_000), ...hostile.deepNesting(100_000)].map((f) => [f.name, f] as const))(
    'huge or deep: %s',
    async (_name, input) => expectContained(await extract(input)),
  );
});

describe('a document that exceeds its budget twice is quarantined, visibly, until released', () => {
  it('strikes, quarantines, skips, and retries on request', async () => {
    const dataDir = join(temp.dir, 'quarantine-data');
    const tight = new DocumentExtractor({ workers: 1, budget: { timeoutMs: 2_000, maxRssMb: 1024 }, dataDir });
    const input = hostile.hugeTable(100_000);
    const sha256 = createHash('sha256').update(input.bytes).digest('hex');
    const job = { bytes: input.bytes, fileName: input.name, record: { source: input.name, sha256 } };
    try {
      const first = await tight.extract(job);
      expect(first.failure).toBe('timeout');
      expect(first.record.issues[0]).toMatchObject({ code: 'extract_timeout', severity: 'error' });
      expect(first.record.issues[0].message).toMatch(/tried once more/);
      const second = await tight.extract(job);
      expect(second.failure).toBe('timeout');
      expect(second.record.issues[0].message).toMatch(/quarantined after 2 failures/);
      const third = await tight.extract(job);
      expect(third.failure).toBe('quarantined');
      expect(third.ms).toBe(0);
      expect(third.record.issues[0].message).toContain(`gov-reports quarantine --retry ${sha256.slice(0, 16)}`);
      // Persistent: a later process sees it, and releasing it lets the document be tried again.
      const reopened = Quarantine.open(dataDir);
      expect(reopened.quarantined(sha256)?.strikes.map((s) => s.failure)).toEqual(['timeout', 'timeout']);
      expect(reopened.retry([sha256.slice(0, 16)]).map((e) => e.sha256)).toEqual([sha256]);
      expect(Quarantine.open(dataDir).quarantined(sha256)).toBeUndefined();
    } finally {
      await tight.close();
    }
  });

  it('kills a worker whose memory passes the budget (a 50 MB page), from outside the parser', async () => {
    const small = new DocumentExtractor({ workers: 1, budget: { timeoutMs: 120_000, maxRssMb: 400 } });
    try {
      const result = await (async () => {
        const input = hostile.hugePage(50);
        const sha256 = createHash('sha256').update(input.bytes).digest('hex');
        return small.extract({ bytes: input.bytes, fileName: input.name, record: { source: input.name, sha256 } });
      })();
      expect(result.failure).toBe('memory');
      expect(result.record.issues[0].code).toBe('extract_memory');
      // The next document gets a fresh worker.
      const good = join(SAMPLES_DIR, 'seeds/000_ee99eda0b851ed47.txt');
      const bytes = Buffer.from(await import('node:fs').then((fs) => fs.readFileSync(good)));
      const next = await small.extract({ bytes, fileName: good, record: { source: good, sha256: createHash('sha256').update(bytes).digest('hex') } });
      expect(next.failure).toBeNull();
      expect(Object.keys(next.record.cells)).toHaveLength(258);
    } finally {
      await small.close();
    }
  });
});

describe('a batch with hostile documents among good ones', () => {
  it('loads every good report; each hostile one is an error record or a quarantine strike', async () => {
    const dir = join(temp.dir, 'batch');
    mkdirSync(dir, { recursive: true });
    const good = ['seeds/000_ee99eda0b851ed47.txt', 'seeds/003_5f6bec8eadb51f9b.txt', 'corpus/pingtan-2023.html', 'corpus/shuyang-fgj-2023.html'];
    for (const file of good) copyFileSync(join(SAMPLES_DIR, file), join(dir, file.replace('/', '-')));
    copyFileSync(join(hostile.OFFICE_FIXTURES, 'pingtan-2023.docx'), join(dir, 'good-pingtan-2023.docx'));
    const bad = [hostile.docxBomb(306), hostile.docxBomb(306, true), hostile.flateBombPdf(1024), ...hostile.loopingPdfs(), ...hostile.randomFiles().slice(0, 6), ...hostile.truncatedFiles([0.5])];
    for (const input of bad) writeFileSync(join(dir, input.name), input.bytes);
    const dbPath = join(temp.dir, 'batch.duckdb');
    const result = await ingest(streamInputs({ args: [dir] }), { dbPath, dataDir: join(temp.dir, 'batch-data'), workers: 2, budget: BUDGET, batchSize: 4 });
    expect(result.inputs).toBe(good.length + 1 + bad.length);
    const loaded = await withWarehouse(dbPath, {}, async (warehouse) =>
      (await warehouse.read(`SELECT source, is_report, (SELECT count(*) FROM cells c WHERE c.report_id = r.report_id) FROM reports r ORDER BY source`)).getRowsJson(),
    );
    const reports = loaded.filter(([, isReport]) => isReport === true);
    expect(reports.map(([source]) => String(source).split('/').pop()).sort()).toEqual(
      // The first half of seed 000 stops before table 3: with neither table 3 nor 4 it is not a report
      // (headline_tables_not_found) and is kept as a non-report with that error.
      [...good.map((file) => file.replace('/', '-')), 'good-pingtan-2023.docx', 'truncated-500-pingtan-2023.html'].sort(),
    );
    for (const [source, , cells] of reports) if (!String(source).includes('truncated')) expect(Number(cells), String(source)).toBeGreaterThanOrEqual(200);
    // Every input is in the warehouse: the hostile ones as non-reports with their error issue.
    expect(loaded).toHaveLength(result.inputs);
  });
});
