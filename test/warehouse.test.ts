// The warehouse file and the loader, on real DuckDB files and records extracted from data/samples.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtractedInput } from '../pipelines/extractInputs.ts';
import { LoadBatchError, WarehouseLockedError } from '../pipelines/errors.ts';
import { loadRecords, splitCellId, type DocumentFacts } from '../pipelines/load.ts';
import { threadsBesidePool, Warehouse, withWarehouse, type LockWait } from '../pipelines/warehouse.ts';
import type { ReportRecord } from '../transforms/recordSchema.ts';
import { SAMPLES_DIR } from '../pipelines/samples.ts';
import {
  countFromOtherProcess,
  duplicateKeys,
  extractSamples,
  finished,
  holdWarehouse,
  makeTempDir,
  printed,
  rowCounts,
  snapshot,
} from './helpers/warehouse.ts';

let samples: ExtractedInput[];
let records: ReportRecord[];
let documents: DocumentFacts[];
const temp = makeTempDir('warehouse');
let dbCount = 0;
const newDbPath = () => join(temp.dir, `w${++dbCount}`, 'warehouse.duckdb');

beforeAll(async () => {
  samples = await extractSamples();
  records = samples.map((sample) => sample.record);
  documents = samples.map((sample) => sample.document!);
});
afterAll(() => temp.cleanup());

/** A record with its cells, checks and issues copied, so tests can change it without touching the others. */
const copyOf = (record: ReportRecord): ReportRecord => structuredClone(record);

describe('opening and closing', () => {
  it('creates the file and schema, reopens it idempotently, and releases it for other processes', async () => {
    const dbPath = newDbPath();
    await withWarehouse(dbPath, {}, (warehouse) => loadRecords(warehouse, records.slice(0, 2), { documents }));
    await withWarehouse(dbPath, {}, async (warehouse) => {
      expect(await warehouse.scalarNumber('SELECT count(*) FROM reports')).toBe(2);
    });
    expect(await countFromOtherProcess(dbPath, 'reports')).toBe(2);
    expect(await countFromOtherProcess(dbPath, 'report_headlines')).toBe(2);
  });

  it('a writer beside an extraction pool runs DuckDB on the cores the pool leaves, one at least', async () => {
    const cores = availableParallelism();
    expect(threadsBesidePool(1)).toBe(Math.max(1, cores - 1));
    expect(threadsBesidePool(cores)).toBe(1);
    expect(threadsBesidePool(cores + 4)).toBe(1);
    const dbPath = newDbPath();
    const threads = (options: { threads?: number }) => withWarehouse(dbPath, options, (warehouse) => warehouse.scalarNumber("SELECT current_setting('threads')"));
    expect(await threads({ threads: 1 })).toBe(1);
    const duckdbDefault = await withWarehouse(':memory:', {}, (warehouse) => warehouse.scalarNumber("SELECT current_setting('threads')"));
    expect(await threads({})).toBe(duckdbDefault);
  });

  it('refuses to open a missing file read-only, with a message saying what to do', async () => {
    await expect(Warehouse.open(join(temp.dir, 'missing.duckdb'), { readOnly: true })).rejects.toThrow(/no warehouse at .*gov-reports load/);
  });

  it('waits while another process holds the file and opens it once released', async () => {
    const dbPath = newDbPath();
    await withWarehouse(dbPath, {}, async () => {});
    const holder = holdWarehouse(dbPath, 1500);
    const done = finished(holder);
    await printed(holder, 'held');
    const waits: LockWait[] = [];
    const started = Date.now();
    await withWarehouse(dbPath, { lockTimeoutMs: 30_000, onLockWait: (wait) => waits.push(wait) }, (warehouse) =>
      loadRecords(warehouse, records.slice(0, 1)),
    );
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0].holder).toMatch(/PID \d+/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect((await done).stdout).toContain('released');
    expect(await countFromOtherProcess(dbPath, 'reports')).toBe(1);
  });

  it('gives up with WarehouseLockedError after the timeout, naming the holder', async () => {
    const dbPath = newDbPath();
    await withWarehouse(dbPath, {}, async () => {});
    const holder = holdWarehouse(dbPath, 20_000);
    const done = finished(holder);
    try {
      await printed(holder, 'held');
      const error = await Warehouse.open(dbPath, { lockTimeoutMs: 700 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WarehouseLockedError);
      const locked = error as WarehouseLockedError;
      expect(locked.holder).toContain(`PID ${holder.pid}`);
      expect(locked.waitedMs).toBeGreaterThanOrEqual(700);
      expect(locked.stage).toBe('warehouse');
      expect(locked.message).toMatch(/locked by another process/);
    } finally {
      holder.kill();
      await done;
    }
  });
});

