// Fails if the runtime-agnostic core (src/core, src/app) imports anything runtime-specific.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const PURE_DIRS = ['src/core', 'src/app'];
const FORBIDDEN = [/^node:/, /^onnxruntime-node/, /^onnxruntime-web/, /^sharp$/, /^wrangler/, /^@hono\/node-server/, /^pino/];
const NODE_BUILTINS = new Set(['fs', 'path', 'os', 'crypto', 'buffer', 'stream', 'url', 'util', 'child_process', 'worker_threads', 'zlib', 'http', 'https', 'net']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js|mjs)$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

function importsOf(code: string): string[] {
  const specifiers: string[] = [];
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\bimport\s+['"]([^'"]+)['"]/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) specifiers.push(m[1]);
  return specifiers;
}

describe('runtime-agnostic core', () => {
  const files = PURE_DIRS.flatMap((d) => sources(join(ROOT, d)));

  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(3);
  });

  it('imports nothing from node:*, onnxruntime-node/web, sharp, wrangler or Node-only packages', () => {
    const offences: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (FORBIDDEN.some((re) => re.test(spec)) || NODE_BUILTINS.has(spec)) offences.push(`${relative(ROOT, file)} imports "${spec}"`);
        if (spec.startsWith('.') && /\/(node|edge|kiosk)\//.test(join(file, '..', spec))) {
          offences.push(`${relative(ROOT, file)} imports adapter code "${spec}"`);
        }
      }
    }
    expect(offences).toEqual([]);
  });

  it('catches a forbidden import (self-check of the scanner)', () => {
    expect(importsOf(`import sharp from 'sharp';\nconst x = await import("node:fs");`)).toEqual(['sharp', 'node:fs']);
  });
});
