// The Worker's settings from its vars and secrets, validated with the same rules and names as the Node service's.
import { z } from 'zod';

const positive = z.coerce.number().positive();

const envSchema = z.object({
  MAX_BODY_MB: positive.default(20),
  MAX_MEGAPIXELS: positive.default(40),
  /** `wrangler secret put API_KEY`; an empty value counts as unset. */
  API_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16, 'use at least 16 characters').optional()),
});

export interface EdgeConfig {
  maxBodyBytes: number;
  maxPixels: number;
  apiKey?: string;
}

/** Throws an Error naming the variable and the rule when a var or secret is invalid. */
export function readConfig(env: Record<string, unknown>): EdgeConfig {
  const parsed = envSchema.safeParse({ MAX_BODY_MB: env.MAX_BODY_MB, MAX_MEGAPIXELS: env.MAX_MEGAPIXELS, API_KEY: env.API_KEY });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue.path.join('.')}: ${issue.message}`);
  }
  const c = parsed.data;
  return { maxBodyBytes: Math.round(c.MAX_BODY_MB * 1024 * 1024), maxPixels: Math.round(c.MAX_MEGAPIXELS * 1e6), apiKey: c.API_KEY };
}
