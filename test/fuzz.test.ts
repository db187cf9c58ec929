// The fuzz suite: 2,000 hostile inputs generated from a seed (test/support/fuzz-inputs.ts) through the Node app and the
// Worker in workerd, with the Worker's limits on both: no 5xx but 503, JSON errors with code and message, the same status,
// code and message on both runtimes, both still serving afterwards, and Node's memory bounded.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAppConfig } from '../src/app/config.js';
import { createApp } from '../src/app/create-app.js';
import { loadNodeService } from '../src/node/load-service.js';
import { fixtureBytes, loadFixtures } from './http-suite.js';
import { fuzzCases, type FuzzCase } from './support/fuzz-inputs.js';
import { ROOT, startWorker, type RunningWorker } from './support/worker-server.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const PER_CATEGORY = Number(process.env.FUZZ_PER_CATEGORY ?? 250);
/** Node decodes a few formats the Worker does not (sharp); its error messages say so in one sentence, the rest is shared. */
const extrasSentence = / This server also accepts [^.]*\.$/;

/** The Worker's [vars] from wrangler.toml, so Node runs with exactly its limits. */
function workerVars(): Record<string, string> {
  const text = readFileSync(`${ROOT}wrangler.toml`, 'utf8');
  const block = text.slice(text.indexOf('[vars]'));
  const vars: Record<string, string> = {};
  for (const m of block.matchAll(/^([A-Z_]+)\s*=\s*"([^"]*)"/gm)) vars[m[1]] = m[2];
  return vars;
}

/**
 * An HTTP request with the path sent exactly as written (fetch would resolve "//v1/model" as a host, or drop "/../"),
 * so hostile URLs reach the Worker as a client can send them.
 */
function rawFetch(base: URL): (path: string, init: RequestInit) => Promise<Response> {
  return async (path, init) => {
    const body = init.body === undefined || init.body === null ? undefined : Buffer.from(init.body as Uint8Array);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: base.hostname, port: base.port, path, method: init.method ?? 'GET', headers: { ...(init.headers as Record<string, string>), ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve(new Response(res.statusCode === 204 ? null : Buffer.concat(chunks), { status: res.statusCode, headers }));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  };
}

interface Answer {
  status: number;
  code?: string;
  message?: string;
  label?: string;
}

async function answer(fetcher: (path: string, init: RequestInit) => Promise<Response>, c: FuzzCase): Promise<Answer> {
  const res = await fetcher(c.path, c.init);
  const type = res.headers.get('content-type') ?? '';
  if (res.status === 200) {
    if (type.startsWith('application/json')) return { status: 200, label: (await res.json()).label };
    await res.arrayBuffer();
    return { status: 200, label: res.headers.get('x-label') ?? undefined };
  }
  expect(type, `${c.category}: ${c.name}: error content type`).toMatch(/^application\/json/);
  const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
  expect(typeof body.error?.code, `${c.category}: ${c.name}: error.code`).toBe('string');
  expect(typeof body.error?.message, `${c.category}: ${c.name}: error.message`).toBe('string');
  return { status: res.status, code: body.error!.code as string, message: (body.error!.message as string).replace(extrasSentence, '') };
}

describe(`fuzz: ${PER_CATEGORY} inputs per category from seed ${SEED}, Node app and workerd`, () => {
  let worker: RunningWorker;
  let edge: (path: string, init: RequestInit) => Promise<Response>;
  let node: (path: string, init: RequestInit) => Promise<Response>;
  const cases = fuzzCases(SEED, PER_CATEGORY);
  const categories = [...new Set(cases.map((c) => c.category))];
  const counts: Record<string, Record<string, number>> = {};
  let rssPeak = 0;
  let rssStart = 0;

  beforeAll(async () => {
    const vars = workerVars();
    const [w, service] = await Promise.all([startWorker(), loadNodeService()]);
    worker = w;
    edge = rawFetch(w.url);
    const config = readAppConfig(vars);
    const app = createApp({ service, limits: config });
    node = async (path, init) => app.request(path, init);
    rssStart = process.memoryUsage().rss;
  });

  afterAll(async () => {
    await worker?.dispose();
    console.log(`fuzz (seed ${SEED}) answers per category, status:code -> count, same on Node and workerd:`);
    for (const [category, tally] of Object.entries(counts)) console.log(`  ${category}: ${Object.entries(tally).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`  Node RSS: ${(rssStart / 1048576).toFixed(0)} MB at start, ${(rssPeak / 1048576).toFixed(0)} MB peak`);
  });

  it('generates at least 2,000 inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(2000);
  });

  it.each(categories)('%s: same answer on both runtimes, never a 5xx other than 503', async (category) => {
    const tally: Record<string, number> = (counts[category] = {});
    for (const c of cases.filter((x) => x.category === category)) {
      // Bodies are consumed by a request: each runtime gets its own copy of the init.
      const [a, b] = await Promise.all([answer(node, { ...c, init: { ...c.init } }), answer(edge, { ...c, init: { ...c.init } })]);
      const where = `${category}: ${c.name} (${c.path})`;
      expect(a.status === 503 || a.status < 500, `${where}: Node answered ${a.status}`).toBe(true);
      expect(b.status === 503 || b.status < 500, `${where}: Worker answered ${b.status}`).toBe(true);
      expect(b, `${where}: Worker ${JSON.stringify(b)} vs Node ${JSON.stringify(a)}`).toEqual(a);
      const key = `${a.status}${a.code ? `:${a.code}` : ''}`;
      tally[key] = (tally[key] ?? 0) + 1;
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }
  }, 180_000);

  it('leaves both runtimes serving, and Node\'s memory bounded', async () => {
    const f = loadFixtures()[0];
    for (const fetcher of [node, worker.fetch]) {
      const res = await fetcher('/v1/classify', { method: 'POST', body: fixtureBytes(f.file) as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'image/jpeg' } });
      expect(res.status).toBe(200);
      expect((await res.json()).label).toBe(f.label);
    }
    expect(rssPeak - rssStart, 'Node RSS growth during the fuzz run').toBeLessThan(400 * 1048576);
  });
});
