// npm run bench:edge: the Worker's upload size against Cloudflare's limits, then latency and memory in local workerd.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zlibSync } from 'fflate';
import { unstable_startWorker } from 'wrangler';
import { pngContainer } from '../src/core/png.js';
import { ROOT } from '../test/support/worker-server.js';

// Offline, wrangler warns on every start that it cannot fetch Request.cf; that is expected here.
process.env.WRANGLER_LOG ??= 'error';

const MiB = 1024 * 1024;
const KiB = 1024;
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 3);
// classify: issue 11 (the Worker within 15 ms p50); overlay: as classify plus rendering and a pure-JS PNG encode.
const TARGETS = { classifyP50: 15, overlayP50: 40, firstRequest: 1500, memory: 128 };
// https://developers.cloudflare.com/workers/platform/limits/#worker-size (checked 2026-11): after compression.
const LIMITS = { freeGzip: 3 * MiB, paidGzip: 10 * MiB, uncompressed: 64 * MiB, assetFile: 25 * MiB };

const fmt = (bytes: number) => (bytes >= MiB ? `${(bytes / MiB).toFixed(2)} MiB` : `${(bytes / KiB).toFixed(1)} KiB`);
/** Nearest-rank percentile (p50 of 3 values is the middle one). */
const pct = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (v: number) => `${v.toFixed(1)} ms`;

