// Starts the real Worker (wrangler.toml, edge/worker.ts) in local workerd through wrangler's programmatic API, offline.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { unstable_startWorker } from 'wrangler';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningWorker {
  url: URL;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  dispose(): Promise<void>;
}

export interface StartOptions {
  /** Extra vars/secrets, e.g. { API_KEY: 'k' } (set as secret_text, as `wrangler secret put` would). */
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Serve static assets from this folder instead of wrangler.toml's dist/kiosk. */
  assetsDir?: string;
  /** Another entry module (a test-only Worker), relative to the repository root; rules and aliases stay wrangler.toml's. */
  main?: string;
}

/**
 * wrangler.toml with another assets folder. startWorker's own `assets` option would drop run_worker_first and the
 * binding, so the copy keeps every other line and only makes paths absolute.
 */
function configWithAssets(dir: string, entry?: string): string {
  const text = readFileSync(`${ROOT}wrangler.toml`, 'utf8')
    .replace(/^main = "(.+)"$/m, (_, main: string) => `main = "${join(ROOT, entry ?? main)}"`)
    .replace(/^directory = ".+"$/m, `directory = "${dir}"`)
    .replace(/^("[a-z]+") = "\.\/(.+)"$/gm, (_, name: string, path: string) => `${name} = "${join(ROOT, path)}"`);
  const path = join(mkdtempSync(join(tmpdir(), 'edge-config-')), 'wrangler.toml');
  writeFileSync(path, text);
  return path;
}

/** One workerd process per call; the caller disposes it. Uses a real TCP port so requests cross the same HTTP stack as `wrangler dev`. */
export async function startWorker(options: StartOptions = {}): Promise<RunningWorker> {
  // The [assets] folder must exist even when the kiosk was not built.
  mkdirSync(join(ROOT, 'dist/kiosk'), { recursive: true });
  const bindings: Record<string, { type: 'secret_text' | 'plain_text'; value: string }> = {};
  for (const [k, v] of Object.entries(options.secrets ?? {})) bindings[k] = { type: 'secret_text', value: v };
  for (const [k, v] of Object.entries(options.vars ?? {})) bindings[k] = { type: 'plain_text', value: v };
  const custom = options.assetsDir !== undefined || options.main !== undefined;
  const config = custom ? configWithAssets(options.assetsDir ?? join(ROOT, 'dist/kiosk'), options.main) : join(ROOT, 'wrangler.toml');
  const worker = await unstable_startWorker({
    config,
    bindings: bindings as never,
    envFiles: [],
    dev: {
      server: { hostname: '127.0.0.1', port: 0 },
      inspector: false,
      watch: false,
      persist: false,
      logLevel: (process.env.EDGE_LOG_LEVEL as 'error' | undefined) ?? 'error', // 'warn' repeats that Request.cf cannot be fetched offline, which is harmless
      remote: false,
    },
  });
  await worker.ready;
  const url = await worker.url;
  return {
    url,
    fetch: (path, init) => fetch(new URL(path, url), init),
    async dispose() {
      await worker.dispose();
      if (custom) rmSync(dirname(config), { recursive: true, force: true });
    },
  };
}
