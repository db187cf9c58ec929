// Serves the built kiosk (dist/kiosk) at / for the Node server, through the app's fetch-like `assets` hook.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export function staticAssets(root: string): { fetch(request: Request): Promise<Response> } {
  const base = normalize(root + sep);
  return {
    async fetch(request: Request): Promise<Response> {
      let path: string;
      try {
        path = decodeURIComponent(new URL(request.url).pathname);
      } catch {
        return new Response('malformed URL', { status: 400 });
      }
      if (path.endsWith('/')) path += 'index.html';
      const file = normalize(join(base, path));
      if (!file.startsWith(base)) return new Response('not found', { status: 404 });
      try {
        const info = await stat(file);
        if (!info.isFile()) return new Response('not found', { status: 404 });
        const body = request.method === 'HEAD' ? null : await readFile(file);
        return new Response(body, {
          headers: {
            'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
            'Content-Length': String(info.size),
            // Hashed build assets never change; HTML must revalidate so a new build is picked up.
            'Cache-Control': /\/assets\//.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
          },
        });
      } catch {
        return new Response('not found', { status: 404 });
      }
    },
  };
}
