// The kiosk's WebGPU path (ORT's JSPI build) on Chromium's software Vulkan (SwiftShader): same result as the Node API.
import { readFileSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures } from './support/browser-fixtures.js';
import { CHROMIUM, classifyInPage, ensureKioskBuilt, kioskContext, startNodeServer, waitForEngine, type RunningServer } from './support/browser-harness.js';

// No GPU on CI machines: SwiftShader gives Chromium a real WebGPU adapter in software (slow, but the same code path).
const WEBGPU_ARGS = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=swiftshader'];

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  ensureKioskBuilt();
  server = await startNodeServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: WEBGPU_ARGS });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('kiosk on WebGPU', () => {
  it('in automatic mode prefers WASM over a software (fallback) WebGPU adapter', async () => {
    const page = await (await kioskContext(browser)).newPage();
    await page.goto(`${server.url}/`);
    expect(await waitForEngine(page, 120_000)).toMatch(/^On this device: WASM/);
    expect(await page.getAttribute('#badge-engine', 'title')).toContain('software WebGPU adapter');
    await page.context().close();
  }, 180_000);

  it('runs on WebGPU when chosen and gives the Node API label and probabilities', async () => {
    const fixture = loadFixtures()[0];
    const res = await fetch(`${server.url}/v1/classify`, { method: 'POST', body: readFileSync(fixture.path), headers: { 'Content-Type': fixture.mediaType } });
    const api = (await res.json()) as { label: string; probabilities: Record<string, number> };
    const page = await (await kioskContext(browser)).newPage();
    await page.goto(`${server.url}/?backend=webgpu`);
    expect(await waitForEngine(page, 120_000)).toBe('On this device: WebGPU');
    const shown = await classifyInPage(page, fixture.path, 120_000);
    expect(shown.label).toBe(api.label);
    for (const [label, p] of Object.entries(api.probabilities)) expect(Math.abs(shown.probabilities[label] - p), label).toBeLessThanOrEqual(0.02);
    expect(shown.meta).toContain('WebGPU');
    await page.context().close();
  }, 180_000);
});
