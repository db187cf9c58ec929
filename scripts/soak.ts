// `npm run soak`: the Node service under hostile load, measured from outside (issue 13's numbers): twice its capacity
// for minutes, decompression bombs at concurrency 8, stalled uploads, a slow-drip body, then a minute idle.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { freePort } from './free-port.js';
import { zlibSync } from 'fflate';
import sharp from 'sharp';
import { pngContainer } from '../src/core/png.js';
import { spawnService } from './spawn-service.js';

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const IDLE_SECONDS = Number(process.env.SOAK_IDLE_SECONDS ?? 60);
const image = new Uint8Array(readFileSync(new URL('../test/fixtures/images/glioma-1.jpg', import.meta.url)));


/** "heap MB / rest MB" from the service's own /metrics: says whether memory kept after load is V8's or native. */
async function memoryParts(port: number): Promise<string> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
  const value = (name: string): number => Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN) / 1048576;
  const heap = value('brain_mri_nodejs_heap_size_total_bytes');
  const rss = value('brain_mri_process_resident_memory_bytes');
  return `${heap.toFixed(0)} / ${(rss - heap).toFixed(0)} MB`;
}

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const pct = (v: number[], p: number): number => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor((p / 100) * v.length))] ?? NaN;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  status: number;
  ms: number;
}

