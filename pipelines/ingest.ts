// Local files or URLs → records → warehouse, in batches: what `load` does. Inputs arrive as a stream
// (pipelines/inputStream.ts); a bounded number are in the extraction pool at once, and records are
// loaded in batches of `batchSize` while the pool goes on with the next documents. So the memory held
// is a few batches' worth whatever the number of inputs. The warehouse is opened only while a batch is
// written (one transaction), so other processes can query it in between.
import { extractInput, inputFailed, type ExtractInputOptions, type ExtractedInput } from './extractInputs.ts';
import { DocumentExtractor, type DocumentExtractorOptions } from './extractPool/extractor.ts';
import { collectGarbageIfGrown } from './heap.ts';
import { DEFAULT_BATCH_SIZE, emptyLoadSummary, loadRecords, type LoadSummary } from './load.ts';
import { threadsBesidePool, withWarehouse, type OpenWarehouseOptions } from './warehouse.ts';

export interface IngestOptions extends ExtractInputOptions, DocumentExtractorOptions {
  dbPath: string;
  warehouse?: OpenWarehouseOptions;
  batchSize?: number;
  /** Called after each input is extracted, in the order extractions finish (progress and failure output). */
  onExtracted?: (extracted: ExtractedInput) => void;
}

export interface IngestResult {
  inputs: number;
  /** Inputs whose record has an error issue (exit status 1); they are loaded when their bytes were read. */
  failed: number;
  /** Inputs that could not be read at all, so there was nothing to load. */
  notLoaded: number;
  loaded: LoadSummary;
}

export async function ingest(inputs: AsyncIterable<string> | Iterable<string>, options: IngestOptions): Promise<IngestResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const result: IngestResult = { inputs: 0, failed: 0, notLoaded: 0, loaded: emptyLoadSummary() };
  const extractor = new DocumentExtractor(options);
  // Enough documents in flight to keep every worker busy while the coordinator reads the next files.
  const maxInFlight = extractor.pool.workers * 2;
  const inFlight = new Set<Promise<void>>();
  let batch: ExtractedInput[] = [];
  let loading: Promise<void> = Promise.resolve();
  let loadError: unknown = null;
  let batchesWaiting = 0;

  const flush = () => {
    const loadable = batch.filter((extracted) => extracted.document !== null);
    batch = [];
    if (loadable.length === 0) return;
    batchesWaiting++;
    loading = loading.then(async () => {
      batchesWaiting--;
      if (loadError) return;
      try {
        const summary = await withWarehouse(options.dbPath, { threads: threadsBesidePool(extractor.pool.workers), ...options.warehouse }, (warehouse) =>
          loadRecords(warehouse, loadable.map((extracted) => extracted.record), { documents: loadable.map((extracted) => extracted.document!), schemaChecked: true }),
        );
        addSummary(result.loaded, summary);
        collectGarbageIfGrown();
      } catch (error) {
        loadError = error;
      }
    });
  };

  try {
    for await (const input of inputs) {
      if (loadError) break;
      result.inputs++;
      const task = extractInput(input, extractor, options).then((extracted) => {
        inFlight.delete(task);
        options.onExtracted?.(extracted);
        if (inputFailed(extracted.record)) result.failed++;
        if (extracted.document === null) result.notLoaded++;
        batch.push(extracted);
        if (batch.length >= batchSize) flush();
      });
      inFlight.add(task);
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      // The warehouse is slower than the pool: wait rather than pile up extracted batches.
      if (batchesWaiting > 1) await loading;
    }
    await Promise.all(inFlight);
    flush();
    await loading;
  } finally {
    await extractor.close();
  }
  if (loadError) throw loadError;
  return result;
}

function addSummary(total: LoadSummary, batch: LoadSummary): void {
  for (const key of Object.keys(total) as (keyof LoadSummary)[]) total[key] += batch[key];
}
