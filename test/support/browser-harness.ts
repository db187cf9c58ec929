// Test/bench harness for the kiosk: builds dist/kiosk when stale, starts the real Node server, drives Debian's Chromium.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { kioskStale } from '../../bin/kiosk-stale.mjs';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const KIOSK_DIR = join(ROOT, 'dist/kiosk');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Debian's Chromium, headless, no GPU: the WASM path a low-power kiosk without WebGPU takes. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Rebuilds dist/kiosk when it is missing or older than its sources (kiosk, core, both models, ORT). Test files run in
 * parallel processes, so one builds under a lock while the others wait, and the new build replaces the old in one
 * rename: a server reading dist/kiosk never sees a half-written folder.
 */
export function ensureKioskBuilt(): void {
  if (!kioskStale(ROOT)) return;
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const lock = join(ROOT, 'dist/.kiosk-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Someone else is building; a lock older than 3 minutes belongs to a build that died.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 3 minutes for ${lock}; remove it if no build is running`);
      sleepSync(250);
    }
  }
  try {
    if (!kioskStale(ROOT)) return;
    const staging = join(ROOT, `dist/.kiosk-build-${process.pid}`);
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'KIOSK_MODEL_DIR'));
    execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src/kiosk/vite.config.ts', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...env, KIOSK_OUT_DIR: staging },
    });
    const old = `${KIOSK_DIR}.old-${process.pid}`;
    if (existsSync(KIOSK_DIR)) renameSync(KIOSK_DIR, old);
    renameSync(staging, KIOSK_DIR);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export interface RunningServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The real Node service (src/node/server.ts, the same entry as `npm start`) on a free port, ready when /readyz says so. */
export async function startNodeServer(options: { kioskDir?: string; env?: Record<string, string> } = {}): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/node/server.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', KIOSK_DIR: options.kioskDir ?? KIOSK_DIR, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Node server exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Node server was not ready within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (never download a browser), or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export async function kioskContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 600 }, deviceScaleFactor: 1 });
  // Every Content-Security-Policy violation of every page, for cspViolations(); injected by the browser, not the page.
  await context.addInitScript(() => {
    const seen: string[] = ((window as unknown as { __csp: string[] }).__csp = []);
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return context;
}

/** CSP violations the page has reported so far (see kioskContext). */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
}

export interface ShownResult {
  label: string;
  confidence: number;
  probabilities: Record<string, number>;
  uncertain: boolean;
  overlayLabel: string;
  meta: string;
  /** The percentages as the bars print them. */
  shown: string[];
}

/** Waits until the page has settled on a loaded engine (or an error), and fails with the page's own message on error. */
/**
 * Clicks Apply in the settings dialog and returns once the kiosk has applied them. The kiosk applies on the dialog's
 * `close` event, which fires in a later task than the click: a listener added now runs after the kiosk's own.
 */
export async function applySettings(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { settingsApplied?: Promise<void> };
    w.settingsApplied = new Promise((resolve) => document.getElementById('settings')!.addEventListener('close', () => resolve(), { once: true }));
  });
  await page.click('#settings-apply');
  await page.evaluate(() => (window as unknown as { settingsApplied: Promise<void> }).settingsApplied);
}

/** Switches the kiosk to server mode in the settings dialog, as an operator would, and waits for it to be ready. */
export async function switchToServer(page: Page): Promise<string> {
  await page.click('#open-settings');
  await page.check('input[name="mode"][value="server"]');
  await applySettings(page);
  return waitForEngine(page);
}

export async function waitForEngine(page: Page, timeout = 60_000): Promise<string> {
  await page.waitForFunction(() => document.body.dataset.phase && document.body.dataset.phase !== 'loading', null, { timeout });
  const phase = await page.evaluate(() => document.body.dataset.phase);
  if (phase === 'error' || phase === 'refused') throw new Error(`kiosk ${phase}: ${await page.textContent(phase === 'error' ? '#error' : '#refused')}`);
  return (await page.textContent('#badge-engine')) ?? '';
}

