// Journal → warehouse, in one short session: open the file (waiting politely while an analyst holds
// it), write the crawl ledger rows the records refer to (documents, sources, fetches), load the
// batch's records, then the run's rows (run_documents, runs), close. Every write is keyed (fetch_id,
// (run_id, url), run_id, source_id, report_id), so replaying events that were already written after a
// crash changes nothing.
import { listValue } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { appendRows, loadRecords, recordLocations, REPORT_TABLES } from '../load.ts';
import { withWarehouse, type OpenWarehouseOptions } from '../warehouse.ts';
import type { LoadItem } from './extractBundle.ts';
import type { CrawlJournal, FetchEvent, RunLedger, SequencedEvent } from './journal.ts';
import type { Source } from './registry.ts';

export interface RunCounts {
  discovered: number;
  fetched: number;
  unchanged: number;
  extracted: number;
  failed: number;
  blocked: number;
}

/** The counts of a run, from its journalled events (the same whether or not the run was interrupted). */
export function runCounts(ledger: RunLedger): RunCounts {
  const fetches = [...ledger.fetches.values()];
  const documents = [...ledger.documents.values()];
  const sources = [...ledger.sources.values()];
  return {
    discovered: ledger.reports.size,
    fetched: fetches.filter((f) => f.outcome === 'fetched').length,
    unchanged: fetches.filter((f) => f.outcome === 'not_modified').length,
    // Loaded as reports; documents read but rejected (not reports) are counted apart (runDetail.rejected).
    extracted: documents.filter((d) => d.outcome === 'extracted').length,
    failed: documents.filter((d) => d.outcome === 'failed').length + sources.filter((s) => s.status === 'failed').length + ledger.registryErrors.length,
    blocked: documents.filter((d) => d.outcome === 'blocked').length + sources.filter((s) => s.status === 'blocked').length,
  };
}

export interface RunDetail {
  registry_errors: RunLedger['registryErrors'];
  sources: { source_id: string; agency: string | null; url: string | null; status: string; detail: string | null }[];
  rejected: number;
  skipped: number;
  requests: number;
}

export function runDetail(ledger: RunLedger, sources: readonly Source[]): RunDetail {
  const bySource = new Map(sources.map((s) => [s.sourceId, s]));
  const documents = [...ledger.documents.values()];
  return {
    registry_errors: ledger.registryErrors,
    sources: [...ledger.sources.values()]
      .filter((s) => s.status !== 'ok')
      .map((s) => ({ source_id: s.sourceId, agency: bySource.get(s.sourceId)?.agency ?? null, url: bySource.get(s.sourceId)?.url ?? null, status: s.status, detail: s.detail })),
    rejected: documents.filter((d) => d.outcome === 'rejected').length,
    skipped: documents.filter((d) => d.outcome === 'skipped').length,
    requests: [...ledger.fetches.values()].filter((f) => f.status !== null).length,
  };
}

export interface SyncInput {
  journal: CrawlJournal;
  /** The registry's usable sources (the sources table). */
  sources: readonly Source[];
  loads: LoadItem[];
  /** When the sources rows are stamped (the run's start). */
  sourcesUpdatedAt: Date;
  /** Fetches already journalled and compacted, written again (reprocess into a new warehouse file). */
  replayFetches?: readonly FetchEvent[];
}

/**
 * Write everything the journal holds that the warehouse does not, plus `loads`, in one session.
 * The outcomes of the loaded records are journalled once their transaction committed.
 */
export async function syncWarehouse(dbPath: string, options: OpenWarehouseOptions, input: SyncInput): Promise<void> {
  const { journal } = input;
  await withWarehouse(dbPath, options, async (warehouse) => {
    // The events of this batch: those pending now, and the outcomes of the records it loads. The
    // crawl keeps appending while the batch is written; what it appends waits for the next batch.
    const batch: SequencedEvent[] = [...journal.pending()];
    // Bodies first, so each documents row says where and when its bytes were first fetched.
    const replayed = input.replayFetches ?? [];
    const fetchedBodies = [...replayed, ...batch.filter((e): e is SequencedEvent & FetchEvent => e.type === 'fetch')].filter(
      (e) => e.outcome === 'fetched' && e.sha256 !== null,
    );
    await warehouse.transaction(async (connection) => {
      await insertMissingDocuments(connection, fetchedBodies);
      // The registry and the fetches before the records: they tie a report to its registry source,
      // evidence of its agency when loadRecords resolves it.
      // The registry is written once per run, not with every batch (10,000 sources × hundreds of batches).
      if (!sourcesWritten.has(input.sources)) await upsert(connection, 'sources', 'source_id', input.sources.map((s) => sourceRow(s, input.sourcesUpdatedAt)));
      await upsert(connection, 'fetches', 'fetch_id', [...replayed, ...batch.filter((e) => e.type === 'fetch')].map((e) => fetchRow(e as FetchEvent)));
    });
    sourcesWritten.add(input.sources);
    if (input.loads.length > 0) {
      await loadRecords(
        warehouse,
        input.loads.map((l) => l.record),
        { documents: input.loads.map((l) => l.document), schemaChecked: true },
      );
      batch.push(...journal.appendAll(input.loads.map((load) => load.outcome)));
    }

    await warehouse.transaction(async (connection) => {
      await retireSuperseded(connection, input.loads);
      const runIds = [...new Set(batch.flatMap((e) => ('runId' in e ? [e.runId] : [])))];
      for (const runId of runIds) {
        const ledger = journal.runLedger(runId);
        const documentRows = batch.filter((e) => e.type === 'document' && e.runId === runId).map((e) => e as SequencedEvent & { type: 'document' });
        if (documentRows.length > 0) {
          await connection.run('DELETE FROM run_documents WHERE run_id = $1 AND url IN (SELECT unnest($2::VARCHAR[]))', [runId, listValue(documentRows.map((d) => d.url))]);
          await appendRows(
            connection,
            'run_documents',
            dedupeBy(documentRows, (d) => d.url).map((d) => ({ run_id: runId, url: d.url, document_sha256: d.sha256, report_id: d.reportId, outcome: d.outcome, detail: d.detail })),
          );
        }
        await upsert(connection, 'runs', 'run_id', [runRow(ledger, input.sources)]);
      }
    });
    journal.markSynced(batch);
  });
}

