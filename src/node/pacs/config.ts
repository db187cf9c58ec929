// PACS (Orthanc) settings from environment variables, validated like the server's own so a typo fails at start-up.
import { z } from 'zod';

const int = (min: number) => z.coerce.number().int().min(min);
const parseUrl = (u: string): URL | undefined => {
  try {
    return new URL(u);
  } catch {
    return undefined;
  }
};

const pacsEnvSchema = z
  .object({
    /** Orthanc's REST root, e.g. http://127.0.0.1:8042 (credentials go in the two variables below, never in the URL). */
    ORTHANC_URL: z
      .string()
      .url()
      .refine((u) => /^https?:$/.test(parseUrl(u)?.protocol ?? ''), 'use an http:// or https:// URL')
      .refine((u) => !parseUrl(u)?.username && !parseUrl(u)?.password, 'put credentials in ORTHANC_USERNAME and ORTHANC_PASSWORD, not in the URL'),
    ORTHANC_USERNAME: z.string().min(1).optional(),
    ORTHANC_PASSWORD: z.string().min(1).optional(),
    /** SQLite file that remembers the change-feed position and every series' progress (holds results until Orthanc has them). */
    PACS_STATE: z.string().min(1).default('data/pacs-state.sqlite'),
    /** How often to ask Orthanc's /changes for new stable series. */
    PACS_POLL_MS: int(100).default(5000),
    /** On the very first start (empty state): `now` ignores series already in Orthanc, `beginning` processes its whole history. */
    PACS_START: z.enum(['now', 'beginning']).default('now'),
    /** Attempts per series before it is marked failed (a manual trigger retries it). */
    PACS_MAX_ATTEMPTS: int(1).default(8),
    /** First retry delay; doubles per attempt up to PACS_RETRY_MAX_MS. */
    PACS_RETRY_BASE_MS: int(10).default(2000),
    PACS_RETRY_MAX_MS: int(100).default(600_000),
    /** Per-request timeout towards Orthanc. */
    PACS_HTTP_TIMEOUT_MS: int(100).default(30_000),
  })
  .refine((e) => (e.ORTHANC_USERNAME === undefined) === (e.ORTHANC_PASSWORD === undefined), {
    message: 'set both ORTHANC_USERNAME and ORTHANC_PASSWORD, or neither',
    path: ['ORTHANC_PASSWORD'],
  });

export type PacsConfig = z.infer<typeof pacsEnvSchema>;

/** undefined when ORTHANC_URL is unset (the PACS link is off); throws naming the variable when a value is wrong. */
export function readPacsConfig(env: Record<string, string | undefined> = process.env): PacsConfig | undefined {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && v !== '' && (k.startsWith('ORTHANC_') || k.startsWith('PACS_'))));
  if (cleaned.ORTHANC_URL === undefined) {
    const stray = Object.keys(cleaned)[0];
    if (stray) throw new Error(`environment variable ${stray} is set but ORTHANC_URL is not: set ORTHANC_URL to enable the PACS link`);
    return undefined;
  }
  const parsed = pacsEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`environment variable ${issue.path.join('.') || 'ORTHANC_*'}: ${issue.message}`);
  }
  return parsed.data;
}
