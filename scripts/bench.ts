// `npm run bench`: starts the Node service and measures it from outside over HTTP (latency, throughput, start-up, RSS).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = process.env.BENCH_IMAGE ?? 'test/fixtures/images/glioma-1.jpg';
const N_CLASSIFY = Number(process.env.BENCH_N ?? 400);
const N_OVERLAY = Number(process.env.BENCH_N_OVERLAY ?? 200);
const CONCURRENCY = 8;
const THROUGHPUT_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** User + system CPU seconds the process has used so far (from /proc; Linux only). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssPeakMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function main(): Promise<void> {
  const image = new Uint8Array(readFileSync(new URL(`../${FIXTURE}`, import.meta.url)));
  // Build first, outside the timing, so the launcher never rebuilds during the start-up measurement.
  const { bundle } = await import(new URL('../bin/build.mjs', import.meta.url).href);
  await bundle({ quiet: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawn(process.execPath, ['bin/brain-mri.js', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let readyMs = NaN;
  for (;;) {
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) {
        readyMs = performance.now() - t0;
        break;
      }
    } catch {
      // not listening yet
    }
    if (performance.now() - t0 > 30_000) throw new Error('the service did not get ready in 30 s');
    await new Promise((r) => setTimeout(r, 2));
  }

  const post = async (path: string): Promise<Response> => {
    const res = await fetch(base + path, { method: 'POST', body: image, headers: { 'content-type': 'image/jpeg' } });
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    return res;
  };
  const timeSeries = async (path: string, n: number): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await post(path);
      out.push(performance.now() - t);
    }
    return out.sort((a, b) => a - b);
  };

  for (let i = 0; i < 30; i++) await post('/v1/classify');
  for (let i = 0; i < 10; i++) await post('/v1/saliency?view=overlay');
  const classify = await timeSeries('/v1/classify', N_CLASSIFY);
  const overlay = await timeSeries('/v1/saliency?view=overlay', N_OVERLAY);

  let done = 0;
  const cpu0 = cpuSeconds(child.pid!);
  const end = performance.now() + THROUGHPUT_SECONDS * 1000;
  const tStart = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await post('/v1/classify');
        done++;
      }
    }),
  );
  const rps = done / ((performance.now() - tStart) / 1000);
  const cpuPerRequest = ((cpuSeconds(child.pid!) - cpu0) * 1000) / done;
  const rss = rssPeakMb(child.pid!);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));

  const rows: [string, string, string, boolean][] = [
    ['classify p50', `${pct(classify, 50).toFixed(2)} ms`, '<= 7 ms', pct(classify, 50) <= 7],
    ['classify p95', `${pct(classify, 95).toFixed(2)} ms`, '', true],
    ['overlay p50', `${pct(overlay, 50).toFixed(2)} ms`, '<= 15 ms', pct(overlay, 50) <= 15],
    ['overlay p95', `${pct(overlay, 95).toFixed(2)} ms`, '', true],
    [`throughput (c=${CONCURRENCY}, classify)`, `${rps.toFixed(0)} req/s`, '>= 200 req/s', rps >= 200],
    ['server CPU per classify (c=8)', `${cpuPerRequest.toFixed(2)} ms`, '', true],
    ['process start -> ready', `${readyMs.toFixed(0)} ms`, '<= 500 ms', readyMs <= 500],
    ['peak RSS', `${rss.toFixed(0)} MB`, '<= 200 MB', rss <= 200],
  ];
  const w = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length)), 12];
  const line = (a: string, b: string, c: string, d: string): string => `| ${a.padEnd(w[0])} | ${b.padStart(w[1])} | ${c.padEnd(w[2])} | ${d.padEnd(4)} |`;
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`\nbrain-mri bench: ${FIXTURE} (512x512 JPEG) over HTTP, Node ${process.version}, ${N_CLASSIFY} classify / ${N_OVERLAY} overlay requests`);
  console.log(`machine: ${availableParallelism()} CPUs, load average ${load} (other work on the machine inflates every number)`);
  console.log(line('metric', 'value', 'target', 'ok'));
  console.log(`|${'-'.repeat(w[0] + 2)}|${'-'.repeat(w[1] + 2)}|${'-'.repeat(w[2] + 2)}|------|`);
  for (const [a, b, c, d] of rows) console.log(line(a, b, c, c ? (d ? 'yes' : 'NO') : ''));
}

await main();
