// Page side of the service worker: registration, "offline ready" status and the new-version prompt.

export interface OfflineStatus {
  /** false where the browser offers no service worker (not HTTPS/localhost, or disabled). */
  supported: boolean;
  ready: boolean;
  modelVersion?: string;
  build?: string;
  error?: string;
}

let registration: Promise<ServiceWorkerRegistration | undefined> | undefined;
let controlled: Promise<void> | undefined;

const supported = (): boolean => 'serviceWorker' in navigator && globalThis.isSecureContext;

export function registerServiceWorker(): Promise<ServiceWorkerRegistration | undefined> {
  if (!supported()) return Promise.resolve(undefined);
  registration ??= navigator.serviceWorker.register(new URL('./sw.js', document.baseURI).href, { scope: './' }).catch(() => undefined);
  return registration;
}

/** Resolves once this page's requests go through the service worker, or at once when they never will. */
export function whenControlled(): Promise<void> {
  controlled ??= (async () => {
    if (!supported() || navigator.serviceWorker.controller) return;
    const reg = await registerServiceWorker();
    if (!reg) return;
    const incoming = reg.installing ?? reg.waiting;
    // Active but not controlling (a hard reload): the files come from the network this once.
    if (!incoming) return;
    await new Promise<void>((resolve) => {
      navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
      incoming.addEventListener('statechange', () => {
        if (incoming.state === 'redundant') resolve(); // install failed (e.g. offline mid-download): load directly.
      });
    });
  })();
  return controlled;
}

function ask(worker: ServiceWorker, type: 'status' | 'fill' = 'status'): Promise<{ build: string; modelVersion: string; ready: boolean }> {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => reject(new Error('the service worker did not answer')), type === 'fill' ? 600_000 : 5000);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(event.data);
    };
    worker.postMessage({ type }, [channel.port2]);
  });
}

/**
 * Asks the worker to download whatever offline use still lacks. Call it once the page has loaded what it needs
 * (the engine, or at once in server mode), so it never races the page's own downloads of the same files.
 */
export async function completeOfflineCache(): Promise<OfflineStatus> {
  if (!supported()) return { supported: false, ready: false };
  await whenControlled();
  const worker = navigator.serviceWorker.controller ?? (await registerServiceWorker())?.active;
  if (!worker) return { supported: true, ready: false };
  try {
    const s = await ask(worker, 'fill');
    return { supported: true, ready: s.ready, modelVersion: s.modelVersion, build: s.build };
  } catch (error) {
    return { supported: true, ready: false, error: (error as Error).message };
  }
}

export async function offlineStatus(): Promise<OfflineStatus> {
  if (!supported()) return { supported: false, ready: false };
  const reg = await registerServiceWorker();
  if (!reg) return { supported: true, ready: false, error: 'the service worker could not be registered' };
  const worker = navigator.serviceWorker.controller ?? reg.active;
  if (!worker) return { supported: true, ready: false };
  try {
    const s = await ask(worker);
    return { supported: true, ready: s.ready, modelVersion: s.modelVersion, build: s.build };
  } catch (error) {
    return { supported: true, ready: false, error: (error as Error).message };
  }
}

/** A worker that skipped waiting controls pages while still "activating"; its clean-up of old files ends at "activated". */
function activated(worker: ServiceWorker): Promise<void> {
  if (worker.state === 'activated') return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (worker.state === 'activated' || worker.state === 'redundant') {
        worker.removeEventListener('statechange', check);
        resolve();
      }
    };
    worker.addEventListener('statechange', check);
  });
}

/** Calls back when a newer build (new app or model) has taken over from the one this page started with. */
export function onUpdate(callback: (status: OfflineStatus) => void): void {
  if (!supported()) return;
  // The first change on a first visit is the initial claim (nothing to replace); any later one is a new build.
  let previous = navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    const next = navigator.serviceWorker.controller;
    if (previous && next) void activated(next).then(offlineStatus).then(callback);
    previous = next;
  });
  // Look for a new build whenever the kiosk comes back online or regains focus, not only at page load.
  const check = () => void registerServiceWorker().then((reg) => reg?.update().catch(() => undefined));
  addEventListener('online', check);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') check();
  });
}
