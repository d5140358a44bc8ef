// Local files or URLs → records → warehouse, in batches: what `load` and `demo` do. The warehouse is
// opened only while a batch is written (one transaction), never while documents are being extracted,
// so other processes can query it in between.
import { extractInput, inputFailed, type ExtractInputOptions, type ExtractedInput } from './extractInputs.ts';
import { DEFAULT_BATCH_SIZE, loadRecords, type LoadSummary } from './load.ts';
import { withWarehouse, type OpenWarehouseOptions } from './warehouse.ts';

export interface IngestOptions extends ExtractInputOptions {
  dbPath: string;
  warehouse?: OpenWarehouseOptions;
  batchSize?: number;
  /** Called after each input is extracted (progress output). */
  onExtracted?: (extracted: ExtractedInput) => void;
}

export interface IngestResult {
  inputs: ExtractedInput[];
  /** Inputs whose record has an error issue (exit status 1); they are loaded when their bytes were read. */
  failed: ExtractedInput[];
  /** Inputs that could not be read at all, so there was nothing to load. */
  notLoaded: ExtractedInput[];
  loaded: LoadSummary;
}

export async function ingest(inputs: readonly string[], options: IngestOptions): Promise<IngestResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const result: IngestResult = { inputs: [], failed: [], notLoaded: [], loaded: emptySummary() };
  for (let start = 0; start < inputs.length; start += batchSize) {
    const batch: ExtractedInput[] = [];
    for (const input of inputs.slice(start, start + batchSize)) {
      const extracted = await extractInput(input, options);
      options.onExtracted?.(extracted);
      batch.push(extracted);
    }
    result.inputs.push(...batch);
    result.failed.push(...batch.filter((extracted) => inputFailed(extracted.record)));
    result.notLoaded.push(...batch.filter((extracted) => extracted.document === null));
    const loadable = batch.filter((extracted) => extracted.document !== null);
    if (loadable.length === 0) continue;
    const summary = await withWarehouse(options.dbPath, options.warehouse ?? {}, (warehouse) =>
      loadRecords(
        warehouse,
        loadable.map((extracted) => extracted.record),
        { documents: loadable.map((extracted) => extracted.document!) },
      ),
    );
    addSummary(result.loaded, summary);
  }
  return result;
}

function emptySummary(): LoadSummary {
  return { reports: 0, replaced: 0, duplicatesDropped: 0, cells: 0, checks: 0, issues: 0, proseCounts: 0, documents: 0 };
}

function addSummary(total: LoadSummary, batch: LoadSummary): void {
  for (const key of Object.keys(total) as (keyof LoadSummary)[]) total[key] += batch[key];
}
