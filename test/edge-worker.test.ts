// Worker-only behaviour in workerd: the API_KEY secret, static assets at /, lazy model loading, failing closed on bad config.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureBytes, loadFixtures } from './http-suite.js';
import { startWorker, type RunningWorker } from './support/worker-server.js';

const KEY = 'edge-test-key-4f1c9a';
const KIOSK_HTML = '<!doctype html><title>kiosk test page</title>';

describe('Worker with API_KEY set and a static assets folder', () => {
  let worker: RunningWorker;
  let assets: string;
  const fixture = loadFixtures()[0];
  const classify = (headers: Record<string, string> = {}) =>
    worker.fetch('/v1/classify', { method: 'POST', body: fixtureBytes(fixture.file) as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'image/jpeg', ...headers } });

  beforeAll(async () => {
    assets = mkdtempSync(join(tmpdir(), 'edge-assets-'));
    writeFileSync(join(assets, 'index.html'), KIOSK_HTML);
    worker = await startWorker({ secrets: { API_KEY: KEY }, assetsDir: assets });
  });

  afterAll(async () => {
    await worker?.dispose();
    rmSync(assets, { recursive: true, force: true });
  });

  it('loads the model lazily: /readyz is 503 before first use, then 200', async () => {
    const first = await worker.fetch('/readyz');
    expect(first.status).toBe(503);
    expect((await first.json()).error.code).toBe('not_ready');
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await worker.fetch('/readyz')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });

  it('refuses /v1/* without the key, with a wrong key, or with a non-Bearer scheme', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: `Bearer ${KEY}x` }, { authorization: `Basic ${btoa(`user:${KEY}`)}` }, { authorization: KEY }]) {
      const res = await classify(headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect((await res.json()).error.code).toBe('unauthorized');
    }
    expect((await worker.fetch('/v1/model')).status).toBe(401);
  });

  it('serves /v1/* with the right key', async () => {
    const res = await classify({ authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(200);
    expect((await res.json()).label).toBe(fixture.label);
    const model = await worker.fetch('/v1/model', { headers: { authorization: `bearer ${KEY}` } });
    expect(model.status).toBe(200);
    expect((await model.json()).backend).toMatch(/onnxruntime-web/);
  });

  it('survives a PNG decompression bomb and a lying JPEG header, then classifies as before', async () => {
    const auth = { authorization: `Bearer ${KEY}` };
    // 4000x4000 of zeros deflates to ~16 KB; the header is rewritten to claim 64x64, so the data is 3900x too long.
    const bomb = encodePng({ width: 4000, height: 4000, data: new Uint8Array(16_000_000), depth: 8, channels: 1 });
    const view = new DataView(bomb.buffer, bomb.byteOffset);
    view.setUint32(16, 64);
    view.setUint32(20, 64);
    const res = await worker.fetch('/v1/classify', { method: 'POST', body: bomb as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'image/png', ...auth } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('corrupt_image');
    const jpeg = Uint8Array.from(fixtureBytes(fixture.file));
    const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
    new DataView(jpeg.buffer).setUint32(sof + 5, (60000 << 16) | 60000); // height, width
    const big = await worker.fetch('/v1/classify', { method: 'POST', body: jpeg, headers: { 'content-type': 'image/jpeg', ...auth } });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe('too_many_pixels');
    const ok = await classify(auth);
    expect(ok.status).toBe(200);
  });

  it('keeps health, docs and the kiosk open without a key', async () => {
    for (const path of ['/healthz', '/readyz', '/docs', '/openapi.json']) expect((await worker.fetch(path)).status, path).toBe(200);
    const page = await worker.fetch('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(KIOSK_HTML);
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const missing = await worker.fetch('/no-such-file.js');
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
  });
});

describe('Worker with an invalid API_KEY secret', () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await startWorker({ secrets: { API_KEY: 'too-short' } });
  });
  afterAll(async () => {
    await worker?.dispose();
  });

  it('fails closed: every route answers 503 naming the variable, nothing is served unauthenticated', async () => {
    for (const path of ['/v1/model', '/healthz']) {
      const res = await worker.fetch(path);
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.error.code).toBe('misconfigured');
      expect(body.error.message).toMatch(/API_KEY: use at least 16 characters/);
    }
  });
});

describe('Worker under concurrent requests', () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await startWorker();
  });
  afterAll(async () => {
    await worker?.dispose();
  });

  it('answers concurrent first requests (one shared model load) exactly as it later answers them one by one', async () => {
    const fixtures = loadFixtures();
    const one = async (file: string) => {
      const res = await worker.fetch('/v1/classify?saliency=heatmap', { method: 'POST', body: fixtureBytes(file) as Uint8Array<ArrayBuffer>, headers: { 'content-type': file.endsWith('.png') ? 'image/png' : 'image/jpeg' } });
      expect(res.status).toBe(200);
      const body = await res.json();
      return { label: body.label, probabilities: body.probabilities, heatmap: body.saliency.dataUrl };
    };
    const concurrent = await Promise.all(fixtures.map((f) => one(f.file)));
    const sequential = [];
    for (const f of fixtures) sequential.push(await one(f.file));
    expect(concurrent).toEqual(sequential);
  });
});
