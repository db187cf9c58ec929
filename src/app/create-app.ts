// The Hono app every runtime serves (Node, the Worker, tests via app.request()): routes, docs, errors, auth, logging.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { checkExplainOptions, type Explanation } from '../core/classifier.js';
import { ImageInputError } from '../core/errors.js';
import type { RgbaImage } from '../core/image.js';
import { encodePng, pngDataUrl } from '../core/png.js';
import { SALIENCY_VIEWS, type SaliencyView } from '../core/saliency.js';
import { analyse, type Analysis, type Service } from '../core/service.js';
import { createAdmission, DEFAULT_ADMISSION, type Admission, type AdmissionLimits } from './admission.js';
import { DOCS_CSP, docsPage } from './docs-page.js';
import { errorResponse, NotReadyError, ShuttingDownError, toErrorResponse } from './errors.js';
import type { AppMetrics } from './metrics.js';
import { decodeParams, DEFAULT_MAX_PIXELS, type ScanParams } from './scan-params.js';
import { toSource, type ServiceSource } from './service-source.js';
import { readImage } from './read-image.js';
import { ClassifyQuery, ClassifyResponse, errorResponses, IMAGE_BODY, ModelResponse, NOTICE, SaliencyQuery } from './schemas.js';
import { bearerMatches, securityHeaders } from './security.js';
import { allowedMethods } from './route-table.js';

export interface AppLimits {
  /** Request body limit in bytes (default 20 MiB). */
  maxBodyBytes?: number;
  /** Decoded pixel limit (default 40 megapixels), checked against the header before decoding. */
  maxPixels?: number;
  /** Decoded size limit in bytes (width x height x channels x bytes per sample); default none beyond maxPixels. */
  maxDecodedBytes?: number;
  /** How long a request waits for a loading model before 503 (default 30 s). */
  readyTimeoutMs?: number;
  /** Load shedding: concurrency, queue, longest wait, upload bytes in flight (defaults: DEFAULT_ADMISSION). */
  admission?: Partial<AdmissionLimits>;
}

/** The server's shutdown, as the app sees it: new requests are refused while draining; `signal` aborts uploads still running at the deadline. */
export interface Lifecycle {
  readonly draining: boolean;
  readonly signal: AbortSignal;
}

/** pino-shaped, so Node passes pino and the Worker a console wrapper. */
export interface AppLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface CreateAppOptions {
  service: Service | ServiceSource;
  limits?: AppLimits;
  logger?: AppLogger;
  /** When set, /v1/* needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Static files (the kiosk at /): asked for GET/HEAD requests no route matched. */
  assets?: { fetch(request: Request): Promise<Response> | Response };
  /** Lossless PNG encoder for saliency images (Node may pass a native one); default the core's pure-JS writer. */
  encodePng?: (image: RgbaImage) => Uint8Array | Promise<Uint8Array>;
  /** More routes (e.g. the Node service's PACS link), registered before the /v1 catch-all so auth, logging and errors apply. */
  routes?: (app: OpenAPIHono<Env>) => void;
  /** Counters and histograms; when given, GET /metrics serves them (behind the API key when one is set). */
  metrics?: AppMetrics;
  lifecycle?: Lifecycle;
}

export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
export { DEFAULT_MAX_PIXELS };

type Env = { Variables: { route?: string } };

