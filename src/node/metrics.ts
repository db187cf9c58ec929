// GET /metrics on Node: prom-client's registry with the request, stage, queue and refusal metrics the app reports.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppMetrics, MetricsSnapshot } from '../app/metrics.js';

export function createPromMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'brain_mri_' });
  const requests = new Counter({ name: 'brain_mri_http_requests_total', help: 'HTTP requests by method, route pattern and status.', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'brain_mri_http_request_duration_seconds',
    help: 'Time from request to response, by route pattern.',
    labelNames: ['route'],
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [registry],
  });
  const stages = new Histogram({
    name: 'brain_mri_stage_duration_seconds',
    help: 'Time per request stage: decode, preprocess, inference, explain, encode.',
    labelNames: ['stage'],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
    registers: [registry],
  });
  const refused = new Counter({ name: 'brain_mri_refusals_total', help: 'Requests refused, by error code (decode refusals, overload, ...).', labelNames: ['code'], registers: [registry] });
  const active = new Gauge({ name: 'brain_mri_requests_active', help: 'Requests decoding or inferring now.', registers: [registry] });
  const queued = new Gauge({ name: 'brain_mri_queue_depth', help: 'Requests waiting for a slot.', registers: [registry] });
  const capacity = new Gauge({ name: 'brain_mri_concurrency', help: 'Slots for decoding and inference.', registers: [registry] });
  const uploads = new Gauge({ name: 'brain_mri_upload_bytes', help: 'Request body bytes held now.', registers: [registry] });
  const shed = new Gauge({ name: 'brain_mri_shed_total', help: 'Requests shed with 503 overloaded since start, by reason.', labelNames: ['reason'], registers: [registry] });
  const model = new Gauge({ name: 'brain_mri_model_info', help: 'The served model (value 1).', labelNames: ['model'], registers: [registry] });

  return {
    request(method, route, status, ms) {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ route }, ms / 1000);
    },
    stage(stage, ms) {
      stages.observe({ stage }, ms / 1000);
    },
    refused(code) {
      refused.inc({ code });
    },
    async render(s: MetricsSnapshot) {
      active.set(s.active);
      queued.set(s.queued);
      capacity.set(s.concurrency);
      uploads.set(s.uploadBytes);
      for (const [reason, n] of Object.entries(s.shed)) shed.set({ reason }, n);
      model.reset();
      if (s.model) model.set({ model: s.model }, 1);
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