/** Registries (one array per run) whose rows are already in the warehouse. */
const sourcesWritten = new WeakSet<readonly Source[]>();

/**
 * A page whose body changed (a corrected report) has a new document hash and so a new report_id:
 * the record of its old body leaves the report tables (its bytes stay in the archive and its
 * fetches in the ledger), so the warehouse holds one report per URL.
 */
async function retireSuperseded(connection: DuckDBConnection, loads: LoadItem[]): Promise<void> {
  if (loads.length === 0) return;
  const reader = await connection.runAndReadAll(
    'SELECT report_id FROM reports WHERE source_url IN (SELECT unnest($1::VARCHAR[])) AND report_id NOT IN (SELECT unnest($2::VARCHAR[]))',
    [listValue(loads.map((l) => l.record.source_url ?? l.record.source)), listValue(loads.map((l) => l.record.report_id))],
  );
  const retired = reader.getRows().map(([id]) => String(id));
  if (retired.length === 0) return;
  const tables = [...Object.keys(REPORT_TABLES).filter((t) => t !== 'reports'), 'report_agencies'];
  for (const table of [...tables, 'reports']) {
    await connection.run(`DELETE FROM ${table} WHERE report_id IN (SELECT unnest($1::VARCHAR[]))`, [listValue(retired)]);
  }
}

/** Every archived body gets a documents row (list pages and robots.txt too); one already there is kept. */
async function insertMissingDocuments(connection: DuckDBConnection, bodies: FetchEvent[]): Promise<void> {
  const firstBySha = new Map<string, FetchEvent>();
  for (const body of bodies) if (!firstBySha.has(body.sha256!)) firstBySha.set(body.sha256!, body);
  const fresh = [...firstBySha.values()];
  if (fresh.length === 0) return;
  await recordLocations(connection, bodies.map((e) => ({ sha256: e.sha256!, location: e.url, kind: 'url' as const })), new Date(fresh[0].fetchedAt));
  const known = await connection.runAndReadAll('SELECT document_sha256 FROM documents WHERE document_sha256 IN (SELECT unnest($1::VARCHAR[]))', [
    listValue(fresh.map((e) => e.sha256!)),
  ]);
  const present = new Set(known.getRows().map(([sha]) => String(sha)));
  await appendRows(
    connection,
    'documents',
    fresh
      .filter((e) => !present.has(e.sha256!))
      .map((e) => ({
        document_sha256: e.sha256,
        first_url: e.url,
        local_path: null,
        content_type: e.contentType,
        byte_size: e.byteSize ?? 0,
        archive_path: e.archivePath,
        first_seen_at: new Date(e.fetchedAt),
      })),
  );
}

function sourceRow(source: Source, updatedAt: Date) {
  return {
    source_id: source.sourceId,
    agency: source.agency,
    url: source.url ?? source.reportUrls[0],
    region_code: source.regionCode,
    region: source.region,
    level: source.level,
    department: source.department,
    updated_at: updatedAt,
  };
}

function fetchRow(e: FetchEvent) {
  return {
    fetch_id: e.fetchId,
    run_id: e.runId,
    source_id: e.sourceId || null,
    url: e.url,
    final_url: e.finalUrl,
    kind: e.kind,
    http_status: e.status,
    outcome: e.outcome,
    // A POST (Hanweb dataproxy) is told apart from others to the same URL by its form body.
    detail: e.method === 'POST' ? [`POST ${e.key.split(' ').slice(2).join(' ')}`, e.detail].filter(Boolean).join('; ') : e.detail,
    document_sha256: e.sha256,
    content_type: e.contentType,
    etag: e.etag,
    last_modified: e.lastModified,
    headers_json: JSON.stringify(e.headers),
    fetched_at: new Date(e.fetchedAt),
    duration_ms: e.durationMs,
  };
}

function runRow(ledger: RunLedger, sources: readonly Source[]) {
  const counts = runCounts(ledger);
  return {
    run_id: ledger.runId,
    command: ledger.command,
    started_at: new Date(ledger.startedAt),
    finished_at: ledger.end ? new Date(ledger.end.finishedAt) : null,
    status: ledger.end ? ledger.end.status : 'running',
    ...counts,
    detail: JSON.stringify({ ...runDetail(ledger, sources), ...(ledger.end?.detail ? { end: ledger.end.detail } : {}) }),
  };
}

async function upsert(connection: DuckDBConnection, table: string, key: string, rows: Record<string, unknown>[]): Promise<void> {
  const unique = dedupeBy(rows, (r) => String(r[key]));
  if (unique.length === 0) return;
  await connection.run(`DELETE FROM ${table} WHERE ${key} IN (SELECT unnest($1::VARCHAR[]))`, [listValue(unique.map((r) => String(r[key])))]);
  await appendRows(connection, table, unique);
}

/** The last row per key (later events supersede earlier ones). */
function dedupeBy<T>(rows: T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) {
    byKey.delete(key(row));
    byKey.set(key(row), row);
  }
  return [...byKey.values()];
}
