// The offline kiosk in real headless Chromium against the real Node server: labels, heatmaps, offline reload, server mode, a11y.
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT,
  applySettings,
  canvasPixels,
  canvasStats,
  classifyInPage,
  cspViolations,
  dropFile,
  ensureKioskBuilt,
  kioskContext,
  launchChromium,
  startNodeServer,
  switchToServer,
  waitForEngine,
  waitForOfflineReady,
  type RunningServer,
  type ShownResult,
} from './support/browser-harness.js';
import { loadFixtures, type Fixture } from './support/browser-fixtures.js';

interface ApiResult {
  label: string;
  confidence: number;
  uncertain: boolean;
  probabilities: Record<string, number>;
  image: { width: number; height: number };
}

const fixtures: Fixture[] = loadFixtures();
let server: RunningServer;
let browser: Browser;
const api = new Map<string, ApiResult>();
const device = new Map<string, ShownResult>();
/** Device-mode overlay pixels of the PNG fixtures (lossless input, so both modes decode identical pixels). */
const deviceOverlay = new Map<string, Uint8Array>();

async function classifyWithApi(fixture: Fixture): Promise<ApiResult> {
  const res = await fetch(`${server.url}/v1/classify`, { method: 'POST', body: readFileSync(fixture.path), headers: { 'Content-Type': fixture.mediaType } });
  expect(res.status).toBe(200);
  return (await res.json()) as ApiResult;
}

async function openKiosk(query = ''): Promise<Page> {
  const page = await (await kioskContext(browser)).newPage();
  await page.goto(`${server.url}/${query}`);
  await waitForEngine(page);
  return page;
}

/**
 * The kiosk and the server decode with the same libjpeg-turbo build and preprocess with the same core, so only the ORT
 * builds' float rounding (native against WASM) separates their probabilities.
 */
const PARITY = 1e-6;

function expectClose(a: Record<string, number>, b: Record<string, number>, tolerance: number): void {
  expect(Object.keys(a)).toEqual(Object.keys(b));
  for (const k of Object.keys(a)) expect(Math.abs(a[k] - b[k]), `probability of ${k}`).toBeLessThanOrEqual(tolerance);
}

