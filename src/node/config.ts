// Server configuration from environment variables, validated so a typo fails at start-up with the variable named.
import { z } from 'zod';
import { PROVIDERS } from './ort-engine.js';

const int = (min: number) => z.coerce.number().int().min(min);

const envSchema = z.object({
  PORT: int(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  MODEL: z.string().min(1).optional(),
  /** Execution provider: cpu (default), webgpu or cuda; a missing one falls back to cpu with one log line. */
  ORT_PROVIDER: z.enum(PROVIDERS as [string, ...string[]]).default('cpu'),
  ORT_INTRA_OP_THREADS: int(0).default(1),
  ORT_INTER_OP_THREADS: int(0).default(1),
  MAX_BODY_MB: z.coerce.number().positive().default(20),
  MAX_MEGAPIXELS: z.coerce.number().positive().default(40),
  API_KEY: z.string().min(16, 'use at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KIOSK_DIR: z.string().min(1).optional(),
});

export type ServerConfig = z.infer<typeof envSchema>;

export function readConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
