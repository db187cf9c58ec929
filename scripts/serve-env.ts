// The environment `npm start` gives the server, read from package.json, so the bench and the soak measure that process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** NAME=value pairs of the start script's `env` (the glibc malloc settings that let RSS fall back after large requests). */
export function serveEnv(): Record<string, string> {
  const start: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const assignments = /\benv\s+((?:[A-Z_]+=\S+\s+)+)node\b/.exec(start)?.[1] ?? '';
  return Object.fromEntries([...assignments.matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]));
}
