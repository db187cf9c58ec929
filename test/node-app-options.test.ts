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
