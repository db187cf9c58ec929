// Server configuration from environment variables: the settings shared with the Worker plus Node's own, validated so a
// typo fails at start-up with the variable named.
import { z } from 'zod';
import { appConfig, parseEnv, sharedEnvShape, type AppConfig } from '../app/config.js';
import { PROVIDERS } from './ort-engine.js';

const int = (min: number) => z.coerce.number().int().min(min);

const envSchema = z.object({
  ...sharedEnvShape,
  PORT: int(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  MODEL: z.string().min(1).optional(),
  /** The input gate's manifest; default the bundled one. */
  GATE_MODEL: z.string().min(1).optional(),
  /** Execution provider: cpu (default), webgpu or cuda; a missing one falls back to cpu with one log line. */
  ORT_PROVIDER: z.enum(PROVIDERS as [string, ...string[]]).default('cpu'),
  ORT_INTRA_OP_THREADS: int(0).default(2),
  ORT_INTER_OP_THREADS: int(0).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KIOSK_DIR: z.string().min(1).optional(),
  /** After SIGTERM/SIGINT: how long requests in flight may take to finish before uploads still running get 503. */
  SHUTDOWN_GRACE_MS: int(0).default(25_000),
  /** The whole request, body included, must arrive within this (slow uploads get 408). */
  REQUEST_TIMEOUT_MS: int(1000).default(60_000),
  /** The request headers must arrive within this. */
  HEADERS_TIMEOUT_MS: int(1000).default(10_000),
  /** An idle keep-alive connection is closed after this. */
  KEEP_ALIVE_TIMEOUT_MS: int(100).default(5_000),
  /** Idle this long after the last request, run one full garbage collection (when started with --expose-gc, as npm start is); 0 never. */
  IDLE_GC_MS: int(0).default(10_000),
  /** GET /metrics (Prometheus text); behind API_KEY when that is set. */
  METRICS: z.enum(['on', 'off']).default('on'),
});

export type ServerConfig = z.infer<typeof envSchema> & { app: AppConfig };

export function readConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const vars = parseEnv(envSchema, cleaned);
  return { ...vars, app: appConfig(vars) };
}
