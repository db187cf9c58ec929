// Cross-origin isolation headers (the kiosk's WASM threads need them), a CSP for every HTML page, and the API-key check.
import type { MiddlewareHandler } from 'hono';

/**
 * The kiosk's pages: scripts only from this origin plus WebAssembly compilation (ORT, the codecs); workers for ORT's
 * threads and the service worker; no frames. connect-src allows other http(s) origins because server mode may point the
 * kiosk at another server (settings); everything else stays on this origin.
 */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; connect-src 'self' http: https:; img-src 'self' data: blob:; style-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; manifest-src 'self'";

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    // The response may be immutable (e.g. a static asset fetched from a binding): copy it before setting headers.
    let res = c.res;
    let copied = false;
    try {
      res.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    } catch {
      res = new Response(res.body, res);
      copied = true;
      res.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    }
    res.headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    res.headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    res.headers.set('X-Content-Type-Options', 'nosniff');
    if (/^text\/html/i.test(res.headers.get('content-type') ?? '')) {
      // A route may set a stricter policy of its own (/docs); pages without one get the kiosk's.
      if (!res.headers.has('Content-Security-Policy')) res.headers.set('Content-Security-Policy', PAGE_CSP);
      res.headers.set('X-Frame-Options', 'DENY');
      res.headers.set('Referrer-Policy', 'no-referrer');
    }
    // Assign last: Hono's c.res setter stores a copy, so headers set after the assignment would be lost.
    if (copied) c.res = res;
  };
}

async function digest(s: string): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
}

/** Compares fixed-length digests with no early exit, so response time does not reveal how much of the key matched. */
export async function bearerMatches(header: string | undefined, apiKey: string): Promise<boolean> {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const [a, b] = await Promise.all([digest(m ? m[1].trim() : ''), digest(apiKey)]);
  let diff = m ? 0 : 1;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
