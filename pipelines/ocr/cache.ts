// OCR results in the raw archive: <data>/raw/ocr/<sha[0:2]>/<sha>.<engine key>.json, one file per
// document and OCR engine version, written atomically like the bodies beside it. A `reprocess` with the
// same engine reads the pages from here instead of OCR-ing them again; a new engine version (or OCR
// method) has a new key, so its results never mix with the old ones.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OcrCache, OcrPage } from '../../extractors/ocr.ts';

export function ocrCachePath(dataDir: string, sha256: string, engine: string): string {
  const key = createHash('sha256').update(engine).digest('hex').slice(0, 12);
  return join(dataDir, 'raw', 'ocr', sha256.slice(0, 2), `${sha256}.${key}.json`);
}

export function archiveOcrCache(dataDir: string, sha256: string, engine: string): OcrCache {
  const path = ocrCachePath(dataDir, sha256, engine);
  return {
    async load() {
      try {
        const stored = JSON.parse(await readFile(path, 'utf8')) as { engine: string; pages: OcrPage[] };
        return stored.engine === engine ? stored.pages : null;
      } catch {
        return null;
      }
    },
    async save(pages) {
      await mkdir(join(path, '..'), { recursive: true });
      const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temp, JSON.stringify({ engine, pages }));
      await rename(temp, path);
    },
  };
}
