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
  /** Execution provider: cpu (default), webgpu or cuda; a missing one falls back to cpu with one log line. */
  ORT_PROVIDER: z.enum(PROVIDERS as [string, ...string[]]).default('cpu'),
  ORT_INTRA_OP_THREADS: int(0).default(2),
  ORT_INTER_OP_THREADS: int(0).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KIOSK_DIR: z.string().min(1).optional(),
});

export type ServerConfig = z.infer<typeof envSchema> & { app: AppConfig };

export function readConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const vars = parseEnv(envSchema, cleaned);
  return { ...vars, app: appConfig(vars) };
}
