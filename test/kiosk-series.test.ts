// The kiosk opens a DICOM series folder in Chromium: classifies every slice, starts on the most suspicious one, walks the
// slices with the scrubber (results equal to the Node API's), re-windows, and passes axe on the new controls.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mrDicom } from '../scripts/mr-dicom.js';
import { ensureKioskBuilt, kioskContext, launchChromium, ROOT, startNodeServer, waitForEngine, type RunningServer } from './support/browser-harness.js';

/** Slices in acquisition order; the file names are shuffled so the kiosk must sort by position, not by name. */
const SLICES = ['normal-1.jpg', 'normal-2.jpg', 'glioma-1.jpg', 'meningioma-1.jpg', 'pituitary-1.jpg'];
const NAMES = ['IM5.dcm', 'IM3.dcm', 'IM1.dcm', 'IM4.dcm', 'IM2.dcm'];

let server: RunningServer;
let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), 'kiosk-series-'));
const api: { label: string; probabilities: Record<string, number> }[] = [];

beforeAll(async () => {
  ensureKioskBuilt();
  for (let i = 0; i < SLICES.length; i++) {
    const bytes = await mrDicom({ fixture: `test/fixtures/images/${SLICES[i]}`, size: 192, position: i * 5, instanceNumber: i + 1, window: { center: 2040, width: 4080 } });
    writeFileSync(join(dir, NAMES[i]), bytes);
  }
  server = await startNodeServer();
  for (let i = 0; i < SLICES.length; i++) {
    const res = await fetch(`${server.url}/v1/classify`, { method: 'POST', body: readFileSync(join(dir, NAMES[i])), headers: { 'content-type': 'application/dicom' } });
    expect(res.status).toBe(200);
    api.push((await res.json()) as { label: string; probabilities: Record<string, number> });
  }
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const suspicion = (p: Record<string, number>) => 1 - p.normal;

/** A fresh kiosk page with the test series' folder opened and every slice classified. */
async function openSeries(): Promise<Page> {
  const page = await (await kioskContext(browser)).newPage();
  await page.goto(`${server.url}/`);
  await waitForEngine(page);
  await page.setInputFiles('#folder', dir);
  await page.waitForFunction(() => document.body.dataset.phase === 'result' && !document.getElementById('series')!.hidden, undefined, { timeout: 120_000 });
  return page;
}

async function sliceResult(page: Page): Promise<{ index: number; label: string; info: string }> {
  return page.evaluate(() => ({
    index: Number((document.getElementById('slice') as HTMLInputElement).value),
    label: document.getElementById('result-label')!.textContent ?? '',
    info: document.getElementById('slice-info')!.textContent ?? '',
  }));
}

describe('kiosk series view', () => {
  it('opens the folder, classifies every slice with progress, starts on the most suspicious, walks the slices', async () => {
    const page = await openSeries();
    const progress = await page.evaluate(() => {
      const p = document.getElementById('series-progress') as HTMLProgressElement;
      return [p.value, p.max];
    });
    expect(progress).toEqual([SLICES.length, SLICES.length]);
    const most = api.reduce((best, r, i) => (suspicion(r.probabilities) > suspicion(api[best].probabilities) ? i : best), 0);
    const start = await sliceResult(page);
    expect(start.index).toBe(most);
    expect(start.label).toBe(api[most].label);
    expect(await page.textContent('#series-summary')).toContain(`Most suspicious: slice ${most + 1}`);
    // Walk from the first slice to the last with the keyboard: each slice shows the API's label for that file.
    await page.focus('#slice');
    await page.keyboard.press('Home');
    for (let i = 0; i < SLICES.length; i++) {
      if (i > 0) await page.keyboard.press('ArrowRight');
      await page.waitForFunction((k) => (document.getElementById('slice-info')?.textContent ?? '').startsWith(`Slice ${k + 1} of`), i, { timeout: 30_000 });
      await page.waitForFunction(() => document.body.dataset.phase === 'result');
      const shown = await sliceResult(page);
      expect(shown.index).toBe(i);
      expect(shown.label, shown.info).toBe(api[i].label);
      expect(shown.info).toContain(`/${NAMES[i]})`);
    }
    // A user window: the slice is classified again under it and says so.
    await page.fill('#window-center', '1500');
    await page.fill('#window-width', '2000');
    await page.press('#window-width', 'Enter');
    await page.waitForFunction(() => (document.getElementById('slice-info')?.textContent ?? '').includes('(user)'), undefined, { timeout: 60_000 });
    await page.waitForFunction(() => document.body.dataset.phase === 'result', undefined, { timeout: 60_000 });
    const res = await fetch(`${server.url}/v1/classify?window=1500,2000`, { method: 'POST', body: readFileSync(join(dir, NAMES[(await sliceResult(page)).index])) });
    expect((await sliceResult(page)).label).toBe(((await res.json()) as { label: string }).label);

    const axe = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axe); // not addScriptTag: the page's CSP forbids inline scripts
    const violations = await page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run(o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run({
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
    });
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  }, 240_000);

  it('saves the slice on screen as DICOM: an SR and an overlay in the scan\'s study, valid for dciodvfy, with the shown result', async () => {
    const page = await openSeries();
    const shown = await sliceResult(page);
    expect(await page.isVisible('#save-dicom')).toBe(true);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const [download] = await Promise.all([
      page.waitForEvent('download').catch(async (e: Error) => {
        throw new Error(`${e.message}; the page said: ${(await page.textContent('#error')) ?? ''} ${errors.join(' | ')}`);
      }),
      page.click('#save-dicom'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^brain-mri-result-.*\.zip$/);
    const { unzipSync } = await import('fflate');
    const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
    expect(Object.keys(files).sort()).toEqual(['OVERLAY_SC.dcm', 'RESULT_SR.dcm']);
    const { dciodvfy } = await import('./support/dciodvfy.js');
    for (const [name, bytes] of Object.entries(files)) expect(dciodvfy(bytes).errors, name).toEqual([]);
    const dcmjs = (await import('dcmjs')).default;
    const read = (bytes: Uint8Array) => {
      const dict = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer);
      return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict) as Record<string, unknown>;
    };
    const source = read(new Uint8Array(readFileSync(join(dir, NAMES[shown.index]))));
    const sr = read(files['RESULT_SR.dcm']);
    const sc = read(files['OVERLAY_SC.dcm']);
    expect(sr.StudyInstanceUID).toBe(source.StudyInstanceUID);
    expect(sc.StudyInstanceUID).toBe(source.StudyInstanceUID);
    expect(sr.Modality).toBe('SR');
    expect(JSON.stringify(sr.ContentSequence)).toContain(shown.label);
    expect(JSON.stringify(sr)).toMatch(/not for diagnosis/i);
    expect([sc.Rows, sc.Columns]).toEqual([source.Rows, source.Columns]);
    await page.context().close();
  }, 240_000);
});
