// `npm start`: serves the app on PORT with the bundled (or MODEL=) model; ready after load + warm-up; graceful SIGTERM.
// Static imports are only what model loading needs; the HTTP stack is imported while the ONNX session is created.
import { setMaxListeners } from 'node:events';
import { lazySource } from '../app/service-source.js';
import type { Server } from 'node:http';
import { readConfig } from './config.js';
import { collectWhenIdle } from './idle-gc.js';
import { loadNodeService } from './load-service.js';
import { readPacsConfig } from './pacs/config.js';
import type { Provider } from './ort-engine.js';
import { KIOSK_DIR } from './paths.js';
import { loadSharp } from './sharp-formats.js';

export async function main(): Promise<void> {
  let config;
  let pacsConfig;
  try {
    config = readConfig();
    pacsConfig = readPacsConfig();
  } catch (err) {
    process.stderr.write(`brain-mri: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const early: string[] = [];
  const source = lazySource(
    () =>
      loadNodeService({
        manifestPath: config.MODEL,
        gate: config.app.gate ? config.GATE_MODEL : false,
        provider: config.ORT_PROVIDER as Provider,
        intraOpThreads: config.ORT_INTRA_OP_THREADS,
        interOpThreads: config.ORT_INTER_OP_THREADS,
        warn: (message) => early.push(message),
      }),
    { eager: true },
  );
  const [{ serve }, { default: pino }, { createApp }, { staticAssets }, { encodePngSharp }, { createPromMetrics }] = await Promise.all([
    import('@hono/node-server'),
    import('pino'),
    import('../app/create-app.js'),
    import('./static-assets.js'),
    import('./sharp-png.js'),
    import('./metrics.js'),
  ]);
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'brain-mri' } });
  // PACS link (ORTHANC_URL set): results written back to Orthanc as DICOM, through the same request path as the API.
  const pacs = pacsConfig
    ? await Promise.all([import('./pacs/service.js'), import('./pacs/analyse-slice.js')]).then(([{ createPacsService }, { createSliceAnalyser }]) =>
        createPacsService(pacsConfig, { analyse: createSliceAnalyser(() => source.get(), config.app), logger }),
      )
    : undefined;
  const shutdown = new AbortController();
  // Every upload in flight listens on this one signal (and stops listening when it ends): dozens at once is normal load,
  // not the listener leak Node's default warning at 11 assumes.
  setMaxListeners(0, shutdown.signal);
  const lifecycle = { draining: false, signal: shutdown.signal };
  const app = createApp({
    service: source,
    limits: config.app,
    logger,
    apiKey: config.app.apiKey,
    assets: staticAssets(config.KIOSK_DIR ?? KIOSK_DIR),
    encodePng: encodePngSharp,
    routes: pacs?.routes,
    metrics: config.METRICS === 'on' ? createPromMetrics() : undefined,
    lifecycle,
  });
  pacs?.start();
  const server = serve(
    {
      fetch: app.fetch,
      port: config.PORT,
      hostname: config.HOST,
      // Node checks the request and header timeouts every connectionsCheckingInterval (30 s by default), so a stalled upload
      // could hold its slot up to 30 s past REQUEST_TIMEOUT_MS; checked each second, the limit is what the docs say.
      serverOptions: { requestTimeout: config.REQUEST_TIMEOUT_MS, headersTimeout: config.HEADERS_TIMEOUT_MS, keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS, connectionsCheckingInterval: 1_000 },
    },
    (info) => {
      logger.info({ port: info.port, host: config.HOST }, 'listening');
    },
  );
  collectWhenIdle(server as Server, config.IDLE_GC_MS);
  server.on('error', (err) => {
    logger.fatal({ err: { message: err.message } }, 'cannot listen');
    process.exit(1);
  });

  source
    .get()
    .then(({ classifier: c }) => {
      for (const message of early) logger.warn({ provider: config.ORT_PROVIDER }, message);
      loadSharp().catch((err: Error) => logger.error({ err: { message: err.message } }, 'sharp failed to load: WebP, TIFF and GIF input and PNG output will fail'));
      logger.info(
        { model: `${c.model.name}@${c.model.version}`, backend: c.backend, saliency: c.saliencyMethod, readyMs: Math.round(process.uptime() * 1000) },
        'ready',
      );
    })
    .catch((err: Error) => {
      for (const message of early) logger.warn({ provider: config.ORT_PROVIDER }, message);
      logger.fatal({ err: { message: err.message } }, 'the model could not be loaded; refusing to serve');
      process.exitCode = 1;
      server.close();
    });

  // SIGTERM/SIGINT: stop accepting, answer new requests on open connections with 503 shutting_down, let requests in
  // flight finish for SHUTDOWN_GRACE_MS; uploads still running then get 503 too (abort), and the process exits.
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    lifecycle.draining = true;
    logger.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS }, 'shutting down: finishing requests in flight');
    server.close(async () => {
      await pacs?.stop().catch((err: Error) => logger.error({ err: { message: err.message } }, 'pacs: stop failed'));
      await source.loaded()?.release().catch(() => undefined);
      logger.info('stopped');
      process.exit(process.exitCode ?? 0);
    });
    (server as unknown as { closeIdleConnections(): void }).closeIdleConnections();
    setTimeout(() => {
      logger.warn({ graceMs: config.SHUTDOWN_GRACE_MS }, 'requests still running at the end of the grace period: answering them 503 shutting_down');
      shutdown.abort();
      setTimeout(() => {
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
        process.exit(1);
      }, 1000).unref();
    }, config.SHUTDOWN_GRACE_MS).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