describe('loading', () => {
  it('maps a record to rows: flattened meta and prose, split cell ids, indexed checks and issues', async () => {
    const dbPath = newDbPath();
    const record = records.find((r) => r.meta.agency_name && Object.keys(r.cells).length > 0 && r.checks.length > 0)!;
    await withWarehouse(dbPath, {}, async (warehouse) => {
      await loadRecords(warehouse, [record], { documents });
      const [report] = (await warehouse.read('SELECT * FROM reports')).getRowObjectsJson();
      expect(report).toMatchObject({
        report_id: record.report_id,
        document_sha256: record.sha256,
        agency_name: record.meta.agency_name,
        report_year: record.meta.report_year,
        template_version: record.meta.template_version,
        contact_phone: record.meta.contact.phone,
        info_fee_status: record.prose.info_processing_fee.status,
        is_report: true,
      });
      const cells = (await warehouse.read('SELECT * FROM cells ORDER BY cell_id')).getRowObjectsJson();
      expect(cells).toHaveLength(Object.keys(record.cells).length);
      for (const cell of cells) {
        const source = record.cells[String(cell.cell_id)];
        expect(cell).toMatchObject({ ...splitCellId(String(cell.cell_id)), value: source.value, status: source.status, raw_text: source.raw });
        expect(cell.grid_row).toBe(source.at?.row ?? null);
      }
      const checks = (await warehouse.read('SELECT seq, rule, passed FROM checks ORDER BY seq')).getRowsJson();
      expect(checks).toEqual(record.checks.map((check, seq) => [seq, check.rule, check.passed]));
      const document = (await warehouse.read('SELECT document_sha256, byte_size, local_path FROM documents')).getRowsJson();
      expect(document).toEqual(
        documents.filter((d) => d.sha256 === record.sha256).map((d) => [d.sha256, String(d.byteSize), d.localPath]),
      );
    });
  });

  it('stores every cell exactly as the record holds it, whatever its text: quotes, commas, line breaks, \\N, NUL, empty', async () => {
    const base = records.find((r) => Object.keys(r.cells).length > 20)!;
    const hostile = ['"a","b"', 'x,y', 'line\nbreak\r\n', '\\N', '', 'nul\u0000byte', '  予以公开\u3000', '1e+21', '"'];
    const cells = structuredClone(base.cells);
    Object.values(cells).forEach((cell, i) => {
      cell.raw = hostile[i % hostile.length];
      if (i % 4 === 0) cell.confidence = 87.25 + i;
      if (i % 5 === 0) cell.value = i % 2 ? 0.1 + 0.2 : -1e21;
    });
    const record: ReportRecord = { ...base, cells };
    await withWarehouse(newDbPath(), {}, async (warehouse) => {
      await loadRecords(warehouse, [record]);
      const stored = (await warehouse.read('SELECT cell_id, value, status, raw_text, grid_table, grid_row, grid_col, confidence FROM cells')).getRowObjectsJS();
      expect(stored).toHaveLength(Object.keys(cells).length);
      for (const row of stored) {
        const cell = cells[String(row.cell_id)];
        expect(row, String(row.cell_id)).toEqual({
          cell_id: row.cell_id,
          value: cell.value,
          status: cell.status,
          raw_text: cell.raw,
          grid_table: cell.at?.table ?? null,
          grid_row: cell.at?.row ?? null,
          grid_col: cell.at?.col ?? null,
          confidence: cell.confidence ?? null,
        });
      }
    });
  });

  it('is idempotent: loading the same records twice leaves identical rows', async () => {
    const dbPath = newDbPath();
    const first = await withWarehouse(dbPath, {}, async (warehouse) => {
      await loadRecords(warehouse, records, { documents, now: new Date('2025-01-01T00:00:00Z') });
      return { counts: await rowCounts(warehouse), rows: await snapshot(warehouse) };
    });
    expect(first.counts.reports).toBe(records.length);
    expect(first.counts.cells).toBeGreaterThan(records.length * 10);
    const second = await withWarehouse(dbPath, {}, async (warehouse) => {
      const summary = await loadRecords(warehouse, records, { documents, now: new Date('2025-06-01T00:00:00Z') });
      expect(summary.replaced).toBe(records.length);
      expect(summary.documents).toBe(0);
      return { counts: await rowCounts(warehouse), rows: await snapshot(warehouse) };
    });
    expect(second.counts).toEqual(first.counts);
    expect(second.rows).toEqual(first.rows);
    expect(await withWarehouse(dbPath, {}, duplicateKeys)).toEqual({});
    // The check sees a duplicate when there is one (no index would stop it: the writers keep keys unique).
    await withWarehouse(dbPath, {}, (warehouse) => warehouse.run(`INSERT INTO reports SELECT * FROM reports WHERE report_id = '${records[0].report_id}'`));
    expect(await withWarehouse(dbPath, {}, duplicateKeys)).toEqual({ reports: 1 });
  });

  it('replaces a report re-extracted by a newer extractor, and keeps one row per report', async () => {
    const dbPath = newDbPath();
    const record = records[0];
    const newer = { ...copyOf(record), extractor_version: `${record.extractor_version}+next` };
    delete newer.cells[Object.keys(newer.cells)[0]];
    await withWarehouse(dbPath, {}, async (warehouse) => {
      await loadRecords(warehouse, [record], { now: new Date('2025-01-01T00:00:00Z') });
      await loadRecords(warehouse, [newer], { now: new Date('2025-06-01T00:00:00Z') });
      const rows = (await warehouse.read('SELECT extractor_version, extracted_at::VARCHAR FROM reports')).getRowsJson();
      expect(rows).toEqual([[newer.extractor_version, '2025-06-01 00:00:00']]);
      expect(await warehouse.scalarNumber('SELECT count(*) FROM cells')).toBe(Object.keys(record.cells).length - 1);
    });
  });

  it('dedupes a batch that holds the same report twice (the last one wins)', async () => {
    const dbPath = newDbPath();
    const later = { ...copyOf(records[1]), source: 'again/' + records[1].source };
    await withWarehouse(dbPath, {}, async (warehouse) => {
      const summary = await loadRecords(warehouse, [records[1], records[2], later], { documents: [...documents, ...documents] });
      expect(summary).toMatchObject({ reports: 2, duplicatesDropped: 1, documents: 2 });
      const sources = (await warehouse.read('SELECT source FROM reports ORDER BY source')).getRows().flat();
      expect(sources).toContain(later.source);
      expect(sources).not.toContain(records[1].source);
    });
  });

  it('rolls a failing batch back whole: the tables keep what they held before', async () => {
    const dbPath = newDbPath();
    await withWarehouse(dbPath, {}, (warehouse) => loadRecords(warehouse, records.slice(0, 3), { documents }));
    const before = await withWarehouse(dbPath, {}, snapshot);

    // A real record with an impossible publication date: the schema accepts the string, the warehouse cannot.
    const badDate = { ...copyOf(records[4]), meta: { ...records[4].meta, publish_date: '2024-02-30' } };
    const error = await withWarehouse(dbPath, {}, (warehouse) =>
      // records[0] is already loaded: its old rows are deleted inside the batch before the failure.
      loadRecords(warehouse, [records[0], records[3], badDate], { documents }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadBatchError);
    expect((error as LoadBatchError).reportIds).toEqual([records[0].report_id, records[3].report_id, badDate.report_id]);
    expect((error as Error).message).toMatch(/publish_date.*2024-02-30/);

    expect(await withWarehouse(dbPath, {}, snapshot)).toEqual(before);
  });

  it('rolls back when DuckDB itself rejects the appended rows (no silent COMMIT after a failure)', async () => {
    const dbPath = newDbPath();
    await withWarehouse(dbPath, {}, (warehouse) => loadRecords(warehouse, records.slice(0, 1), { documents }));
    // Make cell ids unique across reports, so the second report's cells violate the index while appending.
    await withWarehouse(dbPath, {}, (warehouse) => warehouse.run('CREATE UNIQUE INDEX one_report_per_cell_id ON cells (cell_id)'));
    const before = await withWarehouse(dbPath, {}, snapshot);
    const withCells = records.filter((r, i) => i > 0 && Object.keys(r.cells).some((id) => id in records[0].cells));
    const error = await withWarehouse(dbPath, {}, (warehouse) => loadRecords(warehouse, [withCells[0]], { documents })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LoadBatchError);
    expect((error as Error).message).toMatch(/rolled back.*(constraint|duplicate)/i);
    expect(await withWarehouse(dbPath, {}, snapshot)).toEqual(before);
  });

  it('refuses to load into a warehouse made by an older schema instead of dropping values', async () => {
    const dbPath = newDbPath();
    await withWarehouse(dbPath, {}, (warehouse) => warehouse.run('ALTER TABLE reports DROP COLUMN contact_fax'));
    const error = await withWarehouse(dbPath, {}, (warehouse) => loadRecords(warehouse, records.slice(0, 1))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadBatchError);
    expect((error as Error).message).toMatch(/table reports has no column contact_fax; the warehouse schema is older/);
  });

  it('rejects a batch with a record that breaks the record schema, before touching the tables', async () => {
    const dbPath = newDbPath();
    const broken = copyOf(records[0]);
    const firstCell = Object.keys(broken.cells)[0];
    (broken.cells[firstCell] as { status: string }).status = 'guessed';
    const error = await withWarehouse(dbPath, {}, (warehouse) => loadRecords(warehouse, [broken])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadBatchError);
    expect((error as Error).message).toContain(`cells.${firstCell}.status`);
  });
});

describe('views', () => {
  const dbPath = join(temp.dir, 'views', 'warehouse.duckdb');
  beforeAll(async () => {
    await withWarehouse(dbPath, {}, (warehouse) => loadRecords(warehouse, records, { documents }));
  });
  const value = (record: ReportRecord, cellId: string) => record.cells[cellId]?.value ?? null;

  it('report_headlines: one row per report with the headline numbers of its cells', async () => {
    const count = (n: number | null) => (n === null ? null : String(n));
    const rows = await withWarehouse(dbPath, { readOnly: true }, async (warehouse) =>
      (await warehouse.read('SELECT * FROM report_headlines')).getRowObjectsJson(),
    );
    expect(rows).toHaveLength(records.length);
    for (const record of records) {
      const row = rows.find((r) => r.report_id === record.report_id)!;
      const denied = Object.entries(record.cells)
        .filter(([id, cell]) => /^t3\.denied_(?!total\.)\w+\.total$/.test(id) && cell.value !== null)
        .map(([, cell]) => cell.value!);
      const direct = value(record, 't4.litigation_direct.total');
      const afterReview = value(record, 't4.litigation_after_review.total');
      expect(row).toMatchObject({
        agency_name: record.meta.agency_name,
        report_year: record.meta.report_year,
        template_version: record.meta.template_version,
        // Counts are BIGINT in the views (JSON strings when read back).
        applications_received: count(value(record, 't3.new_received.total')),
        applications_granted: count(value(record, 't3.granted.total')),
        applications_denied: count(denied.length > 0 ? denied.reduce((a, b) => a + b, 0) : null),
        admin_reviews: count(value(record, 't4.admin_review.total')),
        lawsuits: count(direct === null || afterReview === null ? null : direct + afterReview),
        cell_count: Object.keys(record.cells).length,
        failed_checks: record.checks.filter((check) => !check.passed).length,
      });
    }
    // The samples include reports that received applications and were sued: the numbers are not all zero.
    expect(rows.some((row) => Number(row.applications_received) > 0 && Number(row.lawsuits) > 0)).toBe(true);
  });

  it('check_failures: one row per failed check', async () => {
    const failed = records.flatMap((record) => record.checks.filter((check) => !check.passed));
    await withWarehouse(dbPath, { readOnly: true }, async (warehouse) => {
      expect(await warehouse.scalarNumber('SELECT count(*) FROM check_failures')).toBe(failed.length);
      expect(await warehouse.scalarNumber('SELECT count(*) FROM check_failures WHERE agency_name IS NULL AND report_id IS NULL')).toBe(0);
    });
  });

  it('cell_values_wide_t3 and _t4: the printed columns side by side', async () => {
    const record = records.find((r) => Number(value(r, 't3.new_received.total')) > 0)!;
    await withWarehouse(dbPath, { readOnly: true }, async (warehouse) => {
      const [t3] = (
        await warehouse.read(`SELECT * FROM cell_values_wide_t3 WHERE report_id = $1 AND row_id = 'new_received'`, [record.report_id])
      ).getRowObjectsJson();
      for (const column of ['natural_person', 'commercial_enterprise', 'other_org', 'total']) {
        expect(t3[column]).toBe(value(record, `t3.new_received.${column}`));
      }
      const t4 = (await warehouse.read(`SELECT * FROM cell_values_wide_t4 WHERE report_id = $1 ORDER BY review_group`, [record.report_id]))
        .getRowObjectsJson();
      for (const row of t4) expect(row.total).toBe(value(record, `t4.${row.review_group}.total`));
      expect(t4.map((row) => row.review_group)).toEqual(expect.arrayContaining(['admin_review', 'litigation_direct', 'litigation_after_review']));
    });
  });
});

describe('cross_year_checks', () => {
  // 淮安市洪泽区人民政府 published PDFs for 2023 and 2024; the 2023 one calls itself 洪泽区人民政府.
  const dbPath = join(temp.dir, 'cross-year', 'warehouse.duckdb');
  let hongze2023: ReportRecord;
  let hongze2024: ReportRecord;
  let rows: Record<string, unknown>[];
  let failures: Record<string, unknown>[];
  beforeAll(async () => {
    const pdfs = await extractSamples([join(SAMPLES_DIR, 'corpus/huaian-hongze-2023.pdf'), join(SAMPLES_DIR, 'corpus/huaian-hongze-2024.pdf')]);
    [hongze2023, hongze2024] = pdfs.map((pdf) => pdf.record);
    rows = await withWarehouse(dbPath, {}, async (warehouse) => {
      await loadRecords(warehouse, [...records, hongze2023, hongze2024]);
      failures = (await warehouse.read('SELECT * FROM check_failures ORDER BY report_id, seq')).getRowObjectsJson();
      return (await warehouse.read('SELECT * FROM cross_year_checks ORDER BY rule, item')).getRowObjectsJson();
    });
  });

  it('check_failures lists the rules the printed 2023 table 4 breaks (复议 10 + 1 with 总计 0)', () => {
    const failed2023 = hongze2023.checks.filter((check) => !check.passed);
    expect(failed2023.some((check) => check.rule === 'H4')).toBe(true);
    expect(failures.filter((row) => row.report_id === hongze2023.report_id)).toEqual(
      failed2023.map((check) =>
        expect.objectContaining({ agency_name: hongze2023.meta.agency_name, report_year: 2023, rule: check.rule, scope: check.scope, detail: check.detail }),
      ),
    );
  });
  const value = (record: ReportRecord, cellId: string) => record.cells[cellId]?.value ?? null;

  it('pairs only reports of the same agency in consecutive years', () => {
    expect(hongze2023.meta.report_year).toBe(2023);
    expect(hongze2024.meta.report_year).toBe(2024);
    expect(new Set(rows.map((row) => `${row.report_id}<-${row.prev_report_id}`))).toEqual(
      new Set([`${hongze2024.report_id}<-${hongze2023.report_id}`]),
    );
    expect(rows[0]).toMatchObject({ agency_name: hongze2024.meta.agency_name, prev_agency_name: hongze2023.meta.agency_name });
  });

  it('S-1: this year\'s carried-over applications against last year\'s carried-forward, per column', () => {
    const carryOver = rows.filter((row) => row.rule === 'S-1');
    expect(carryOver.map((row) => row.item)).toEqual(expect.arrayContaining(['natural_person', 'other_org', 'total']));
    for (const row of carryOver) {
      const expected = value(hongze2023, `t3.carried_forward.${row.item}`);
      const actual = value(hongze2024, `t3.carried_over.${row.item}`);
      expect(row).toMatchObject({ expected, actual, passed: expected === null || actual === null ? null : expected === actual });
    }
  });

  it('S-2: documents in force = last year\'s + issued − repealed', () => {
    const stockFlow = rows.filter((row) => row.rule === 'S-2');
    expect(stockFlow.map((row) => row.item).sort()).toEqual(['normative_docs', 'regulations']);
    for (const row of stockFlow) {
      const x = String(row.item);
      const expected =
        Number(value(hongze2023, `t2.${x}.in_force`)) + Number(value(hongze2024, `t2.${x}.issued`)) - Number(value(hongze2024, `t2.${x}.repealed`));
      expect(row).toMatchObject({ expected, actual: value(hongze2024, `t2.${x}.in_force`) });
      expect(row.passed).toBe(row.expected === row.actual);
    }
  });
});

describe('cell ids', () => {
  it('splits table, row and column, keeping dotted extension rows whole', () => {
    expect(splitCellId('t3.new_received.total')).toEqual({ table_name: 't3', row_id: 'new_received', column_id: 'total' });
    expect(splitCellId('t2.ext.other_proactive_docs.issued')).toEqual({
      table_name: 't2',
      row_id: 'ext.other_proactive_docs',
      column_id: 'issued',
    });
    expect(() => splitCellId('t3.total')).toThrow(/not <table>.<row>.<column>/);
  });
});
