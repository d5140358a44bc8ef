// A local server that attacks the crawler the way a broken or hostile site would (../shared/docs/sites.md
// has the polite imitations; these are the impolite ones), for the hostile-network tests:
//
//   /bomb.gz, /bomb.br, /bomb.deflate   a small body that inflates far past any body cap
//   /bomb-list.html                     the same gzip bomb as a list page
//   /endless                            an uncompressed body that never ends (64 KB chunks, no pause)
//   /drip                               200 headers, then one byte every `dripIntervalMs`, forever
//   /loop/a → /loop/b → /loop/a …       a redirect loop
//   /away                               302 to another port of the same address (off the registry)
//   /list.html                          a list page whose report links point at link-local, private,
//                                       other-port and IPv6 loopback addresses, and at one good report
//   /report.html                        a good report page (a seed rendered as HTML) whose attachments
//                                       point at link-local and other-port addresses
// A second listener on `offRegistryPort` of the same address counts any request that reaches it.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { constants, createBrotliCompress, createDeflate, createGzip, type Gzip } from 'node:zlib';
import { SAMPLES_DIR } from '../samples.ts';
import { reportTextToHtml, trsListPage } from './pages.ts';

export interface HostileSiteOptions {
  /** Loopback address to listen on (default 127.0.0.61). */
  address?: string;
  /** Decompressed size of the bombs (default 1 GB). */
  bombBytes?: number;
  dripIntervalMs?: number;
}

export interface HostileSite {
  origin: string;
  /** The other port on the same address, off the registry; `offRegistryHits` counts requests that reached it. */
  offRegistryOrigin: string;
  offRegistryHits: () => number;
  /** Requests received, in order. */
  requests: { path: string; userAgent: string }[];
  /** Size of each compressed bomb as sent. */
  bombSizes: Record<'gzip' | 'br' | 'deflate', number>;
  /** Addresses the list page and report page link to that must never be requested. */
  forbiddenLinks: string[];
  close(): Promise<void>;
}

const REPORT_TITLE = '示例县民政局2023年政府信息公开工作年度报告';

export async function startHostileSite(options: HostileSiteOptions = {}): Promise<HostileSite> {
  const address = options.address ?? '127.0.0.61';
  const bombBytes = options.bombBytes ?? 1024 ** 3;
  const dripIntervalMs = options.dripIntervalMs ?? 1000;
  const bombs = {
    gzip: await compressZeros(createGzip({ level: 9 }), bombBytes),
    br: await compressZeros(createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }), bombBytes),
    deflate: await compressZeros(createDeflate({ level: 9 }), bombBytes),
  };

  let offHits = 0;
  const offRegistry = createServer((_req, res) => {
    offHits++;
    res.end('off the registry');
  });
  offRegistry.listen(0, address);
  await once(offRegistry, 'listening');
  const offRegistryOrigin = `http://${address}:${(offRegistry.address() as AddressInfo).port}`;

  const forbiddenLinks = [
    'http://169.254.169.254/latest/meta-data/',
    'http://10.1.2.3/zwgk/',
    'http://192.168.1.1/zwgk/',
    'http://[::1]/zwgk/',
    `${offRegistryOrigin}/zwgk/`,
  ];
  const seed = reportTextToHtml(readFileSync(join(SAMPLES_DIR, 'seeds', '001_b4512be360909492.txt'), 'utf8'));
  const requests: HostileSite['requests'] = [];

  const main = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, userAgent: req.headers['user-agent'] ?? '' });
    const html = (body: string) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(body);
    };
    const bomb = (encoding: 'gzip' | 'br' | 'deflate', type: string) => {
      res.writeHead(200, { 'content-type': type, 'content-encoding': encoding, 'content-length': bombs[encoding].length });
      res.end(bombs[encoding]);
    };
    if (path === '/robots.txt') return void res.writeHead(404).end();
    if (path === '/bomb.gz') return bomb('gzip', 'text/html; charset=utf-8');
    if (path === '/bomb.br') return bomb('br', 'application/pdf');
    if (path === '/bomb.deflate') return bomb('deflate', 'text/html');
    if (path === '/bomb-list.html') return bomb('gzip', 'text/html; charset=utf-8');
    if (path === '/endless') return endless(res);
    if (path === '/drip') return drip(res, dripIntervalMs);
    if (path === '/loop/a') return void res.writeHead(302, { location: '/loop/b' }).end();
    if (path === '/loop/b') return void res.writeHead(302, { location: '/loop/a' }).end();
    if (path === '/away') return void res.writeHead(302, { location: `${offRegistryOrigin}/report.html` }).end();
    if (path === '/list.html') {
      const items = [
        ...forbiddenLinks.map((href, i) => ({ href: `${href}t2024010${i}_1.html`, title: `示例${i}局2023年政府信息公开工作年度报告`, date: '2024-01-0' + (i + 1) })),
        { href: '/report.html', title: REPORT_TITLE, date: '2024-01-20' },
      ];
      return html(trsListPage({ siteName: '示例县人民政府', columnName: '政府信息公开年报', items, page: 0, totalPages: 1 }));
    }
    if (path === '/report.html') {
      const links = [...forbiddenLinks.map((href) => `${href}report.pdf`), `${offRegistryOrigin}/report.doc`]
        .map((href, i) => `<p><a href="${href}">附件${i + 1}：${REPORT_TITLE}.pdf</a></p>`)
        .join('');
      return html(`<html><head><title>${REPORT_TITLE}</title></head><body><h1>${REPORT_TITLE}</h1>${seed}${links}</body></html>`);
    }
    res.writeHead(404).end();
  });
  main.listen(0, address);
  await once(main, 'listening');
  const origin = `http://${address}:${(main.address() as AddressInfo).port}`;

  return {
    origin,
    offRegistryOrigin,
    offRegistryHits: () => offHits,
    requests,
    bombSizes: { gzip: bombs.gzip.length, br: bombs.br.length, deflate: bombs.deflate.length },
    forbiddenLinks,
    close: async () => {
      for (const server of [main, offRegistry]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}

async function compressZeros(stream: Gzip | ReturnType<typeof createBrotliCompress>, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = once(stream, 'end');
  const block = Buffer.alloc(4 * 1024 * 1024);
  for (let written = 0; written < bytes; written += block.length) {
    if (!stream.write(block.subarray(0, Math.min(block.length, bytes - written)))) await once(stream, 'drain');
  }
  stream.end();
  await done;
  return Buffer.concat(chunks);
}

/** 64 KB chunks as fast as the client takes them, until it hangs up. */
function endless(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/html' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

/** One byte at a time, never stalling long enough for a per-chunk timeout. */
function drip(res: ServerResponse, intervalMs: number): void {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.write('<');
  const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), intervalMs);
  res.on('close', () => clearInterval(timer));
}


