// `npm run bench:kiosk`: cold first result, per-image time and first-use download of the kiosk in headless Chromium (WASM).
import { createServer, request, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  KIOSK_DIR,
  classifyInPage,
  ensureKioskBuilt,
  freePort,
  kioskContext,
  launchChromium,
  startNodeServer,
  waitForEngine,
  waitForOfflineReady,
} from '../test/support/browser-harness.js';
import { loadFixtures } from '../test/support/browser-fixtures.js';

const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 3);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
/** BENCH_THREADS=1 makes the page see that many cores, so the kiosk sizes its WASM thread pool accordingly. */
const THREADS = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : undefined;

async function benchContext(browser: Awaited<ReturnType<typeof launchChromium>>) {
  const context = await kioskContext(browser);
  if (THREADS) await context.addInitScript(`Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => ${THREADS} })`);
  return context;
}

/** A pass-through proxy that counts the bytes the browser actually receives (the service worker's downloads included). */
async function countingProxy(target: string): Promise<{ url: string; bytes: () => number; reset: () => void; server: Server }> {
  const port = await freePort();
  const upstream = new URL(target);
  let bytes = 0;
  const server = createServer((req, res) => {
    const out = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.on('data', (chunk: Buffer) => (bytes += chunk.length));
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}`, bytes: () => bytes, reset: () => (bytes = 0), server };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
const mb = (n: number) => (n / 1e6).toFixed(2);

function precachedSizes(): { raw: number; gzip: number; parts: Record<string, { raw: number; gzip: number }> } {
  // Exactly what sw.js precaches (precache:!0); the WebGPU build (precache:!1) is fetched only where WebGPU is used.
  const sw = readFileSync(join(KIOSK_DIR, 'sw.js'), 'utf8');
  const urls = ['sw.js', ...[...sw.matchAll(/url:"([^"]+)",revision:"[0-9a-f]+",precache:!0/g)].map((m) => m[1]).filter((u) => u !== './')];
  const parts: Record<string, { raw: number; gzip: number }> = {};
  let raw = 0;
  let gzip = 0;
  for (const url of urls) {
    const bytes = readFileSync(join(KIOSK_DIR, url));
    const part = url.startsWith('ort/') ? 'onnxruntime-web' : url.startsWith('model/') ? 'model' : 'app';
    const g = gzipSync(bytes, { level: 6 }).length;
    parts[part] ??= { raw: 0, gzip: 0 };
    parts[part].raw += bytes.length;
    parts[part].gzip += g;
    raw += bytes.length;
    gzip += g;
  }
  return { raw, gzip, parts };
}

async function main(): Promise<void> {
  ensureKioskBuilt();
  const fixtures = loadFixtures();
  const server = await startNodeServer();
  const proxy = await countingProxy(server.url);
  const browser = await launchChromium();
  const rows: [string, string, string][] = [];
  try {
    // Cold: a fresh browser profile each run (no HTTP cache, no service worker), image dropped as soon as the page is up.
    const cold: number[] = [];
    const downloads: number[] = [];
    const marks: { controlled: number; ortInit: number; fetched: number; engine: number; result: number }[] = [];
    let backend = '';
    for (let i = 0; i < COLD_RUNS; i++) {
      const context = await benchContext(browser);
      const page = await context.newPage();
      proxy.reset();
      const t0 = Date.now();
      await page.goto(`${proxy.url}/`, { waitUntil: 'domcontentloaded' });
      await classifyInPage(page, fixtures[i % fixtures.length].path);
      cold.push(Date.now() - t0);
      marks.push(
        // No named helpers inside evaluate: tsx's keepNames would reference a __name the page does not have.
        await page.evaluate(() => {
          const [controlled, ortInit, fetched, engine, file] = ['kiosk:sw-controlled', 'kiosk:ort-initialised', 'kiosk:model-fetched', 'kiosk:engine-ready', 'kiosk:file'].map((n) =>
            Math.round(performance.getEntriesByName(n).at(-1)?.startTime ?? NaN),
          );
          return { controlled, ortInit, fetched, engine, result: file + Math.round(performance.getEntriesByName('kiosk:result').at(-1)?.duration ?? NaN) };
        }),
      );
      backend = await waitForEngine(page);
      await waitForOfflineReady(page);
      await page.waitForTimeout(300);
      downloads.push(proxy.bytes());
      await context.close();
    }

    // Warm: same profile, page reloaded from the service worker's cache.
    const context = await benchContext(browser);
    const page = await context.newPage();
    await page.goto(`${proxy.url}/`);
    await waitForEngine(page);
    await waitForOfflineReady(page);
    const warm: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const t0 = Date.now();
      await page.reload({ waitUntil: 'domcontentloaded' });
      await classifyInPage(page, fixtures[i % fixtures.length].path);
      warm.push(Date.now() - t0);
    }

    // Further images: file picked -> result drawn, as the page measures it (performance.measure 'kiosk:result').
    await page.reload();
    await waitForEngine(page);
    await classifyInPage(page, fixtures[0].path);
    // Two batches. The first starts right after the reload, while V8 is still compiling ORT's WebAssembly with its
    // optimising tier in the background (a Chromium trace of one such batch: 1.84 s of wasm.TopTierCompilation on pool
    // threads, after a code-cache hit), which on two cores competes with inference: image times fell from 30 to 60 ms
    // towards 16 to 24 ms over the batch. The second follows on the same page, as a kiosk left open runs.
    const batch = async () => {
      const times: number[] = [];
      const inference: number[] = [];
      for (let r = 0; r < REPEATS; r++) {
        for (const f of fixtures) {
          const shown = await classifyInPage(page, f.path);
          times.push(await page.evaluate(() => performance.getEntriesByName('kiosk:result').at(-1)!.duration));
          inference.push(Number(/· (\d+) ms ·/.exec(shown.meta)?.[1] ?? NaN));
        }
      }
      return { times, inference };
    };
    const afterReload = await batch();
    const settled = await batch();
    await context.close();

    const sizes = precachedSizes();
    rows.push(['engine', backend.replace('On this device: ', ''), '']);
    rows.push(['first result after cold page load (median)', `${median(cold)} ms`, '<= 2000 ms']);
    rows.push(['  cold runs', cold.map((x) => `${x}`).join(', ') + ' ms', '']);
    const m = marks[Math.floor(marks.length / 2)];
    rows.push(['  page clock: SW ready / ORT up / model here / engine / result', `${m.controlled} / ${m.ortInit} / ${m.fetched} / ${m.engine} / ${m.result} ms`, '']);
    rows.push(['first result after reload from cache (median)', `${median(warm)} ms`, '']);
    for (const [name, b] of [['right after a reload', afterReload], ['the next ones (page settled)', settled]] as const) {
      rows.push([`each further image, ${name}: file -> result drawn (median, n=${b.times.length})`, `${median(b.times).toFixed(1)} ms`, '<= 25 ms']);
      rows.push(['  p95', `${p95(b.times).toFixed(1)} ms`, '']);
      rows.push(['  of which classify + saliency (median)', `${median(b.inference)} ms`, '']);
    }
    rows.push(['first-use download, measured on the wire (median)', `${mb(median(downloads))} MB`, 'reported']);
    for (const [part, s] of Object.entries(sizes.parts)) rows.push([`  ${part}`, `${mb(s.raw)} MB raw, ${mb(s.gzip)} MB gzip`, '']);
    rows.push(['  total precached', `${mb(sizes.raw)} MB raw, ${mb(sizes.gzip)} MB gzip`, '']);
  } finally {
    await browser.close();
    proxy.server.close();
    await server.stop();
  }
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const line = (a: string, b: string, c: string) => `| ${a.padEnd(w0)} | ${b.padEnd(w1)} | ${c.padEnd(10)} |`;
  console.log(`\nKiosk benchmark: headless Chromium (${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'}, --disable-gpu), Node server, ${fixtures.length} fixtures${THREADS ? `, page told ${THREADS} core(s)` : ''}\n`);
  console.log(line('measure', 'value', 'target'));
  console.log(`|${'-'.repeat(w0 + 2)}|${'-'.repeat(w1 + 2)}|${'-'.repeat(12)}|`);
  for (const r of rows) console.log(line(...r));
}

await main();
