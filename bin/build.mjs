// Bundles the Node server and CLI into dist/node/*.mjs with esbuild: one file parses and starts faster than hundreds.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundle({ quiet = false } = {}) {
  // Chunk names carry hashes: without this, every rebuild would leave the previous chunks behind.
  rmSync(join(root, 'dist', 'node'), { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { server: 'src/node/server.ts', cli: 'src/node/cli.ts' },
    outdir: 'dist/node',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The package's ES module build: for platform node esbuild would take its CommonJS `main`, whose exports a dynamic
    // import then finds under `default` only (`Decoder is not a constructor` for JPEG-lossless DICOMs).
    alias: { 'jpeg-lossless-decoder-js': './node_modules/jpeg-lossless-decoder-js/release/lossless.js' },
    // Native addons and pino (which spawns worker files by path) stay in node_modules.
    external: ['onnxruntime-node', 'sharp', 'pino', 'better-sqlite3'],
    // CommonJS globals for bundled CommonJS code: the Emscripten codecs (OpenJPEG, CharLS) read __dirname when they load.
    banner: {
      js: [
        "import { createRequire as __createRequire } from 'node:module';",
        "import { fileURLToPath as __fileURLToPath } from 'node:url';",
        "import { dirname as __pathDirname } from 'node:path';",
        'const require = __createRequire(import.meta.url);',
        'const __filename = __fileURLToPath(import.meta.url);',
        'const __dirname = __pathDirname(__filename);',
      ].join(' '),
    },
    legalComments: 'none',
    logLevel: quiet ? 'error' : 'info',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
