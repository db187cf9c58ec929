// What the app reports to a metrics backend; Node implements it with prom-client (src/node/metrics.ts).

export interface MetricsSnapshot {
  active: number;
  queued: number;
  concurrency: number;
  uploadBytes: number;
  shed: Record<string, number>;
  /** name@version of the served model, once loaded. */
  model?: string;
}

export interface AppMetrics {
  /** One finished request: its route pattern (never the raw path), status and duration. */
  request(method: string, route: string, status: number, ms: number): void;
  /** Time spent in one stage of a request (decode, preprocess, inference, explain, encode). */
  stage(stage: string, ms: number): void;
  /** An input refused with this error code. */
  refused(code: string): void;
  /** The exposition body, with the gauges read from `snapshot`. */
  render(snapshot: MetricsSnapshot): Promise<{ contentType: string; body: string }>;
}
