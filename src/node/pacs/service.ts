// Builds the PACS link from its config: Orthanc client + SQLite state + watcher + routes, for server.ts to start and stop.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Analyse } from './analysis.js';
import type { PacsConfig } from './config.js';
import { createOrthancClient } from './orthanc-client.js';
import { registerPacsRoutes } from './routes.js';
import { openStateStore } from './state-store.js';
import { createPacsWatcher, type PacsEvent, type PacsLogger, type PacsWatcher } from './watcher.js';

export interface PacsService {
  watcher: PacsWatcher;
  /** Pass to createApp({ routes }). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  routes(app: OpenAPIHono<any>): void;
  start(): void;
  /** Finishes the slice in progress, then closes the state file. */
  stop(): Promise<void>;
}

export function createPacsService(config: PacsConfig, deps: { analyse: Analyse; logger?: PacsLogger; onEvent?: (e: PacsEvent) => void }): PacsService {
  const client = createOrthancClient({ url: config.ORTHANC_URL, username: config.ORTHANC_USERNAME, password: config.ORTHANC_PASSWORD, timeoutMs: config.PACS_HTTP_TIMEOUT_MS });
  const store = openStateStore(config.PACS_STATE);
  const watcher = createPacsWatcher({
    client,
    store,
    analyse: deps.analyse,
    logger: deps.logger,
    onEvent: deps.onEvent,
    pollMs: config.PACS_POLL_MS,
    startFrom: config.PACS_START,
    maxAttempts: config.PACS_MAX_ATTEMPTS,
    retryBaseMs: config.PACS_RETRY_BASE_MS,
    retryMaxMs: config.PACS_RETRY_MAX_MS,
  });
  return {
    watcher,
    routes: (app) => registerPacsRoutes(app, { watcher }),
    start: () => {
      deps.logger?.info({ orthanc: client.url, state: store.path }, 'pacs: link enabled');
      watcher.start();
    },
    stop: async () => {
      await watcher.stop();
      store.close();
    },
  };
}
