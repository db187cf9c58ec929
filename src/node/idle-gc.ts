// A full garbage collection once the server has been idle a while, so that memory from finished large requests goes back.
import type { Server } from 'node:http';

/**
 * After load V8 holds on to garbage (upload chunks, decoded scans, overlays: mostly array buffers outside its heap) until
 * its next collection, and an idle process has none for a long time: RSS stayed 20 % above its idle value a minute
 * after the soak. So `delayMs` after the last request ends, with none started since, this runs `gc` once. Only when the
 * process exposes it (`npm start` passes --expose-gc through NODE_OPTIONS); otherwise it does nothing.
 */
export function collectWhenIdle(server: Server, delayMs: number, gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc): void {
  if (!gc || delayMs <= 0) return;
  let active = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  server.on('request', (_req, res) => {
    active++;
    if (timer) clearTimeout(timer);
    timer = undefined;
    res.once('close', () => {
      if (--active > 0) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (active === 0) gc();
      }, delayMs);
      timer.unref();
    });
  });
}
