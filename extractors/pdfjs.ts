// pdf.js (pdfjs-dist's legacy build, the one that runs on Node 20), loaded once per thread together
// with its worker half: under Node pdf.js runs its "worker" in the calling thread, and with the module
// already loaded (it sets globalThis.pdfjsWorker) no document waits for it to be imported.
//
// The legacy build's core-js polyfills replace Array.prototype.push with a JavaScript function (for
// V8 ≤ 12.1's handling of array lengths beyond 2^32, which no PDF reaches). Every push of the thread then
// went through it, pdf.js's operator lists and all our own code alike: it was the top self-time entry
// of a PDF profile. The native push is put back once both halves are loaded; nothing else is touched.
//
// Loading, core-js reads an Error's stack; with source maps on (tsx turns them on) that parsed pdf.js's
// own multi-megabyte source maps, ~0.8 s per thread. They are off while pdf.js loads, so its frames
// in a stack trace show the bundle's lines.
const nativePush = Array.prototype.push;
const sourceMaps = process.sourceMapsEnabled;
process.setSourceMapsEnabled(false);
let pdfjs: typeof import('pdfjs-dist/legacy/build/pdf.mjs');
try {
  pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // @ts-expect-error pdfjs-dist ships no type declarations for its worker module
  await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
} finally {
  process.setSourceMapsEnabled(sourceMaps);
  if (Array.prototype.push !== nativePush) {
    Object.defineProperty(Array.prototype, 'push', { value: nativePush, writable: true, enumerable: false, configurable: true });
  }
}

export { pdfjs };
