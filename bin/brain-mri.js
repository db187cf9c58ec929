#!/usr/bin/env node
// CLI launcher: runs the bundled dist/node/cli.mjs, rebuilding it first (esbuild, under a second) when sources are newer.
import { existsSync, readdirSync, statSync } from 'node:fs';
import process from 'node:process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'node', 'cli.mjs');

function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const stale = !existsSync(built) || ['src/core', 'src/app', 'src/node', 'bin/build.mjs'].some((d) => {
  const p = join(root, d);
  return existsSync(p) && (statSync(p).isDirectory() ? newestSource(p) : statSync(p).mtimeMs) > statSync(built).mtimeMs;
});
if (stale) {
  const { bundle } = await import('./build.mjs');
  await bundle({ quiet: true });
}
const { run } = await import(pathToFileURL(built).href);
const code = await run(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
