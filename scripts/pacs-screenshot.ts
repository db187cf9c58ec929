// docs/pacs.md's screenshots: a throwaway Orthanc, the real server with ORTHANC_URL, a series sent over DICOM, then
// Orthanc Explorer, the SR through dcmtk's dsr2html, and (with Debian's orthanc-webviewer) the overlay, in headless Chromium.
// Run: npx tsx scripts/pacs-screenshot.ts   (needs orthanc, dcmtk, chromium; orthanc-webviewer optional; writes docs/pacs-*.png)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { nodeInputDecoder } from '../src/node/load-service.js';
import { makeMrSlice, testStudyIds } from './mr-dicom.js';
import { freePort, startOrthanc } from '../test/support/orthanc.js';

const ROOT = new URL('..', import.meta.url).pathname;
const WEBVIEWER = '/usr/share/orthanc/plugins/libOrthancWebViewer.so';
const FIXTURES = ['glioma-1.jpg', 'meningioma-1.jpg', 'normal-1.jpg', 'pituitary-1.jpg'];

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const orthanc = await startOrthanc({ stableAgeSeconds: 2, plugins: existsSync(WEBVIEWER) ? [WEBVIEWER] : [] });
const work = mkdtempSync(join(tmpdir(), 'pacs-shot-'));
const port = await freePort();
const server = spawn(process.execPath, [join(ROOT, 'bin/brain-mri.js'), 'serve'], {
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ORTHANC_URL: orthanc.url, ORTHANC_USERNAME: orthanc.username, ORTHANC_PASSWORD: orthanc.password, PACS_STATE: join(work, 'state.sqlite'), PACS_POLL_MS: '500' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let serverLog = '';
server.stdout!.on('data', (d: Buffer) => (serverLog += d));
server.stderr!.on('data', (d: Buffer) => (serverLog += d));
try {
  await waitFor('the server', async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined));
  await new Promise((r) => setTimeout(r, 1000)); // the watcher reads the change-feed position
  const decoder = nodeInputDecoder();
  const ids = { ...testStudyIds('DEMO^PHANTOM'), patientId: 'DEMO-0001' };
  const files = await Promise.all(
    FIXTURES.map(async (f, i) => {
      const { image: img } = await decoder.decode(new Uint8Array(readFileSync(join(ROOT, 'test/fixtures/images', f))), { maxPixels: 40e6 });
      const path = join(work, `slice-${i + 1}.dcm`);
      writeFileSync(path, makeMrSlice(img, { ...ids, instanceNumber: i + 1 }));
      return path;
    }),
  );
  const scu = spawnSync('storescu', ['-aet', orthanc.scuAet, '-aec', 'ORTHANC', '127.0.0.1', String(orthanc.dicomPort), ...files], { encoding: 'utf8' });
  if (scu.status !== 0) throw new Error(`storescu: ${scu.stderr}`);
  const studies = await orthanc.json<string[]>('/studies');
  const study = studies[0];
  await waitFor('results', async () => {
    const r = (await (await fetch(`http://127.0.0.1:${port}/v1/studies/${study}/results`)).json()) as { series: Array<{ status: string }> };
    return r.series.some((s) => s.status === 'done') ? true : undefined;
  });
  const series = await orthanc.json<Array<{ ID: string; MainDicomTags: { Modality: string } }>>(`/studies/${study}/series`);
  const overlaySeries = series.find((s) => s.MainDicomTags.Modality === 'OT')!.ID;
  const srInstance = (await orthanc.json<Array<{ ID: string }>>(`/series/${series.find((s) => s.MainDicomTags.Modality === 'SR')!.ID}/instances`))[0].ID;

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, httpCredentials: { username: orthanc.username, password: orthanc.password } });
  const page = await context.newPage();
  await page.goto(`${orthanc.url}/app/explorer.html#study?uuid=${study}`);
  await page.waitForSelector('#list-series li a', { timeout: 15_000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(ROOT, 'docs/pacs-explorer-study.png') });
  // The SR as DCMTK's dsr2html renders it (Orthanc Explorer shows SR content only as a raw tag tree).
  const srPath = join(work, 'sr.dcm');
  writeFileSync(srPath, new Uint8Array(await (await orthanc.api(`/instances/${srInstance}/file`)).arrayBuffer()));
  const html = spawnSync('dsr2html', ['+U8', srPath], { encoding: 'utf8' });
  if (html.status !== 0) throw new Error(`dsr2html: ${html.stderr}`);
  await page.setContent(html.stdout);
  await page.screenshot({ path: join(ROOT, 'docs/pacs-sr-dsr2html.png'), fullPage: true });
  if (existsSync(WEBVIEWER)) {
    await page.goto(`${orthanc.url}/web-viewer/app/viewer.html?series=${overlaySeries}`);
    await page.waitForTimeout(4000);
    await page.screenshot({ path: join(ROOT, 'docs/pacs-webviewer-overlay.png') });
  }
  await browser.close();
  console.log('wrote docs/pacs-explorer-study.png, docs/pacs-sr-dsr2html.png' + (existsSync(WEBVIEWER) ? ', docs/pacs-webviewer-overlay.png' : ''));
} catch (err) {
  console.error(serverLog.slice(-3000));
  throw err;
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await orthanc.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log(serverLog.split('\n').filter((l) => l.includes('pacs')).join('\n'));
