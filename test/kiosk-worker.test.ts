// The kiosk served by the Worker (wrangler [assets] in local workerd): loads, runs in the browser, matches the Worker's API.
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures } from './support/browser-fixtures.js';
import { classifyInPage, ensureKioskBuilt, kioskContext, launchChromium, waitForEngine, waitForOfflineReady } from './support/browser-harness.js';
import { startWorker, type RunningWorker } from './support/worker-server.js';

let worker: RunningWorker;
let browser: Browser;

beforeAll(async () => {
  ensureKioskBuilt();
  worker = await startWorker();
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await worker?.dispose();
});

describe('kiosk served by the Worker', () => {
  it('loads with isolation headers, classifies in the browser and in server mode like the Worker API, and is offline-ready', async () => {
    const fixtures = loadFixtures().slice(0, 2);
    const context = await kioskContext(browser);
    const page = await context.newPage();
    await page.goto(new URL('/', worker.url).href);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await waitForEngine(page);
    await waitForOfflineReady(page);
    const server = await context.newPage();
    await server.goto(new URL('/?mode=server', worker.url).href);
    await waitForEngine(server);
    for (const f of fixtures) {
      const res = await worker.fetch('/v1/classify', { method: 'POST', body: readFileSync(f.path), headers: { 'Content-Type': f.mediaType } });
      expect(res.status).toBe(200);
      const api = (await res.json()) as { label: string };
      const local = await classifyInPage(page, f.path);
      expect(local.label, f.file).toBe(api.label);
      const remote = await classifyInPage(server, f.path);
      expect(remote.label, f.file).toBe(api.label);
      expect(remote.meta).toContain('on the server');
    }
    await context.close();
  });
});