beforeAll(async () => {
  ensureKioskBuilt();
  server = await startNodeServer();
  browser = await launchChromium();
  for (const f of fixtures) api.set(f.file, await classifyWithApi(f));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('kiosk served by the Node service', () => {
  it('serves the kiosk at / with the isolation headers that enable WASM threads', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await res.text()).toContain('Not a diagnostic device');
    for (const path of ['/sw.js', '/ort/ort-wasm-simd-threaded.wasm', '/model/brain-mri-edge.manifest.json', '/model/brain-mri-edge.onnx']) {
      expect((await fetch(`${server.url}${path}`, { method: 'HEAD' })).status, path).toBe(200);
    }
  });

  it('shows, for every fixture, the label the Node API gives and a non-empty heatmap overlay', async () => {
    const page = await openKiosk();
    expect(await page.textContent('#badge-engine')).toMatch(/On this device: (WASM, \d+ threads?|WebGPU)/);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    for (const f of fixtures) {
      const shown = await classifyInPage(page, f.path);
      device.set(f.file, shown);
      const expected = api.get(f.file)!;
      expect(shown.label, f.file).toBe(expected.label);
      // Soft: a model that misses its own fixture must not hide the parity checks of the other fixtures.
      expect.soft(shown.label, `${f.file} ground truth`).toBe(f.label);
      expect(shown.uncertain, `${f.file} uncertain banner`).toBe(expected.uncertain);
      expectClose(shown.probabilities, expected.probabilities, PARITY);
      expect(shown.shown).toEqual(Object.values(expected.probabilities).map((p) => `${(p * 100).toFixed(1)}%`));
      expect(shown.overlayLabel).toBe(expected.label);
      const overlay = await canvasStats(page, 'overlay', 'scan');
      expect(overlay.width).toBe(expected.image.width);
      expect(overlay.height).toBe(expected.image.height);
      expect(overlay.nonBlack, `${f.file} overlay has pixels`).toBeGreaterThan(0);
      expect(overlay.differing, `${f.file} overlay adds colour to the scan`).toBeGreaterThan(100);
      if (f.mediaType === 'image/png') deviceOverlay.set(f.file, await canvasPixels(page, 'overlay'));
    }
    await page.context().close();
  });

  it('takes a dropped file, and shows another class heatmap from the class picker, by keyboard too', async () => {
    const page = await openKiosk();
    const f = fixtures[0];
    const first = await dropFile(page, f.path, f.mediaType);
    expect(first.label).toBe(api.get(f.file)!.label);
    const before = await page.evaluate(() => (document.getElementById('overlay') as HTMLCanvasElement).toDataURL());
    const other = Object.keys(first.probabilities).find((l) => l !== first.label)!;
    await page.focus(`#bars input[value="${first.label}"]`);
    // Arrow keys move through a radio group; step until the other class is checked.
    for (let i = 0; i < 4 && (await page.evaluate(() => (document.querySelector('#bars input:checked') as HTMLInputElement).value)) !== other; i++) {
      await page.keyboard.press('ArrowDown');
    }
    const picked = await page.evaluate(() => (document.querySelector('#bars input:checked') as HTMLInputElement).value);
    await page.waitForFunction((label) => (document.getElementById('overlay') as HTMLCanvasElement).dataset.label === label && document.body.dataset.phase === 'result', picked);
    const after = await page.evaluate(() => (document.getElementById('overlay') as HTMLCanvasElement).toDataURL());
    expect(picked).not.toBe(first.label);
    expect(after).not.toBe(before);
    expect(await page.textContent('#overlay-caption')).toContain(picked);
    // Toggle and opacity act on the overlay only.
    await page.click('#overlay-on');
    expect(await page.evaluate(() => getComputedStyle(document.getElementById('overlay')!).visibility)).toBe('hidden');
    await page.click('#overlay-on');
    await page.fill('#opacity', '40');
    expect(await page.evaluate(() => getComputedStyle(document.getElementById('overlay')!).opacity)).toBe('0.4');
    await page.context().close();
  });

  it('shows "uncertain, refer for review" under a threshold set in settings or by URL', async () => {
    const f = fixtures[0];
    const page = await openKiosk();
    const shown = await classifyInPage(page, f.path);
    expect(shown.uncertain).toBe(api.get(f.file)!.uncertain);
    await page.click('#open-settings');
    await page.fill('#threshold', '100');
    await applySettings(page);
    await page.waitForSelector('#uncertain:not([hidden])');
    expect(await page.textContent('#uncertain')).toBe('Uncertain, refer for review');
    expect(await page.evaluate(() => localStorage.length)).toBe(0); // not remembered unless ticked
    await page.context().close();
    const byUrl = await openKiosk('?threshold=1');
    expect((await classifyInPage(byUrl, f.path)).uncertain).toBe(true);
    await byUrl.context().close();
  });

  it('prints a report and saves a picture only when asked, with the result, model version and time', async () => {
    const f = fixtures[0];
    const page = await openKiosk();
    const shown = await classifyInPage(page, f.path);
    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => void (window as unknown as { printed: number }).printed++;
    });
    await page.click('#print');
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    expect(await page.textContent('#report-result')).toContain(`Predicted class: ${shown.label}`);
    const meta = (await page.textContent('#report-meta'))!;
    const manifest = JSON.parse(readFileSync(join(ROOT, 'model/brain-mri-edge.manifest.json'), 'utf8')) as { name: string; version: string };
    expect(meta).toContain(`Model ${manifest.name} version ${manifest.version}`);
    expect(meta).toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    expect(await page.getAttribute('#report-scan', 'src')).toMatch(/^data:image\/png;base64,/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    expect(download.suggestedFilename()).toMatch(/^brain-mri-result-\d{4}-.*\.png$/);
    const png = readFileSync((await download.path())!);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(1096); // two 512 px panels and padding
    await page.context().close();
  });

  it('explains a file that is not an image instead of failing silently', async () => {
    const page = await openKiosk();
    const bogus = join(mkdtempSync(join(tmpdir(), 'kiosk-')), 'notes.png');
    writeFileSync(bogus, 'this is a text file, not a scan');
    await page.setInputFiles('#file', bogus);
    await page.waitForFunction(() => document.body.dataset.phase === 'error');
    expect(await page.textContent('#error')).toMatch(/not a recognisable image.*JPEG.*PNG/);
    await page.context().close();
  });

  it('shows a scan the input check accepted but doubts with its own review line, on the device and in server mode', async () => {
    // The HTTP suite's scan inside the gate's unsure band, as a PNG file to pick.
    const { unsureScanPng } = await import('./http-suite.js');
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-unsure-'));
    const file = join(dir, 'inverted.png');
    writeFileSync(file, unsureScanPng());
    const page = await openKiosk();
    for (const mode of ['device', 'server'] as const) {
      if (mode === 'server') await switchToServer(page);
      const shown = await classifyInPage(page, file);
      expect(shown.uncertain, mode).toBe(true);
      expect(await page.textContent('#uncertain'), mode).toBe('The input check is not sure this is a brain MRI slice. Refer for review');
    }
    await page.context().close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses what is not a brain MRI slice on its own screen, with no class, bars or heatmap, on the device and in server mode', async () => {
    const photo = '/usr/lib/python3/dist-packages/sklearn/datasets/images/china.jpg';
    const res = await fetch(`${server.url}/v1/classify`, { method: 'POST', body: readFileSync(photo), headers: { 'Content-Type': 'image/jpeg' } });
    expect(res.status).toBe(422);
    const apiMessage = (await res.json()).error.message as string;
    const page = await openKiosk();
    const fixture = fixtures[0];
    await classifyInPage(page, fixture.path);
    for (const mode of ['device', 'server'] as const) {
      if (mode === 'server') await switchToServer(page);
      await page.evaluate(() => (document.body.dataset.phase = 'submitted'));
      await page.setInputFiles('#file', photo);
      await page.waitForFunction(() => document.body.dataset.phase === 'refused');
      expect(await page.isVisible('#refused'), mode).toBe(true);
      expect(await page.textContent('#refused')).toMatch(/This does not look like a brain MRI slice/);
      // The same words as the API: the kiosk runs the same gate and message, or shows the server's.
      expect(await page.textContent('#refused-text')).toBe(apiMessage);
      expect(await page.isVisible('#result'), mode).toBe(false);
      expect(await page.isVisible('#error'), mode).toBe(false);
      expect((await canvasStats(page, 'overlay')).width, `${mode}: no heatmap`).toBe(0);
      // A brain slice afterwards gets its result as usual.
      const shown = await classifyInPage(page, fixture.path);
      expect(shown.label).toBe(fixture.label);
      expect(await page.isVisible('#refused')).toBe(false);
    }
    await page.context().close();
  });

  it('server mode shows the same result as in-browser mode', async () => {
    // Switched in the settings dialog, as an operator would.
    const page = await openKiosk();
    await switchToServer(page);
    expect(await page.textContent('#badge-engine')).toBe(`Server: ${new URL(server.url).host}`);
    for (const f of fixtures) {
      const shown = await classifyInPage(page, f.path);
      const local = device.get(f.file)!;
      expect(shown.label, f.file).toBe(local.label);
      expect(shown.uncertain, f.file).toBe(local.uncertain);
      expectClose(shown.probabilities, local.probabilities, PARITY);
      expect(shown.meta).toContain('on the server');
      const overlay = await canvasStats(page, 'overlay', 'scan');
      expect(overlay.differing).toBeGreaterThan(100);
      const local8 = deviceOverlay.get(f.file);
      if (local8) {
        // Same pixels in, same core saliency code: the server's overlay PNG matches the browser's within rounding.
        const remote = await canvasPixels(page, 'overlay');
        expect(remote.length).toBe(local8.length);
        let off = 0;
        for (let i = 0; i < remote.length; i++) if (Math.abs(remote[i] - local8[i]) > 2) off++;
        expect(off / remote.length, `${f.file} overlay pixels differing by more than 2`).toBeLessThan(0.001);
      }
    }
    // Another class's heatmap comes from POST /v1/saliency.
    const other = Object.keys(device.get(fixtures[0].file)!.probabilities).find((l) => l !== fixtures[0].label)!;
    await classifyInPage(page, fixtures[0].path);
    await page.check(`#bars input[value="${other}"]`);
    await page.waitForFunction((label) => (document.getElementById('overlay') as HTMLCanvasElement).dataset.label === label, other);
    await page.context().close();
  });

  it('runs under its Content-Security-Policy with no violation, and so does /docs (Swagger UI, offline)', async () => {
    const page = await openKiosk();
    const csp = (await page.request.get(`${server.url}/`)).headers()['content-security-policy'];
    expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    await classifyInPage(page, fixtures[0].path);
    await switchToServer(page);
    await classifyInPage(page, fixtures[1].path);
    expect(await cspViolations(page), 'kiosk').toEqual([]);
    const docs = await page.context().newPage();
    await docs.goto(`${server.url}/docs`);
    await docs.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
    expect(await docs.locator('.opblock-summary-path').allTextContents()).toContain('/v1/classify');
    expect(await cspViolations(docs), '/docs').toEqual([]);
  });

  it('passes an axe-core scan with no serious or critical violations, and fits 1024x600 without scrolling', async () => {
    const page = await openKiosk();
    const axe = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
    const scan = async (where: string) => {
      // evaluate, not addScriptTag: the page's CSP forbids inline scripts, as it should.
      await page.evaluate(axe);
      const violations = await page.evaluate(async () => {
        const r = await (window as unknown as { axe: { run(o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run({
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
        });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
      });
      const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(bad, `${where}: ${JSON.stringify(bad)}`).toEqual([]);
    };
    await scan('start screen');
    // Keyboard only: Tab reaches the file picker within a few steps (skip link, settings, then the drop zone).
    const reached: string[] = [];
    for (let i = 0; i < 5 && reached.at(-1) !== 'file'; i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName || ''));
    }
    expect(reached.at(-1), reached.join(' > ')).toBe('file');
    const glioma = fixtures.find((f) => f.label === 'glioma') ?? fixtures[0];
    await classifyInPage(page, glioma.path);
    await scan('result view');
    const fit = await page.evaluate(() => ({
      page: document.scrollingElement!.scrollHeight,
      panel: [document.querySelector('.panel')!.scrollHeight, document.querySelector('.panel')!.clientHeight],
    }));
    // Only on request, so a test run leaves a clean checkout: KIOSK_SCREENSHOT=docs/kiosk-screenshot.png npx vitest run test/kiosk.test.ts
    if (process.env.KIOSK_SCREENSHOT) await page.screenshot({ path: join(ROOT, process.env.KIOSK_SCREENSHOT) });
    expect(fit.page).toBeLessThanOrEqual(600);
    expect(fit.panel[0]).toBeLessThanOrEqual(fit.panel[1]);
    await page.click('#open-settings');
    await scan('settings dialog');
    await page.keyboard.press('Escape');
    await page.context().close();
  });

  it('after going offline (network off, server gone) reloads and classifies with the same result', async () => {
    const own = await startNodeServer();
    const context = await kioskContext(browser);
    const page = await context.newPage();
    try {
      await page.goto(`${own.url}/`);
      await waitForEngine(page);
      const badge = await waitForOfflineReady(page);
      const manifest = JSON.parse(readFileSync(join(ROOT, 'model/brain-mri-edge.manifest.json'), 'utf8')) as { version: string };
      expect(badge).toBe(`Offline ready · model ${manifest.version}`);
      const f = fixtures[fixtures.length - 1];
      const online = await classifyInPage(page, f.path);

      await context.setOffline(true);
      await own.stop();
      expect(await page.evaluate(() => fetch('/readyz').then(() => 'reached', () => 'unreachable'))).toBe('unreachable');
      await page.reload();
      await waitForEngine(page);
      const offline = await classifyInPage(page, f.path);
      // Same engine, same bytes: identical numbers; only the elapsed time in the meta line may differ.
      expect({ ...offline, meta: undefined }).toEqual({ ...online, meta: undefined });
      expect(await canvasStats(page, 'overlay', 'scan').then((s) => s.differing)).toBeGreaterThan(100);
      // The badge re-checks the cache after a reload ("Checking offline use…" first), so wait for it to settle.
      expect(await waitForOfflineReady(page, 15_000)).toBe(badge);
      // Nothing about the image outlives the session: no storage written, only the app's own cache.
      const stored = await page.evaluate(async () => ({ local: localStorage.length, session: sessionStorage.length, caches: await caches.keys() }));
      expect(stored).toEqual({ local: 0, session: 0, caches: ['brain-mri-kiosk'] });
    } finally {
      await context.close();
      await own.stop();
    }
  });
});