export function createApp(options: CreateAppOptions): OpenAPIHono<Env> {
  const source = toSource(options.service);
  const maxBodyBytes = options.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxPixels = options.limits?.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxDecodedBytes = options.limits?.maxDecodedBytes;
  const png = options.encodePng ?? ((image: RgbaImage) => encodePng(image.data, image.width, image.height));
  const readyTimeoutMs = options.limits?.readyTimeoutMs ?? 30_000;
  const admission: Admission = createAdmission({ ...DEFAULT_ADMISSION, ...options.limits?.admission });
  const { logger, metrics, lifecycle } = options;
  let loadedVersion: string | undefined;

  const app = new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue.path.length ? `query parameter "${issue.path.join('.')}"` : 'request';
        return errorResponse(c, 422, 'invalid_parameter', `${where}: ${issue.message}`);
      }
    },
  });

  const versionOf = (s: Service): string => `${s.classifier.model.name}@${s.classifier.model.version}`;

  async function service(): Promise<Service> {
    if (source.ready()) {
      const s = await source.get();
      loadedVersion ??= versionOf(s);
      return s;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const c = await Promise.race([
        source.get(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new NotReadyError(`the model is still loading after ${readyTimeoutMs} ms; retry shortly`)), readyTimeoutMs);
        }),
      ]);
      loadedVersion = versionOf(c);
      return c;
    } catch (err) {
      if (err instanceof NotReadyError) throw err;
      throw new NotReadyError(`the model could not be loaded: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  // Outermost: one log line (and the request metrics) per request, whatever happened inside. Never the body, file
  // names or query values.
  app.use('*', async (c, next) => {
    const t0 = globalThis.performance.now();
    await next();
    const status = c.res.status;
    const route = c.get('route') ?? c.req.routePath;
    const durationMs = Math.round((globalThis.performance.now() - t0) * 100) / 100;
    metrics?.request(c.req.method, route, status, durationMs);
    const line = { method: c.req.method, route, status, durationMs, model: loadedVersion ?? null };
    if (status >= 500 && status !== 503) logger?.error(line, 'request');
    else if (status === 503) logger?.warn(line, 'request');
    else logger?.info(line, 'request');
  });
  app.use('*', async (c, next) => {
    try {
      decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      c.set('route', '(malformed)');
      return errorResponse(c, 400, 'bad_request', 'the URL path has malformed percent-encoding (such as "%zz"); encode "%" as "%25"');
    }
    if (lifecycle?.draining) {
      c.header('Connection', 'close');
      c.header('Retry-After', '5');
      return errorResponse(c, 503, 'shutting_down', 'the server is shutting down; retry shortly (another instance may answer)');
    }
    return next();
  });
  app.use('*', securityHeaders());
  const guard = async (c: Context, next: () => Promise<void>): Promise<Response | void> => {
    if (options.apiKey === undefined) return next();
    if (await bearerMatches(c.req.header('authorization'), options.apiKey)) return next();
    c.header('WWW-Authenticate', 'Bearer');
    return errorResponse(c, 401, 'unauthorized', 'this server needs an API key: send "Authorization: Bearer <key>"');
  };
  app.use('/v1/*', guard);
  app.use('/metrics', guard);

  app.onError((err, c) => {
    const { response, internal, code } = toErrorResponse(err, c);
    if (code) metrics?.refused(code);
    if (internal) logger?.error({ err: { name: (err as Error).name, message: (err as Error).message }, route: c.req.routePath }, 'unhandled error');
    return response;
  });

  app.notFound(async (c) => {
    if (options.assets && (c.req.method === 'GET' || c.req.method === 'HEAD') && !c.req.path.startsWith('/v1/')) {
      const res = await options.assets.fetch(c.req.raw);
      if (res.status !== 404) {
        c.set('route', 'static');
        return res;
      }
    }
    return notFoundOrNotAllowed(c);
  });

  /**
   * Reads the upload against the body limit and the service's upload budget, then runs `work` in an admission slot.
   * The body's bytes stay counted until the answer is built, so queued uploads count too.
   */
  async function admitted<T>(c: Context, work: (bytes: Uint8Array) => Promise<T>): Promise<T> {
    const upload = admission.upload();
    try {
      let bytes: Uint8Array;
      try {
        ({ bytes } = await readImage(c.req.raw, { maxBytes: maxBodyBytes, reserve: upload.add, signal: lifecycle?.signal }));
      } catch (error) {
        if (lifecycle?.signal.aborted) throw new ShuttingDownError('the server shut down before the upload finished; send it again');
        throw error;
      }
      return await admission.run(() => work(bytes));
    } finally {
      upload.release();
    }
  }

  async function analyseBytes(s: Service, bytes: Uint8Array, q: ScanParams): Promise<Analysis> {
    const analysis = await analyse(s, bytes, { maxPixels, maxDecodedBytes, params: decodeParams(q) });
    for (const [stage, v] of Object.entries(analysis.timings)) metrics?.stage(stage, v);
    return analysis;
  }

  /** `class=a,b` or `class=all`, each checked against the model's labels before any work is done. */
  function requestedLabels(s: Service, text: string | undefined): string[] | undefined {
    if (text === undefined || text === '') return undefined;
    const labels = s.classifier.manifest.labels;
    if (text === 'all') return [...labels];
    const asked = [...new Set(text.split(',').map((l) => l.trim()))];
    for (const label of asked) checkExplainOptions(labels, { label });
    return asked;
  }

  const now = (): number => globalThis.performance.now();
  const ms = (t: number): number => Math.round(t * 1000) / 1000;

  const limitsText = `Limits: body ${Math.round(maxBodyBytes / 1048576)} MB, ${maxPixels / 1e6} megapixels.`;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/classify',
      security: [{ bearer: [] }],
      summary: 'Classify one scan',
      description: `Returns the predicted label, its confidence and every class probability. ${limitsText} ${NOTICE}`,
      request: { query: ClassifyQuery, body: IMAGE_BODY as never },
      responses: {
        200: { description: 'Classification', content: { 'application/json': { schema: ClassifyResponse } } },
        ...errorResponses([400, 401, 413, 415, 422, 503]),
      },
    }),
    (async (c: Context) => {
      const t0 = now();
      const q = (c.req as unknown as { valid(t: 'query'): z.infer<typeof ClassifyQuery> }).valid('query');
      const s = await service();
      const asked = requestedLabels(s, q.class);
      if (asked && !q.saliency) throw new ImageInputError('invalid_parameter', 'class names the maps to render; add saliency=overlay or saliency=heatmap');
      const body = await admitted(c, async (bytes) => {
        const { input, gate, inference, timings } = await analyseBytes(s, bytes, q);
        let saliency: z.infer<typeof ClassifyResponse>['saliency'];
        let explainMs = 0;
        let encodeMs = 0;
        if (q.saliency) {
          const view = q.saliency as SaliencyView;
          saliency = [];
          for (const label of asked ?? [inference.label]) {
            const e: Explanation = await s.classifier.explain(inference, input.image, { label, view });
            explainMs += e.ms;
            const te = now();
            const dataUrl = pngDataUrl(await png(e.rgba));
            encodeMs += now() - te;
            saliency.push({ view, label: e.label, method: e.method, width: e.rgba.width, height: e.rgba.height, dataUrl });
          }
          metrics?.stage('explain', explainMs);
          metrics?.stage('encode', encodeMs);
        }
        const { maps: _maps, features: _features, timings: _t, ...result } = inference;
        const json: z.infer<typeof ClassifyResponse> = {
          ...result,
          gate: gate ? { score: gate.score, threshold: gate.threshold, uncertain_below: gate.uncertainBelow, model: gate.model } : null,
          input: input.source,
          timings: { ...timings, ...(saliency ? { explain: ms(explainMs), encode: ms(encodeMs) } : {}), total: ms(now() - t0) },
          ...(saliency ? { saliency } : {}),
          notice: s.classifier.manifest.notice,
        };
        return json;
      });
      return c.json(body, 200);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/saliency',
      security: [{ bearer: [] }],
      summary: 'Saliency map of one scan as PNG',
      description: `The class-activation map of \`class\` (default: the predicted label), at the scan's size. Headers X-Label, X-Saliency-Class and X-Saliency-Method describe it. ${limitsText} ${NOTICE}`,
      request: { query: SaliencyQuery, body: IMAGE_BODY as never },
      responses: {
        200: { description: 'PNG image', content: { 'image/png': { schema: { type: 'string', format: 'binary' } as never } } },
        ...errorResponses([400, 401, 413, 415, 422, 503]),
      },
    }),
    (async (c: Context) => {
      const q = (c.req as unknown as { valid(t: 'query'): z.infer<typeof SaliencyQuery> }).valid('query');
      const s = await service();
      checkExplainOptions(s.classifier.manifest.labels, { label: q.class });
      const { inference, e, bytes } = await admitted(c, async (upload) => {
        const { input, inference } = await analyseBytes(s, upload, q);
        const e = await s.classifier.explain(inference, input.image, { label: q.class, view: q.view as SaliencyView });
        metrics?.stage('explain', e.ms);
        const te = now();
        const bytes = await png(e.rgba);
        metrics?.stage('encode', now() - te);
        return { inference, e, bytes };
      });
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
        'Content-Type': 'image/png',
        'X-Label': inference.label,
        'X-Confidence': inference.confidence.toFixed(4),
        'X-Uncertain': String(inference.uncertain),
        'X-Saliency-Class': e.label,
        'X-Saliency-Method': e.method,
        'Cache-Control': 'no-store',
      });
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/model',
      security: [{ bearer: [] }],
      summary: 'The served models: the classifier (manifest, public part, and model-card metrics) and the input gate',
      description: NOTICE,
      responses: { 200: { description: 'Model', content: { 'application/json': { schema: ModelResponse } } }, ...errorResponses([401, 503]) },
    }),
    (async (c: Context) => {
      const s = await service();
      const model = s.classifier;
      const m = model.manifest;
      const g = s.gate;
      const body: z.infer<typeof ModelResponse> = {
        name: m.name,
        version: m.version,
        description: m.description,
        notice: m.notice,
        sha256: m.model.sha256,
        backend: model.backend,
        labels: m.labels,
        input: { ...m.input, architecture: m.model.architecture, parameters: m.model.parameters, opset: m.model.opset },
        preprocessing: m.preprocessing,
        saliency: { method: model.saliencyMethod, views: [...SALIENCY_VIEWS] },
        thresholds: m.thresholds,
        familiarity: m.familiarity ?? null,
        gate: g
          ? {
              ...g.model,
              backend: g.backend,
              labels: g.manifest.labels,
              threshold: g.manifest.thresholds.accept!,
              uncertain_below: g.uncertainBelow,
              input: { ...g.manifest.input, preprocessing: g.manifest.preprocessing },
              metrics: (g.manifest.metrics as Record<string, unknown> | undefined) ?? null,
              notice: g.manifest.notice,
            }
          : null,
        metrics: m.metrics ?? null,
        training: m.training ?? null,
        ...(m.card !== undefined ? { card: m.card } : {}),
      };
      return c.json(body, 200);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process answers',
      responses: { 200: { description: 'Alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: model loaded and a warm-up inference done',
      responses: {
        200: { description: 'Ready', content: { 'application/json': { schema: z.object({ status: z.literal('ready'), model: z.string() }) } } },
        ...errorResponses([503]),
      },
    }),
    (async (c: Context) => {
      if (!source.ready()) return errorResponse(c, 503, 'not_ready', 'the model is loading or warming up; retry shortly');
      loadedVersion = versionOf(await source.get());
      return c.json({ status: 'ready', model: loadedVersion }, 200);
    }) as never,
  );

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Brain-MRI classifier API',
      version: '1',
      description: `Classifies a brain MRI slice as glioma, meningioma, normal or pituitary and renders where the model looked.\n\n**${NOTICE}**`,
    },
    components: {},
  } as never);
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'Only when the server sets an API key.' });
  // Swagger UI from files served beside the kiosk (no CDN: the docs work offline), with no inline script, so a strict CSP holds.
  app.get('/docs', (c) => c.html(docsPage(), 200, { 'Content-Security-Policy': DOCS_CSP }));

  if (metrics) {
    app.get('/metrics', async (c) => {
      const { contentType, body } = await metrics.render({ ...admission.stats(), concurrency: admission.limits.concurrency, model: loadedVersion });
      return c.body(body, 200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
    });
  }

  options.routes?.(app);

  // Unknown paths and wrong methods under /v1 still get the JSON error shape (405 with Allow for known paths).
  app.all('/v1/*', (c) => notFoundOrNotAllowed(c));

  const routeMethods = allowedMethods(app.routes);
  function notFoundOrNotAllowed(c: Context): Response {
    const allowed = routeMethods(c.req.path);
    if (allowed.length) {
      c.set('route', '(method not allowed)');
      c.header('Allow', allowed.join(', '));
      return errorResponse(c, 405, 'method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(' or ')}`);
    }
    c.set('route', '(unmatched)');
    return errorResponse(c, 404, 'not_found', `no route ${c.req.method} ${c.req.path}; see /docs`);
  }
  return app;
}
