// `npm run bench`: the Node service measured from outside over HTTP against an echo handler it starts itself (same
// upload, same client): latency per route, throughput, the server's own stage split, start-up and peak RSS.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { freePort } from './free-port.js';
import { spawnService } from './spawn-service.js';

const FIXTURE = process.env.BENCH_IMAGE ?? 'test/fixtures/images/glioma-1.jpg';
const N = Number(process.env.BENCH_N ?? 400);
const N_OVERLAY = Number(process.env.BENCH_N_OVERLAY ?? 200);
const CONCURRENCY = 8;
const THROUGHPUT_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);


const sorted = (v: number[]): number[] => [...v].sort((a, b) => a - b);
const pct = (v: number[], p: number): number => sorted(v)[Math.min(v.length - 1, Math.floor((p / 100) * v.length))];
const median = (v: number[]): number => pct(v, 50);

/** User + system CPU seconds the process has used so far (from /proc; Linux only). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssPeakMb(pid: number): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
}

interface Server {
  base: string;
  child: ChildProcess;
  readyMs: number;
}

async function start(args: string[], env: Record<string, string>, readyPath: string): Promise<Server> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawnService(args, port, env);
  for (;;) {
    try {
      if ((await fetch(base + readyPath, readyPath === '/' ? { method: 'POST', body: 'x' } : undefined)).status === 200) return { base, child, readyMs: performance.now() - t0 };
    } catch {
      // not listening yet
    }
    if (performance.now() - t0 > 30_000) throw new Error(`${args.join(' ')} did not get ready in 30 s`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function stop(s: Server): Promise<void> {
  s.child.kill('SIGTERM');
  await new Promise((r) => s.child.once('exit', r));
}

/**
 * The gate's own cost (preprocessing and its model run, as GateResult.ms counts it) with no HTTP client sharing the
 * CPUs: over HTTP the client runs on the same two cores and every server stage reads 1.3 to 1.6x its in-process time.
 * Also in colour, which resizes three planes instead of one (a grey scan sent as RGB is read as grey first).
 */
async function gateInProcess(bytes: Uint8Array): Promise<{ grey: number; colour: number }> {
  const { loadNodeGate, nodeInputDecoder } = await import('../src/node/load-service.js');
  const gate = await loadNodeGate();
  const { image } = await nodeInputDecoder().decode(bytes, { maxPixels: 40e6 });
  if (image.channels !== 1) throw new Error(`${FIXTURE} should decode to one grey channel, got ${image.channels}`);
  const n = image.width * image.height;
  const tinted = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const v = image.data[i];
    tinted.set([v, Math.round(v * 0.9), Math.round(v * 0.75)], 3 * i);
  }
  const colour = { data: tinted, width: image.width, height: image.height, channels: 3 as const };
  const times = async (img: typeof image | typeof colour): Promise<number> => {
    const ms: number[] = [];
    for (let i = 0; i < 350; i++) {
      const r = await gate.check(img);
      if (i >= 50) ms.push(r.ms);
    }
    return median(ms);
  };
  const result = { grey: await times(image), colour: await times(colour) };
  await gate.release();
  return result;
}