/** Picks the file with the kiosk's file input and reads what the screen shows. */
export async function classifyInPage(page: Page, file: string, timeout = 60_000): Promise<ShownResult> {
  await page.evaluate(() => {
    document.body.dataset.phase = 'submitted';
  });
  await page.setInputFiles('#file', file);
  await page.waitForFunction(() => ['result', 'error', 'refused'].includes(document.body.dataset.phase ?? ''), null, { timeout });
  return readShownResult(page);
}

export async function readShownResult(page: Page): Promise<ShownResult> {
  const phase = await page.evaluate(() => document.body.dataset.phase);
  if (phase === 'error' || phase === 'refused') throw new Error(`kiosk ${phase}: ${await page.textContent(phase === 'error' ? '#error' : '#refused')}`);
  return page.evaluate(() => {
    const probabilities: Record<string, number> = {};
    for (const row of document.querySelectorAll<HTMLElement>('#bars .bar')) {
      const input = row.querySelector('input')!;
      probabilities[input.value] = Number(row.dataset.probability);
    }
    return {
      label: document.getElementById('result-label')!.textContent!,
      confidence: Math.max(...Object.values(probabilities)),
      shown: [...document.querySelectorAll<HTMLElement>('#bars .bar .pct')].map((e) => e.textContent ?? ''),
      probabilities,
      uncertain: !document.getElementById('uncertain')!.hidden,
      overlayLabel: (document.getElementById('overlay') as HTMLCanvasElement).dataset.label ?? '',
      meta: document.getElementById('meta')!.textContent ?? '',
    };
  });
}

/** Pixel statistics of a canvas: size, how many pixels are not black, and how many differ from another canvas. */
export function canvasStats(page: Page, id: string, compareWith?: string): Promise<{ width: number; height: number; nonBlack: number; differing: number }> {
  // Inline code only: tsx's keepNames would wrap named helpers in a __name() the page does not define.
  return page.evaluate(
    ([id, other]) => {
      const [a, b] = [id, other].map((cid) => {
        const c = cid ? (document.getElementById(cid) as HTMLCanvasElement) : null;
        if (!c || !c.width || !c.height) return { w: c?.width ?? 0, h: c?.height ?? 0, d: new Uint8ClampedArray(0) };
        return { w: c.width, h: c.height, d: c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data };
      });
      let nonBlack = 0;
      let differing = 0;
      for (let i = 0; i < a.d.length; i += 4) {
        if (a.d[i] + a.d[i + 1] + a.d[i + 2] > 0) nonBlack++;
        if (b.d.length === a.d.length && Math.abs(a.d[i] - b.d[i]) + Math.abs(a.d[i + 1] - b.d[i + 1]) + Math.abs(a.d[i + 2] - b.d[i + 2]) > 12) differing++;
      }
      return { width: a.w, height: a.h, nonBlack, differing };
    },
    [id, compareWith] as const,
  );
}

export async function waitForOfflineReady(page: Page, timeout = 60_000): Promise<string> {
  await page.waitForFunction(() => document.getElementById('badge-offline')?.textContent?.startsWith('Offline ready'), null, { timeout });
  return (await page.textContent('#badge-offline')) ?? '';
}

/** The RGBA pixels of a canvas, for pixel-level comparisons between runs. */
export async function canvasPixels(page: Page, id: string): Promise<Uint8Array> {
  const b64 = await page.evaluate((cid) => {
    const c = document.getElementById(cid) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let s = '';
    for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode(...d.subarray(i, i + 0x8000));
    return btoa(s);
  }, id);
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/** Drops a file on the scan area the way a drag from the desktop does (a DataTransfer carrying a File). */
export async function dropFile(page: Page, file: string, mediaType: string): Promise<ShownResult> {
  const b64 = readFileSync(file).toString('base64');
  await page.evaluate(
    ([data, type, name]) => {
      document.body.dataset.phase = 'submitted';
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name, { type }));
      const stage = document.getElementById('drop')!.parentElement!;
      stage.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      stage.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    [b64, mediaType, basename(file)] as const,
  );
  await page.waitForFunction(() => ['result', 'error'].includes(document.body.dataset.phase ?? ''), null, { timeout: 60_000 });
  return readShownResult(page);
}
