// createApp options: API key, static assets, lazy classifier sources (readyz 503 until warm), security headers.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app/create-app.js';
import { lazySource } from '../src/app/service-source.js';
import type { Service } from '../src/core/service.js';
import { loadNodeService } from '../src/node/load-service.js';
import { fixtureBytes, loadFixtures } from './http-suite.js';

let service: Service;
const image = (): RequestInit => ({ method: 'POST', body: fixtureBytes(loadFixtures()[0].file) as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'image/jpeg' } });

beforeAll(async () => {
  service = await loadNodeService();
});

describe('API key', () => {
  const key = 'k3y-0123456789abcdef';
  const assets = { fetch: (req: Request) => (new URL(req.url).pathname === '/' ? new Response('<h1>kiosk</h1>', { headers: { 'content-type': 'text/html' } }) : new Response('no', { status: 404 })) };

  it('guards /v1/* and leaves health, docs and static assets open', async () => {
    const app = createApp({ service, apiKey: key, assets });
    const none = await app.request('/v1/classify', image());
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await none.json()).error.code).toBe('unauthorized');
    expect((await app.request('/v1/model', { headers: { authorization: `Bearer ${key}x` } })).status).toBe(401);
    expect((await app.request('/v1/model', { headers: { authorization: `Basic ${key}` } })).status).toBe(401);
    const ok = await app.request('/v1/classify', { ...image(), headers: { 'content-type': 'image/jpeg', authorization: `Bearer ${key}` } });
    expect(ok.status).toBe(200);
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/docs', '/']) expect((await app.request(path)).status).toBe(200);
  });

  it('serves static assets at / with the cross-origin isolation headers, and JSON 404 otherwise', async () => {
    const app = createApp({ service, assets });
    const page = await app.request('/');
    expect(await page.text()).toBe('<h1>kiosk</h1>');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    const missing = await app.request('/nope.js');
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
  });
});

describe('lazy classifier source', () => {
  it('answers /readyz 503 while loading, 200 after warm-up; requests wait for the model', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const source = lazySource(async () => {
      await gate;
      return service;
    });
    const app = createApp({ service: source });
    const before = await app.request('/readyz');
    expect(before.status).toBe(503);
    expect((await before.json()).error.code).toBe('not_ready');
    const pending = app.request('/v1/classify', image());
    release();
    expect((await pending).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
  });

  it('answers 503 with the reason when the model cannot be loaded', async () => {
    const app = createApp({ service: lazySource(async () => Promise.reject(new Error('manifest field "model.sha256": mismatch'))) });
    const res = await app.request('/v1/classify', image());
    expect(res.status).toBe(503);
    expect((await res.json()).error.message).toMatch(/could not be loaded: manifest field "model.sha256"/);
  });

  it('answers 503 when the model is still loading after the ready timeout', async () => {
    const app = createApp({ service: lazySource(() => new Promise<Service>(() => undefined)), limits: { readyTimeoutMs: 50 } });
    const res = await app.request('/v1/model');
    expect(res.status).toBe(503);
    expect((await res.json()).error.message).toMatch(/still loading/);
  });
});

describe('limits', () => {
  it('takes the configured body and pixel limits', async () => {
    const app = createApp({ service, limits: { maxBodyBytes: 1000 } });
    const res = await app.request('/v1/classify', image());
    expect(res.status).toBe(413);
    expect((await res.json()).error.message).toMatch(/the request body is over 1000 bytes/);
    const small = createApp({ service, limits: { maxPixels: 100_000 } });
    const big = await small.request('/v1/classify', image());
    expect(big.status).toBe(413);
    expect((await big.json()).error).toEqual({ code: 'too_many_pixels', message: expect.stringMatching(/100000/) });
  });
});

describe('load shedding', () => {
  /** The real service with every decode held until `open()` is called, so requests pile up deterministically. */
  function heldService(): { held: Service; open: () => void; started: () => number } {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let n = 0;
    const held: Service = {
      ...service,
      decoder: {
        ...service.decoder,
        decode: async (bytes, options) => {
          n++;
          await gate;
          return service.decoder.decode(bytes, options);
        },
      },
    };
    return { held, open: release, started: () => n };
  }

  it('answers 503 overloaded with Retry-After once the slots and the queue are full, and serves the rest', async () => {
    const { held, open, started } = heldService();
    const app = createApp({ service: held, limits: { admission: { concurrency: 1, queue: 1, maxWaitMs: 10_000 } } });
    const first = app.request('/v1/classify', image());
    const second = app.request('/v1/classify', image());
    for (let i = 0; i < 100 && started() < 1; i++) await new Promise((r) => setTimeout(r, 5));
    const third = await app.request('/v1/classify', image());
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await third.json()).error).toMatchObject({ code: 'overloaded', message: expect.stringMatching(/at capacity \(1 running, 1 waiting\)/) });
    open();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect((await app.request('/v1/classify', image())).status).toBe(200);
  });

  it('refuses a request that waited longer than the queue timeout', async () => {
    const { held, open } = heldService();
    const app = createApp({ service: held, limits: { admission: { concurrency: 1, queue: 4, maxWaitMs: 50 } } });
    const first = app.request('/v1/classify', image());
    const late = await app.request('/v1/classify', image());
    expect(late.status).toBe(503);
    expect((await late.json()).error.message).toMatch(/no slot within 50 ms/);
    open();
    expect((await first).status).toBe(200);
  });

  it('refuses uploads past the budget of bytes held at once', async () => {
    const { held, open } = heldService();
    const size = fixtureBytes(loadFixtures()[0].file).length;
    const app = createApp({ service: held, limits: { admission: { concurrency: 1, queue: 4, maxWaitMs: 10_000, uploadBudgetBytes: Math.floor(size * 1.5) } } });
    const first = app.request('/v1/classify', image());
    await new Promise((r) => setTimeout(r, 20));
    const second = await app.request('/v1/classify', image());
    expect(second.status).toBe(503);
    expect((await second.json()).error.message).toMatch(/too many uploads at once/);
    open();
    expect((await first).status).toBe(200);
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text with requests, stages, queue and refusals, behind the API key when one is set', async () => {
    const { createPromMetrics } = await import('../src/node/metrics.js');
    const key = 'm3trics-0123456789abcdef';
    const app = createApp({ service, metrics: createPromMetrics(), apiKey: key });
    const auth = { authorization: `Bearer ${key}` };
    expect((await app.request('/metrics')).status).toBe(401);
    await app.request('/v1/classify', { ...image(), headers: { 'content-type': 'image/jpeg', ...auth } });
    await app.request('/v1/classify', { method: 'POST', body: 'hello', headers: { 'content-type': 'image/jpeg', ...auth } });
    const res = await app.request('/metrics', { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/brain_mri_http_requests_total\{method="POST",route="\/v1\/classify",status="200"\} 1/);
    expect(text).toMatch(/brain_mri_stage_duration_seconds_count\{stage="decode"\} 1/);
    expect(text).toMatch(/brain_mri_stage_duration_seconds_count\{stage="inference"\} 1/);
    expect(text).toMatch(/brain_mri_refusals_total\{code="not_an_image"\} 1/);
    expect(text).toMatch(/brain_mri_queue_depth 0/);
    expect(text).toMatch(/brain_mri_model_info\{model="brain-mri-edge@[^"]+"\} 1/);
  });
});
