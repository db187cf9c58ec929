// The settings Node and the Worker share, one schema read from process.env on Node and from env bindings in the Worker.
import { z } from 'zod';
import { DEFAULT_ADMISSION, type AdmissionLimits } from './admission.js';

const MB = 1048576;
const positive = z.coerce.number().positive();
const count = z.coerce.number().int().min(1);
/** Unset, or set to the empty string (a blank line in .env, an empty Worker var): both mean "use the default". */
const blankIsUnset = (v: unknown): unknown => (v === '' ? undefined : v);

export const sharedEnvShape = {
  /** Largest request body, MB. */
  MAX_BODY_MB: z.preprocess(blankIsUnset, positive.default(20)),
  /** Largest decoded image, megapixels. */
  MAX_MEGAPIXELS: z.preprocess(blankIsUnset, positive.default(40)),
  /** Largest decoded image, MB (width x height x channels x bytes per sample), checked from the header before decoding. */
  MAX_DECODED_MB: z.preprocess(blankIsUnset, positive.default(64)),
  /** When set (16+ characters), /v1/* needs `Authorization: Bearer <key>`. Node: env; Worker: `wrangler secret put`. */
  API_KEY: z.preprocess(blankIsUnset, z.string().min(16, 'use at least 16 characters').optional()),
  /** Requests decoding and inferring at once. */
  CONCURRENCY: z.preprocess(blankIsUnset, count.default(DEFAULT_ADMISSION.concurrency)),
  /** Requests waiting for a slot; one more gets 503 overloaded (why so few: DEFAULT_ADMISSION). */
  QUEUE_LENGTH: z.preprocess(blankIsUnset, z.coerce.number().int().min(0).default(DEFAULT_ADMISSION.queue)),
  /** Longest wait for a slot, ms, before 503 overloaded. */
  QUEUE_TIMEOUT_MS: z.preprocess(blankIsUnset, count.default(DEFAULT_ADMISSION.maxWaitMs)),
  /** Request bodies held at once, MB in total (uploading, queued, in work); past it 503 overloaded. */
  UPLOAD_BUDGET_MB: z.preprocess(blankIsUnset, positive.default(DEFAULT_ADMISSION.uploadBudgetBytes / MB)),
  /** The input gate ("is this a brain MRI slice?"). `off` is for research use only: anything then gets a class. */
  GATE: z.preprocess(blankIsUnset, z.enum(['on', 'off']).default('on')),
};

export const sharedEnvSchema = z.object(sharedEnvShape);

export interface AppConfig {
  maxBodyBytes: number;
  maxPixels: number;
  maxDecodedBytes: number;
  apiKey?: string;
  admission: AdmissionLimits;
  /** Whether the input gate runs (GATE=on). */
  gate: boolean;
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
  return {
    maxBodyBytes: Math.round(vars.MAX_BODY_MB * MB),
    maxPixels: Math.round(vars.MAX_MEGAPIXELS * 1e6),
    maxDecodedBytes: Math.round(vars.MAX_DECODED_MB * MB),
    apiKey: vars.API_KEY,
    admission: { concurrency: vars.CONCURRENCY, queue: vars.QUEUE_LENGTH, maxWaitMs: vars.QUEUE_TIMEOUT_MS, uploadBudgetBytes: Math.round(vars.UPLOAD_BUDGET_MB * MB) },
    gate: vars.GATE === 'on',
  };
}

/** The Worker's whole configuration: only the shared variables, from its vars and secrets. */
export function readAppConfig(env: Record<string, unknown>): AppConfig {
  const vars = Object.fromEntries(Object.keys(sharedEnvShape).map((k) => [k, env[k]]));
  return appConfig(parseEnv(sharedEnvSchema, vars));
}
