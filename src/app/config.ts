// The settings Node and the Worker share, one schema read from process.env on Node and from env bindings in the Worker.
import { z } from 'zod';

const positive = z.coerce.number().positive();
/** Unset, or set to the empty string (a blank line in .env, an empty Worker var): both mean "use the default". */
const blankIsUnset = (v: unknown): unknown => (v === '' ? undefined : v);

export const sharedEnvShape = {
  /** Largest request body, MB. */
  MAX_BODY_MB: z.preprocess(blankIsUnset, positive.default(20)),
  /** Largest decoded image, megapixels. */
  MAX_MEGAPIXELS: z.preprocess(blankIsUnset, positive.default(40)),
  /** When set (16+ characters), /v1/* needs `Authorization: Bearer <key>`. Node: env; Worker: `wrangler secret put`. */
  API_KEY: z.preprocess(blankIsUnset, z.string().min(16, 'use at least 16 characters').optional()),
};

export const sharedEnvSchema = z.object(sharedEnvShape);

export interface AppConfig {
  maxBodyBytes: number;
  maxPixels: number;
  apiKey?: string;
}

/** Parses with `schema`, throwing one Error that names the variable and the rule at fault. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, unknown>): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** The app's settings from the shared variables, in the units the app uses. */
export function appConfig(vars: z.infer<typeof sharedEnvSchema>): AppConfig {
  return { maxBodyBytes: Math.round(vars.MAX_BODY_MB * 1048576), maxPixels: Math.round(vars.MAX_MEGAPIXELS * 1e6), apiKey: vars.API_KEY };
}

/** The Worker's whole configuration: only the shared variables. */
export function readAppConfig(env: Record<string, unknown>): AppConfig {
  return appConfig(parseEnv(sharedEnvSchema, { MAX_BODY_MB: env.MAX_BODY_MB, MAX_MEGAPIXELS: env.MAX_MEGAPIXELS, API_KEY: env.API_KEY }));
}
