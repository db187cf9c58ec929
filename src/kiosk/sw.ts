// Kiosk service worker: precaches the app shell, ORT and the model by revision, serves them offline, drops stale ones.
// The build (vite.config.ts) replaces the three self.__KIOSK_*__ placeholders below with literals.
export {};

interface AssetEntry {
  url: string;
  revision: string;
  /** false: cached when first used (the WebGPU build), not at install. */
  precache: boolean;
}

declare const self: ServiceWorkerGlobalScope & {
  __KIOSK_ASSETS__: AssetEntry[];
  __KIOSK_BUILD__: string;
  __KIOSK_MODEL_VERSION__: string;
};

const ASSETS: AssetEntry[] = self.__KIOSK_ASSETS__;
const BUILD: string = self.__KIOSK_BUILD__;
const MODEL_VERSION: string = self.__KIOSK_MODEL_VERSION__;
// One cache for every build; entries are keyed by revision, so an update downloads only what changed.
const CACHE = 'brain-mri-kiosk';
const SCOPE = new URL(self.registration.scope);

const byPath = new Map(ASSETS.map((a) => [new URL(a.url, SCOPE).pathname, a]));
const keyOf = (a: AssetEntry) => new URL(`${a.url}${a.url.includes('?') ? '&' : '?'}__rev=${a.revision}`, SCOPE).href;

async function fetchAndStore(cache: Cache, asset: AssetEntry): Promise<Response> {
  // 'reload' skips the HTTP cache so a stale copy can never be stored under a new revision.
  const response = await fetch(new URL(asset.url, SCOPE).href, { cache: 'reload', credentials: 'same-origin' });
  if (!response.ok) throw new Error(`kiosk: ${asset.url} answered ${response.status}`);
  await cache.put(keyOf(asset), response.clone());
  return response;
}

/** The app shell: small, so a first visit's install finishes fast; ORT and the model follow as the page loads them. */
const isShell = (a: AssetEntry) => !a.url.startsWith('ort/') && !a.url.startsWith('model/');
/** Cache writes still running, so a fill never downloads what a page fetch is already storing. */
const storing = new Map<string, Promise<void>>();

async function ensure(cache: Cache, asset: AssetEntry): Promise<void> {
  await storing.get(keyOf(asset));
  if (!(await cache.match(keyOf(asset)))) await fetchAndStore(cache, asset);
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // First visit: only the shell, because the page is waiting for this worker before loading ORT and the model
      // through it (one download, stored on the way). An update: everything, so the old model is never deleted
      // before the new one is on disk.
      const firstVisit = (await cache.keys()).length === 0;
      await Promise.all(ASSETS.filter((a) => a.precache && (!firstVisit || isShell(a))).map((a) => ensure(cache, a)));
      // A new model or app version takes over at once; the page offers a reload (see sw-client.ts).
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const wanted = new Set(ASSETS.map(keyOf));
      const cache = await caches.open(CACHE);
      // Remove every entry of older builds (old model, old ORT), so only one model version is ever on disk.
      for (const request of await cache.keys()) if (!wanted.has(request.url)) await cache.delete(request);
      for (const name of await caches.keys()) if (name !== CACHE && name.startsWith('brain-mri-kiosk')) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

async function respond(event: FetchEvent, asset: AssetEntry): Promise<Response> {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(keyOf(asset));
  if (hit) return hit;
  const response = await fetch(new URL(asset.url, SCOPE).href, { cache: 'reload', credentials: 'same-origin' });
  if (response.ok) {
    // Stream to the page now and store a copy alongside, rather than making the page wait for the disk write.
    const key = keyOf(asset);
    const put = cache.put(key, response.clone()).finally(() => storing.delete(key));
    storing.set(key, put);
    event.waitUntil(put);
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return; // API calls (server mode) and uploads are never cached.
  const url = new URL(request.url);
  if (url.origin !== SCOPE.origin) return;
  let asset = byPath.get(url.pathname);
  if (!asset && request.mode === 'navigate' && url.pathname === SCOPE.pathname) asset = byPath.get(new URL('./', SCOPE).pathname);
  if (!asset) return;
  event.respondWith(respond(event, asset));
});

async function status(): Promise<{ build: string; modelVersion: string; ready: boolean; missing: number }> {
  const cache = await caches.open(CACHE);
  let missing = 0;
  for (const asset of ASSETS.filter((a) => a.precache)) if (!(await cache.match(keyOf(asset)))) missing++;
  return { build: BUILD, modelVersion: MODEL_VERSION, ready: missing === 0, missing };
}

self.addEventListener('message', (event) => {
  const type = (event.data as { type?: string } | null)?.type;
  if (type !== 'status' && type !== 'fill') return;
  const port = event.ports[0];
  event.waitUntil(
    (async () => {
      if (type === 'fill') {
        // Whatever the page did not load itself (server mode never loads ORT): fetch it so the kiosk is offline-ready.
        const cache = await caches.open(CACHE);
        await Promise.all(ASSETS.filter((a) => a.precache).map((a) => ensure(cache, a).catch(() => undefined)));
      }
      port?.postMessage(await status());
    })(),
  );
});