function table(head: string[], rows: (string | number)[][]): void {
  console.log(`| ${head.join(' | ')} |`);
  console.log(`| ${head.map(() => '---').join(' | ')} |`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log('');
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

function bundle(): void {
  const out = mkdtempSync(join(tmpdir(), 'edge-bundle-'));
  try {
    // The exact files `wrangler deploy` would upload, without an account or network.
    const log = execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', out], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const total = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(log);
    const files = readdirSync(out).filter((n) => !n.endsWith('.map') && n !== 'README.md');
    const rows = files.map((n) => {
      const bytes = readFileSync(join(out, n));
      return { name: n.replace(/^[0-9a-f]{40}-/, ''), raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
    });
    const raw = rows.reduce((s, r) => s + r.raw, 0);
    const gz = rows.reduce((s, r) => s + r.gz, 0);
    console.log('## Worker upload (wrangler deploy --dry-run --outdir)\n');
    table(
      ['module', 'uncompressed', 'gzip -9'],
      [...rows.map((r) => [r.name, fmt(r.raw), fmt(r.gz)]), ['**total**', `**${fmt(raw)}**`, `**${fmt(gz)}**`]],
    );
    if (total) console.log(`wrangler reports: Total Upload ${total[1]} KiB / gzip ${total[2]} KiB\n`);
    const wranglerGzip = total ? Number(total[2]) * KiB : gz;
    table(
      ['limit (Cloudflare Workers)', 'value', 'this Worker', 'fits'],
      [
        ['Worker size, Free plan (compressed)', fmt(LIMITS.freeGzip), fmt(wranglerGzip), wranglerGzip <= LIMITS.freeGzip ? 'yes' : '**no**'],
        ['Worker size, Paid plan (compressed)', fmt(LIMITS.paidGzip), fmt(wranglerGzip), wranglerGzip <= LIMITS.paidGzip ? 'yes' : '**no**'],
        ['Worker size, uncompressed (both plans)', fmt(LIMITS.uncompressed), fmt(raw), raw <= LIMITS.uncompressed ? 'yes' : '**no**'],
      ],
    );
    console.log(
      'Applies: the **Workers Paid** plan. The ORT WASM alone is over the Free plan\'s 3 MB, and Free\'s 10 ms CPU per request is less than one inference.\n',
    );
    const assetsDir = join(ROOT, 'dist/kiosk');
    const assets = walk(assetsDir).map((p) => ({ p: p.slice(assetsDir.length + 1), b: statSync(p).size }));
    const largest = assets.sort((a, b) => b.b - a.b)[0];
    console.log(
      `Static assets (kiosk, uploaded separately, not part of the Worker size): ${assets.length} files, ${fmt(assets.reduce((s, a) => s + a.b, 0))}` +
        (largest ? `; largest ${largest.p} ${fmt(largest.b)} (limit ${fmt(LIMITS.assetFile)} per file)` : ' (dist/kiosk is empty: run npm run build:kiosk)') +
        '\n',
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * workerd processes this Node process spawned, oldest first. wrangler runs two per dev Worker: its proxy, then the
 * runtime that holds the Worker's isolate (spawned once the bundle is built).
 */
function workerdPids(): number[] {
  const found: { pid: number; started: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = /\((.*)\)/.exec(stat)?.[1];
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (comm === 'workerd' && Number(fields[1]) === process.pid) found.push({ pid: Number(entry), started: Number(fields[19]) });
    } catch {
      // the process ended while we looked
    }
  }
  return found.sort((a, b) => a.started - b.started || a.pid - b.pid).map((f) => f.pid);
}

/** The workerd that runs the Worker itself (the newest one). */
const runtimePid = (): number | undefined => workerdPids().at(-1);

/** CPU time (user + system) the process has used, in ms; Linux reports it in 10 ms clock ticks. */
function cpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** A minimal Chrome DevTools Protocol client for the Worker's inspector (heap and WASM memory of the isolate). */
interface SocketLike {
  addEventListener(type: 'open' | 'error' | 'message', listener: (event: { data?: unknown }) => void): void;
  send(data: string): void;
  close(): void;
}

/** Node 22+ has a global WebSocket; Node 20 uses `ws`, which wrangler's dev server already depends on. */
async function openSocket(url: string): Promise<SocketLike> {
  const Ctor = ((globalThis as { WebSocket?: unknown }).WebSocket ?? (await import('ws' as string)).WebSocket) as new (url: string) => SocketLike;
  const ws = new Ctor(url);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve);
    ws.addEventListener('error', reject);
  });
  return ws;
}

async function inspector(url: URL) {
  const ws = await openSocket(`${url.href.replace(/^http/, 'ws')}ws`);
  let next = 0;
  const pending = new Map<number, (v: { result?: Record<string, unknown>; error?: { message: string } }) => void>();
  // workerd may replace the isolate's execution context between requests: keep the newest one.
  let contextId: number | undefined;
  ws.addEventListener('message', (event) => {
    const msg = JSON.parse(String(event.data));
    if (msg.method === 'Runtime.executionContextCreated') contextId = msg.params.context.id;
    if (msg.id !== undefined) pending.get(msg.id)?.(msg);
  });
  const call = async (method: string, params: object = {}) => {
    const id = ++next;
    const reply = await new Promise<{ result?: Record<string, unknown>; error?: { message: string } }>((resolve) => {
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
    pending.delete(id);
    if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result as unknown;
  };
  await call('Runtime.enable');
  for (let i = 0; i < 50 && contextId === undefined; i++) await new Promise((r) => setTimeout(r, 20));
  return {
    async heap(): Promise<{ used: number; total: number }> {
      const h = (await call('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
      return { used: h.usedSize, total: h.totalSize };
    },
    /** Every live WebAssembly.Memory in the isolate (ORT's heap), found through the heap itself. */
    async wasm(): Promise<number> {
      const evaluate = () => call('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype', contextId });
      // A context that went away between the event and this call: wait for its replacement once.
      const proto = (await evaluate().catch(async () => {
        await new Promise((r) => setTimeout(r, 200));
        return evaluate();
      })) as { result: { objectId: string } };
      const objects = (await call('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId })) as { objects: { objectId: string } };
      const sizes = (await call('Runtime.callFunctionOn', {
        objectId: objects.objects.objectId,
        functionDeclaration: 'function () { return this.map((m) => m.buffer.byteLength); }',
        returnByValue: true,
      })) as { result: { value: number[] } };
      return sizes.result.value.reduce((a, b) => a + b, 0);
    },
    close: () => ws.close(),
  };
}

async function start(withInspector: boolean, echo = false) {
  const t0 = performance.now();
  const worker = await unstable_startWorker({
    ...(echo
      ? { entrypoint: join(ROOT, 'scripts/echo-app.ts'), name: 'bench-echo', compatibilityDate: '2025-09-01' }
      : { config: join(ROOT, 'wrangler.toml'), envFiles: [] }),
    dev: {
      server: { hostname: '127.0.0.1', port: 0 },
      inspector: withInspector ? { hostname: '127.0.0.1', port: 0 } : false,
      watch: false,
      persist: false,
      logLevel: (process.env.EDGE_LOG_LEVEL as 'error' | undefined) ?? 'error',
    },
  });
  await worker.ready;
  const url = await worker.url;
  return { worker, url, startMs: performance.now() - t0 };
}

/** One POST; a status other than 200 throws unless `mustSucceed` is false (the worst inputs are refused on purpose). */
async function post(url: URL, path: string, body: Uint8Array, type: string, mustSucceed = true): Promise<{ ms: number; res: Response; body: ArrayBuffer; status: number }> {
  const t0 = performance.now();
  const res = await fetch(new URL(path, url), { method: 'POST', body: body as Uint8Array<ArrayBuffer>, headers: { 'content-type': type } });
  const buf = await res.arrayBuffer();
  const elapsed = performance.now() - t0;
  if (mustSucceed && res.status !== 200) throw new Error(`${path} answered ${res.status}: ${new TextDecoder().decode(buf).slice(0, 300)}`);
  return { ms: elapsed, res, body: buf, status: res.status };
}

function jpegSize(b: Uint8Array): [number, number] {
  for (let i = 2; i < b.length - 9; ) {
    const marker = b[i + 1];
    if (marker >= 0xc0 && marker <= 0xc2) return [(b[i + 7] << 8) | b[i + 8], (b[i + 5] << 8) | b[i + 6]];
    i += 2 + ((b[i + 2] << 8) | b[i + 3]);
  }
  return [0, 0];
}

async function latencyAndMemory(): Promise<void> {
  const fixtures = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/fixtures.json'), 'utf8')) as { file: string }[];
  const path = (f: string) => join(ROOT, 'test/fixtures', f.includes('/') ? f : `images/${f}`);
  const jpegFile = fixtures.map((f) => f.file).find((f) => f.endsWith('.jpg'))!;
  const jpeg = new Uint8Array(readFileSync(path(jpegFile)));
  const [w, h] = jpegSize(jpeg);

  console.log(`## Latency in local workerd (wrangler ${JSON.parse(readFileSync(join(ROOT, 'node_modules/wrangler/package.json'), 'utf8')).version}, ${jpegFile} ${w}x${h}, wall time at the client over loopback)\n`);
  // Per fresh Worker: wrangler first bundles and spawns a workerd for it (local tooling, seconds on this machine);
  // once that process exists, a /healthz measures the rest of the isolate start (module evaluation, compiling the
  // 13.6 MB ORT wasm), then the first classify measures model load (sha256, wasm instantiation, session) + inference.
  const isolateStart: number[] = [];
  const firstClassify: number[] = [];
  const starts: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const before = new Set(workerdPids());
    const t0 = performance.now();
    const { worker, url } = await start(false);
    const fresh = () => workerdPids().filter((p) => !before.has(p)).length;
    for (let k = 0; k < 500 && fresh() < 2; k++) await new Promise((r) => setTimeout(r, 20));
    starts.push(performance.now() - t0);
    const t1 = performance.now();
    await (await fetch(new URL('/healthz', url))).arrayBuffer();
    isolateStart.push(performance.now() - t1);
    firstClassify.push((await post(url, '/v1/classify', jpeg, 'image/jpeg')).ms);
    await worker.dispose();
  }
  const both = isolateStart.map((v, i) => v + firstClassify[i]);

  // The floor: the same upload to a Worker that only reads it, through the same local proxy and workerd.
  const echo = await start(false, true);
  const floor: number[] = [];
  try {
    for (let i = 0; i < 20; i++) await post(echo.url, '/', jpeg, 'image/jpeg');
    for (let i = 0; i < RUNS; i++) floor.push((await post(echo.url, '/', jpeg, 'image/jpeg')).ms);
  } finally {
    await echo.worker.dispose();
  }

  const { worker, url } = await start(true);
  try {
    await post(url, '/v1/classify', jpeg, 'image/jpeg');
    for (let i = 0; i < 5; i++) await post(url, '/v1/classify?saliency=overlay', jpeg, 'image/jpeg');
    const pid = runtimePid();
    const cpu0 = cpuMs(pid);
    const classify: number[] = [];
    const server = { decode: [] as number[], gate: [] as number[], preprocess: [] as number[], inference: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      const r = await post(url, '/v1/classify', jpeg, 'image/jpeg');
      classify.push(r.ms);
      const t = JSON.parse(new TextDecoder().decode(r.body)).timings;
      server.decode.push(t.decode);
      server.gate.push(t.gate);
      server.preprocess.push(t.preprocess);
      server.inference.push(t.inference);
    }
    const cpu1 = cpuMs(pid);
    const overlay: number[] = [];
    for (let i = 0; i < RUNS; i++) overlay.push((await post(url, '/v1/saliency?view=overlay', jpeg, 'image/jpeg')).ms);
    const cpu2 = cpuMs(pid);
    const cpuPer = (a: number, b: number) => (Number.isNaN(a) ? 'n/a' : ms((b - a) / RUNS));

    const verdict = (v: number, target: number) => (v <= target ? 'met' : '**missed**');
    table(
      ['measure', 'p50', 'p90', 'workerd CPU per request', 'target', ''],
      [
        [`echo Worker: upload read, JSON answer (${RUNS} runs; the local proxy and workerd's floor)`, ms(pct(floor, 50)), ms(pct(floor, 90)), '', '', ''],
        [`POST /v1/classify (${RUNS} runs; ${(pct(classify, 50) / pct(floor, 50)).toFixed(1)}x the echo, ${ms(pct(classify, 50) - pct(floor, 50))} above it)`, ms(pct(classify, 50)), ms(pct(classify, 90)), cpuPer(cpu0, cpu1), `<= ${TARGETS.classifyP50} ms p50`, verdict(pct(classify, 50), TARGETS.classifyP50)],
        [`POST /v1/saliency?view=overlay (${RUNS} runs)`, ms(pct(overlay, 50)), ms(pct(overlay, 90)), cpuPer(cpu1, cpu2), `<= ${TARGETS.overlayP50} ms p50`, verdict(pct(overlay, 50), TARGETS.overlayP50)],
        [`first classify on a fresh isolate, session creation included (${COLD_STARTS} isolates)`, ms(pct(firstClassify, 50)), ms(Math.max(...firstClassify)), '', `<= ${TARGETS.firstRequest} ms`, verdict(pct(firstClassify, 50), TARGETS.firstRequest)],
        ['isolate start: first /healthz once workerd runs (module evaluation, wasm compile)', ms(pct(isolateStart, 50)), ms(Math.max(...isolateStart)), '', '', ''],
        ['first request to a fresh isolate that classifies (the two rows above)', ms(pct(both, 50)), ms(Math.max(...both)), '', `<= ${TARGETS.firstRequest} ms`, verdict(pct(both, 50), TARGETS.firstRequest)],
        ['local tooling before that: wrangler bundles and spawns workerd (not on Cloudflare)', ms(pct(starts, 50)), ms(Math.max(...starts)), '', '', ''],
      ],
    );
    console.log('CPU per request: user+system time of the workerd process that runs the Worker (/proc, 10 ms ticks) over the runs, divided by the runs; unlike wall time it barely depends on how busy the machine is.\n');
    console.log("Server-side split of classify (the app's own timings, workerd clock, p50): " +
      `decode ${pct(server.decode, 50)} ms, input gate ${pct(server.gate, 50)} ms (target <= 10 ms), preprocess ${pct(server.preprocess, 50)} ms, inference ${pct(server.inference, 50)} ms.\n`);

    console.log('## Memory under 50 sequential requests (one isolate)\n');
    const cdp = await inspector((await worker.inspectorUrl)!);
    const rows: (string | number)[][] = [];
    const sample = async (n: number) => {
      const heap = await cdp.heap();
      const wasm = await cdp.wasm();
      const rss = pid ? rssBytes(pid) : NaN;
      rows.push([n, fmt(heap.used), fmt(heap.total), fmt(wasm), fmt(heap.total + wasm), Number.isNaN(rss) ? 'n/a' : fmt(rss)]);
      return heap.total + wasm;
    };
    let peak = await sample(0);
    const files = fixtures.map((f) => ({ bytes: new Uint8Array(readFileSync(path(f.file))), type: f.file.endsWith('.png') ? 'image/png' : 'image/jpeg' }));

    for (let i = 1; i <= 50; i++) {
      const f = files[i % files.length];
      await post(url, i % 2 ? '/v1/classify?saliency=overlay' : '/v1/saliency?view=heatmap', f.bytes, f.type);
      if (i % 10 === 0) peak = Math.max(peak, await sample(i));
    }
    // The worst inputs the hardening issue found: a small 6000 x 6000 16-bit RGBA PNG (refused by its header), and the
    // largest images the Worker's limits admit (a brain slice upscaled to 4096 x 4096, grey JPEG, with an overlay).
    const sharp = (await import('sharp')).default;
    const bomb = pngContainer(6000, 6000, 16, 6, zlibSync(new Uint8Array((1 + 6000 * 8) * 64), { level: 9 }));
    const big = new Uint8Array(await sharp(files[0].bytes).greyscale().resize(4096, 4096).jpeg({ quality: 90 }).toBuffer());
    const worst: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await post(url, '/v1/classify?saliency=overlay', i % 2 ? bomb : big, i % 2 ? 'image/png' : 'image/jpeg', false);
      worst.push(`${i % 2 ? 'bomb' : '4096 px'}: ${r.status}`);
      peak = Math.max(peak, await sample(50 + i + 1));
    }
    console.log(`Worst inputs (after the 50 above): ${worst.join(', ')}.\n`);
    table(['after request', 'V8 heap used', 'V8 heap total', 'WASM memory', 'isolate (heap total + WASM)', 'workerd process RSS'], rows);
    console.log(
      `Peak isolate memory ${fmt(peak)} against the ${TARGETS.memory} MB limit: ${peak <= TARGETS.memory * 1e6 ? 'met' : '**missed**'}. ` +
        'Measured through the Worker\'s inspector (Runtime.getHeapUsage, and every WebAssembly.Memory found with Runtime.queryObjects); ' +
        'the workerd RSS is an upper bound that also holds the runtime itself, Miniflare\'s helper workers and the compiled wasm code.\n',
    );
    cdp.close();
  } finally {
    await worker.dispose();
  }
}

console.log(`# bench:edge (${new Date().toISOString()}, Node ${process.version}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})\n`);
bundle();
await latencyAndMemory();