async function main(): Promise<void> {
  const port = await freePort();
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const child = spawnService(['bin/brain-mri.js', 'serve'], port);
  const pid = child.pid!;

  /** One POST; resolves with the status (0 for a connection error) and its duration. */
  const post = (body: Uint8Array, type = 'image/jpeg', path = '/v1/classify'): Promise<Outcome> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': type, 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
      });
      req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
      req.end(body);
    });

  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  for (let i = 0; i < 50; i++) await post(image);
  await sleep(2000);
  const idleStart = rssMb(pid);
  const memoryStart = await memoryParts(port);
  const unloaded: number[] = [];
  for (let i = 0; i < 300; i++) unloaded.push((await post(image)).ms);

  // Capacity: the most 200s per second that a closed loop of 1, 2, 4 or 8 clients gets (5 s each). One count at 8 would
  // understate it: with a short queue most of 8 clients' requests are 503s, which measures the shedding, not the service.
  const capacities: string[] = [];
  let capacity = 0;
  for (const clients of [1, 2, 4, 8]) {
    let done = 0;
    const capEnd = performance.now() + 5_000;
    await Promise.all(Array.from({ length: clients }, async () => {
      while (performance.now() < capEnd) if ((await post(image)).status === 200) done++;
    }));
    capacities.push(`${clients}: ${(done / 5).toFixed(0)}`);
    capacity = Math.max(capacity, done / 5);
  }

  // Soak: open loop at twice the capacity; every response must be 200, 4xx or 503.
  const rate = capacity * 2;
  const statuses = new Map<number, number>();
  const ok: number[] = [];
  let rssPeak = rssMb(pid);
  const inflight: Promise<void>[] = [];
  const soakEnd = performance.now() + SOAK_SECONDS * 1000;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(pid))), 500);
  let sent = 0;
  const t0 = performance.now();
  while (performance.now() < soakEnd) {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate);
    for (; sent < due; sent++) {
      inflight.push(
        post(image).then((o) => {
          statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
          if (o.status === 200) ok.push(o.ms);
        }),
      );
    }
    await sleep(2);
  }
  await Promise.all(inflight);
  const soakPeak = rssPeak;

  // Worst inputs at concurrency 8: the 16-bit RGBA bomb the hardening issue measured, and the largest legitimate work, a
  // brain slice upscaled to 6000 x 6000 (36 MP, under the 40 MP limit) with an overlay at that size.
  const side = 6000;
  const bomb = pngContainer(side, side, 16, 6, zlibSync(new Uint8Array((1 + side * 8) * 64), { level: 9 }));
  const bigGrey = new Uint8Array(await sharp(image).greyscale().resize(side, side).jpeg({ quality: 90 }).toBuffer());
  const bombStatuses = new Map<number, number>();
  rssPeak = rssMb(pid);
  const bombEnd = performance.now() + 30_000;
  await Promise.all(Array.from({ length: 8 }, async (_, k) => {
    while (performance.now() < bombEnd) {
      const o = await post(k % 2 ? bomb : bigGrey, k % 2 ? 'image/png' : 'image/jpeg', '/v1/classify?saliency=overlay');
      bombStatuses.set(o.status, (bombStatuses.get(o.status) ?? 0) + 1);
    }
  }));
  const bombPeak = rssPeak;

  // Forty uploads of 19 MiB that stall after 1 MiB: the upload budget and the request timeout bound them.
  rssPeak = rssMb(pid);
  const stalled: Promise<number>[] = [];
  for (let i = 0; i < 40; i++) {
    stalled.push(
      new Promise((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/v1/classify', method: 'POST', headers: { 'content-type': 'image/jpeg', 'content-length': 19 * 1048576 } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve(0));
        req.write(new Uint8Array(1048576));
      }),
    );
  }
  const stalledStatus = await Promise.race([Promise.all(stalled), sleep(90_000).then(() => [] as number[])]);
  const stalledPeak = rssPeak;
  clearInterval(sampler);

  await sleep(IDLE_SECONDS * 1000);
  const idleEnd = rssMb(pid);
  const memoryEnd = await memoryParts(port);
  const health = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  const count = (m: Map<number, number>): string => [...m].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(', ');
  const bad = [...statuses.keys()].filter((s) => !(s === 200 || s === 503 || (s >= 400 && s < 500)));
  console.log(`\nbrain-mri soak: Node ${process.version}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`);
  console.log('| measure | value | target |\n| --- | --- | --- |');
  console.log(`| unloaded classify p50 / p99 | ${pct(unloaded, 50).toFixed(1)} / ${pct(unloaded, 99).toFixed(1)} ms | |`);
  console.log(`| capacity (classify; the most 200s/s of closed loops by clients: ${capacities.join(', ')}) | ${capacity.toFixed(0)} req/s | |`);
  console.log(`| soak: ${SOAK_SECONDS} s open loop at ${rate.toFixed(0)} req/s (${sent} requests) | ${count(statuses)} | only 200, 4xx, 503 ${bad.length ? `**missed: ${bad.join(', ')}**` : 'met'} |`);
  console.log(`| soak: 200s served per second | ${(ok.length / SOAK_SECONDS).toFixed(0)} req/s | |`);
  console.log(`| soak: 200s p50 / p99 | ${pct(ok, 50).toFixed(1)} / ${pct(ok, 99).toFixed(1)} ms | p99 <= 3x unloaded p99 (${(3 * pct(unloaded, 99)).toFixed(1)} ms) ${pct(ok, 99) <= 3 * pct(unloaded, 99) ? 'met' : '**missed**'} |`);
  console.log(`| RSS: idle start / soak peak | ${idleStart.toFixed(0)} / ${soakPeak.toFixed(0)} MB | |`);
  console.log(`| 6000 x 6000 bombs + 36 MP brain JPEGs with overlays, c=8, 30 s | ${count(bombStatuses)}; RSS peak ${bombPeak.toFixed(0)} MB | <= 400 MB ${bombPeak <= 400 ? 'met' : '**missed**'} |`);
  console.log(`| 40 stalled 19 MiB uploads | statuses ${stalledStatus.length ? count(stalledStatus.reduce((m, s) => m.set(s, (m.get(s) ?? 0) + 1), new Map<number, number>())) : 'none within 90 s'}; RSS peak ${stalledPeak.toFixed(0)} MB | |`);
  console.log(`| of which V8 heap / outside V8 (native: ORT, sharp, malloc), idle start -> end | ${memoryStart} -> ${memoryEnd} | |`);
  console.log(`| RSS after ${IDLE_SECONDS} s idle | ${idleEnd.toFixed(0)} MB (${(((idleEnd - idleStart) / idleStart) * 100).toFixed(1)} % over idle start) | within 10 % ${idleEnd <= idleStart * 1.1 ? 'met' : '**missed**'} |`);
  console.log(`| /healthz afterwards | ${health} | 200 |`);
}

await main();