async function main(): Promise<void> {
  const image = new Uint8Array(readFileSync(new URL(`../${FIXTURE}`, import.meta.url)));
  // Build first, outside the timing, so the launcher never rebuilds during the start-up measurement.
  const { bundle } = await import(new URL('../bin/build.mjs', import.meta.url).href);
  await bundle({ quiet: true });

  const { benchMrDicom } = await import('./mr-dicom.js');
  const dicom = await benchMrDicom();
  const post = async (base: string, path: string, body: Uint8Array = image, type = 'image/jpeg'): Promise<Response> => {
    const res = await fetch(base + path, { method: 'POST', body: body as Uint8Array<ArrayBuffer>, headers: { 'content-type': type } });
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return res;
  };
  const series = async (base: string, path: string, n: number, each?: (json: Record<string, unknown>) => void, upload?: Uint8Array, type?: string): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const res = await post(base, path, upload, type);
      const text = await res.text();
      out.push(performance.now() - t);
      if (each) each(JSON.parse(text));
    }
    return out;
  };
  const throughput = async (base: string, path: string): Promise<number> => {
    let done = 0;
    const end = performance.now() + THROUGHPUT_SECONDS * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < end) {
          await (await post(base, path)).arrayBuffer();
          done++;
        }
      }),
    );
    return done / ((performance.now() - t0) / 1000);
  };

  const echo = await start(['--import', 'tsx', 'scripts/bench-echo.ts'], {}, '/');
  for (let i = 0; i < 50; i++) await (await post(echo.base, '/')).arrayBuffer();
  const echoLatency = await series(echo.base, '/', N);
  const echoRps = await throughput(echo.base, '/');
  await stop(echo);

  // Room for the throughput run's 8 clients: this measures capacity, not load shedding (npm run soak does that).
  const svc = await start(['bin/brain-mri.js', 'serve'], { QUEUE_LENGTH: '8' }, '/readyz');
  for (let i = 0; i < 30; i++) await (await post(svc.base, '/v1/classify')).arrayBuffer();
  for (let i = 0; i < 10; i++) await (await post(svc.base, '/v1/classify?saliency=overlay')).arrayBuffer();
  const stages: Record<string, number[]> = {};
  const record = (json: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(json.timings as Record<string, number>)) (stages[k] ??= []).push(v);
  };
  const classify = await series(svc.base, '/v1/classify', N, record);
  const overlay = await series(svc.base, '/v1/classify?saliency=overlay', N_OVERLAY, record);
  for (let i = 0; i < 20; i++) await (await post(svc.base, '/v1/classify', dicom, 'application/dicom')).arrayBuffer();
  const dicomStages: Record<string, number[]> = {};
  const dicomClassify = await series(svc.base, '/v1/classify', N, (json) => {
    for (const [k, v] of Object.entries(json.timings as Record<string, number>)) (dicomStages[k] ??= []).push(v);
  }, dicom, 'application/dicom');
  const cpu0 = cpuSeconds(svc.child.pid!);
  const t0 = performance.now();
  const rps = await throughput(svc.base, '/v1/classify');
  const cpuPerRequest = ((cpuSeconds(svc.child.pid!) - cpu0) * 1000) / (rps * ((performance.now() - t0) / 1000));
  const rss = rssPeakMb(svc.child.pid!);
  await stop(svc);

  const gateAlone = await gateInProcess(image);

  const floor = median(echoLatency);
  const ratio = (v: number): string => `${(v / floor).toFixed(2)}x`;
  const rows: [string, string, string, string][] = [
    ['echo (upload read, JSON answer) p50', `${floor.toFixed(2)} ms`, '1.00x', 'the floor'],
    ['classify p50', `${median(classify).toFixed(2)} ms`, ratio(median(classify)), '<= 2x echo'],
    ['classify p95', `${pct(classify, 95).toFixed(2)} ms`, ratio(pct(classify, 95)), ''],
    ['classify + overlay p50', `${median(overlay).toFixed(2)} ms`, ratio(median(overlay)), '<= 4x echo'],
    [
      `classify p50, ${(dicom.length / 1024).toFixed(0)} KiB 512x512 16-bit MR DICOM`,
      `${median(dicomClassify).toFixed(2)} ms`,
      `${(median(dicomClassify) - median(classify)).toFixed(2)} ms above the JPEG`,
      '<= 1.5 ms above the JPEG',
    ],
    ['input gate per request (server timing, median)', `${median(stages.gate ?? [NaN]).toFixed(3)} ms`, '', '<= 1 ms'],
    ['input gate alone, in this process (median of 300): the grey scan', `${gateAlone.grey.toFixed(3)} ms`, '', '<= 1 ms'],
    ['input gate alone, in this process: the scan in colour (a tinted RGB copy)', `${gateAlone.colour.toFixed(3)} ms`, '', ''],
    [`throughput, classify, c=${CONCURRENCY}`, `${rps.toFixed(0)} req/s`, `${(rps / echoRps).toFixed(2)} of echo's ${echoRps.toFixed(0)}`, '>= 300 req/s'],
    ['server CPU per classify under load', `${cpuPerRequest.toFixed(2)} ms`, '', ''],
    ['process start -> ready', `${svc.readyMs.toFixed(0)} ms`, '', '<= 500 ms'],
    ['peak RSS', `${rss.toFixed(0)} MB`, '', '<= 200 MB'],
  ];
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`\nbrain-mri bench: ${FIXTURE} (${image.length} bytes) over HTTP, Node ${process.version}, ${N} classify / ${N_OVERLAY} overlay requests`);
  console.log(`machine: ${availableParallelism()} CPUs, load average ${load} (other work on the machine inflates every number)\n`);
  console.log('| measure | value | ratio to echo | target |\n| --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log('\nServer-side stage medians (ms, from the responses\' timings; classify and overlay requests together):');
  console.log('| ' + Object.keys(stages).join(' | ') + ' |\n|' + Object.keys(stages).map(() => ' --- |').join(''));
  console.log('| ' + Object.values(stages).map((v) => median(v).toFixed(3)).join(' | ') + ' |');
  console.log('\nThe same for the DICOM requests:');
  console.log('| ' + Object.keys(dicomStages).join(' | ') + ' |\n|' + Object.keys(dicomStages).map(() => ' --- |').join(''));
  console.log('| ' + Object.values(dicomStages).map((v) => median(v).toFixed(3)).join(' | ') + ' |');
}

await main();
