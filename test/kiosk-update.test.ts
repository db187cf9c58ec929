// A new model version replaces the kiosk's cached one cleanly: only the new build's files stay cached, and it works offline.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures } from './support/browser-fixtures.js';
import { KIOSK_DIR, ROOT, classifyInPage, ensureKioskBuilt, kioskContext, launchChromium, startNodeServer, waitForEngine, waitForOfflineReady, type RunningServer } from './support/browser-harness.js';

const MANIFEST = 'brain-mri-edge.manifest.json';
const work = mkdtempSync(join(tmpdir(), 'kiosk-update-'));
const served = join(work, 'served');
const v2 = join(work, 'v2');
let server: RunningServer;
let browser: Browser;
let v1Version: string;
let v2Version: string;

/** Cache keys of the page's service worker cache, as "path?__rev=..." strings. */
const cacheKeys = (page: import('playwright-core').Page) =>
  page.evaluate(async () => (await (await caches.open('brain-mri-kiosk')).keys()).map((r) => new URL(r.url).pathname + new URL(r.url).search));

beforeAll(async () => {
  ensureKioskBuilt();
  cpSync(KIOSK_DIR, served, { recursive: true });
  // Version 2: the same network under a new manifest version, built exactly like the shipped kiosk.
  const model2 = join(work, 'model');
  cpSync(join(ROOT, 'model', MANIFEST), join(model2, MANIFEST));
  const manifest = JSON.parse(readFileSync(join(model2, MANIFEST), 'utf8')) as { version: string; model: { file: string } };
  cpSync(join(ROOT, 'model', manifest.model.file), join(model2, manifest.model.file));
  for (const file of ['brain-mri-gate.manifest.json', 'brain-mri-gate.onnx']) cpSync(join(ROOT, 'model', file), join(model2, file));
  v1Version = manifest.version;
  v2Version = `${manifest.version}-update-test`;
  writeFileSync(join(model2, MANIFEST), JSON.stringify({ ...manifest, version: v2Version }, null, 2));
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src/kiosk/vite.config.ts', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, KIOSK_MODEL_DIR: model2, KIOSK_OUT_DIR: v2 },
  });
  server = await startNodeServer({ kioskDir: served });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('kiosk model update', () => {
  it('swaps the cached model for the new version, keeps nothing of the old one, and still works offline', async () => {
    const fixture = loadFixtures()[0];
    const context = await kioskContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await waitForEngine(page);
    expect(await waitForOfflineReady(page)).toBe(`Offline ready · model ${v1Version}`);
    const before = await cacheKeys(page);
    const oldManifestKey = before.find((k) => k.startsWith(`/model/${MANIFEST}?`))!;
    expect(oldManifestKey).toBeDefined();

    // Deploy version 2 where the page came from, then let the kiosk find it (as it does when it regains focus or network).
    rmSync(served, { recursive: true, force: true });
    cpSync(v2, served, { recursive: true });
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
    await page.waitForSelector('#update:not([hidden])', { timeout: 60_000 });
    expect(await page.textContent('#update-text')).toContain(v2Version);

    const after = await cacheKeys(page);
    expect(after, JSON.stringify({ before, after })).not.toContain(oldManifestKey);
    expect(after.filter((k) => k.startsWith(`/model/${MANIFEST}?`))).toHaveLength(1);
    // Every cached entry belongs to version 2's precache list: nothing of version 1 lingers.
    const sw2 = readFileSync(join(v2, 'sw.js'), 'utf8');
    for (const key of after) {
      const rev = /__rev=([0-9a-f]+)/.exec(key)![1];
      expect(sw2, key).toContain(`revision:"${rev}"`);
    }

    await page.click('#update-reload');
    await waitForEngine(page);
    expect(await waitForOfflineReady(page)).toBe(`Offline ready · model ${v2Version}`);
    await context.setOffline(true);
    await server.stop();
    await page.reload();
    await waitForEngine(page);
    const shown = await classifyInPage(page, fixture.path);
    expect(shown.meta).toContain(`brain-mri-edge ${v2Version}`);
    await context.close();
  });
});
