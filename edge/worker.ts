// Cloudflare Worker entry: the shared Hono app with a classifier created lazily once per isolate and reused.
import type { ExecutionContext } from '@cloudflare/workers-types';
import { readAppConfig } from '../src/app/config.js';
import { createApp } from '../src/app/create-app.js';
import { lazySource } from '../src/app/service-source.js';
import { bundledCodecs, bundledModel } from './bundled-model.js';
import { consoleLogger } from './console-logger.js';
import { loadEdgeService } from './load-service.js';

export interface Env {
  /** Static assets binding ([assets] in wrangler.toml): the kiosk. */
  ASSETS?: { fetch(request: Request): Promise<Response> };
  /** Secret (`wrangler secret put API_KEY`, 16+ characters): when set, /v1/* needs `Authorization: Bearer <key>`. */
  API_KEY?: string;
  MAX_BODY_MB?: string;
  MAX_MEGAPIXELS?: string;
}

type Handler = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;
let handler: Handler | undefined;

/** Fail closed: a bad secret or var must not leave the API open or half-configured. */
function misconfigured(message: string): Handler {
  consoleLogger.error({ config: message }, 'invalid Worker configuration; answering 503 until it is fixed');
  return () =>
    Response.json(
      { error: { code: 'misconfigured', message: `the server is misconfigured (${message}); fix the variable in wrangler.toml or with wrangler secret put, then redeploy` } },
      { status: 503 },
    );
}

// Built on the first request, not at import: module evaluation counts against the startup limit, and env
// (secrets, vars) arrives with requests. Bindings are fixed for an isolate's life, so building once is safe.
function handlerFor(env: Env): Handler {
  if (handler) return handler;
  let config;
  try {
    config = readAppConfig(env as Record<string, unknown>);
  } catch (error) {
    return (handler = misconfigured((error as Error).message));
  }
  // Once per isolate, on the first request; no separate warm-up (that request is it), and a failed load is retried.
  const source = lazySource(() => loadEdgeService(config.gate ? bundledModel : { ...bundledModel, gate: undefined }, bundledCodecs), {
    warmup: false,
    retry: true,
    onLoaded: (ms, { classifier: c }) => consoleLogger.info({ model: `${c.model.name}@${c.model.version}`, backend: c.backend, loadMs: ms }, 'model loaded'),
  });
  const app = createApp({
    service: source,
    limits: config,
    logger: consoleLogger,
    apiKey: config.apiKey,
    assets: env.ASSETS,
  });
  return (handler = (request, e, ctx) => app.fetch(request, e, ctx));
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    return handlerFor(env)(request, env, ctx);
  },
};
