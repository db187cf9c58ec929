// Vite build of the offline kiosk into dist/kiosk: app shell, onnxruntime-web files, model and a revisioned service worker.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, transformWithEsbuild, type Plugin } from 'vite';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
// Overrides let tests build a second kiosk (another model version) without touching dist/kiosk or model/.
const OUT = resolve(ROOT, process.env.KIOSK_OUT_DIR ?? 'dist/kiosk');
const ORT_DIST = resolve(ROOT, 'node_modules/onnxruntime-web/dist');
const MODEL_DIR = resolve(ROOT, process.env.KIOSK_MODEL_DIR ?? 'model');
const MANIFEST = 'brain-mri-edge.manifest.json';
/** The input gate ships beside the classifier (src/kiosk/model-source.ts fetches both). */
const GATE_MANIFEST = 'brain-mri-gate.manifest.json';

/** The ORT files the kiosk can load. WASM is precached; the WebGPU (JSPI) build is cached when first used. */
export const ORT_FILES = {
  wasm: ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'],
  // JSPI, not asyncify: the asyncify wasm is 26.8 MB, over Cloudflare's 25 MiB per-asset limit, so the Worker could not serve it.
  webgpu: ['ort.jspi.min.mjs', 'ort-wasm-simd-threaded.jspi.mjs', 'ort-wasm-simd-threaded.jspi.wasm'],
} as const;

/** Swagger UI for /docs (src/app/docs-page.ts): served from docs/ beside the kiosk, cached when first used, not precached. */
const DOCS_FILES: Record<string, string> = {
  'docs/swagger-ui-bundle.js': resolve(ROOT, 'node_modules/swagger-ui-dist/swagger-ui-bundle.js'),
  'docs/swagger-ui.css': resolve(ROOT, 'node_modules/swagger-ui-dist/swagger-ui.css'),
  'docs/init.js': resolve(ROOT, 'src/app/docs-init.js'),
};

/** Same headers the servers send, so threads work in `vite preview` as they do behind createApp. */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function readModel(name = MANIFEST): { manifestText: string; onnxFile: string; version: string } {
  const manifestPath = join(MODEL_DIR, name);
  if (!existsSync(manifestPath)) {
    throw new Error(`kiosk build: ${relative(ROOT, manifestPath)} is missing. Export the model first (see model/MANIFEST.md), then run npm run build:kiosk again.`);
  }
  const manifestText = readFileSync(manifestPath, 'utf8');
  const manifest = JSON.parse(manifestText) as { version: string; model: { file: string } };
  const onnxFile = manifest.model.file;
  if (!existsSync(join(MODEL_DIR, onnxFile))) {
    throw new Error(`kiosk build: the manifest names model/${onnxFile}, which does not exist. Re-export the model.`);
  }
  return { manifestText, onnxFile, version: manifest.version };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const revisionOf = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

/** Copies ORT and the model into the bundle, then writes sw.js with every file's revision so updates replace exactly what changed. */
function kioskAssets(): Plugin {
  let model: ReturnType<typeof readModel>;
  let gate: ReturnType<typeof readModel>;
  return {
    name: 'kiosk-assets',
    apply: 'build',
    buildStart() {
      model = readModel();
      gate = readModel(GATE_MANIFEST);
    },
    generateBundle() {
      for (const file of [...ORT_FILES.wasm, ...ORT_FILES.webgpu]) {
        this.emitFile({ type: 'asset', fileName: `ort/${file}`, source: readFileSync(join(ORT_DIST, file)) });
      }
      for (const [fileName, path] of Object.entries(DOCS_FILES)) this.emitFile({ type: 'asset', fileName, source: readFileSync(path) });
      this.emitFile({ type: 'asset', fileName: `model/${MANIFEST}`, source: model.manifestText });
      this.emitFile({ type: 'asset', fileName: `model/${model.onnxFile}`, source: readFileSync(join(MODEL_DIR, model.onnxFile)) });
      this.emitFile({ type: 'asset', fileName: `model/${GATE_MANIFEST}`, source: gate.manifestText });
      this.emitFile({ type: 'asset', fileName: `model/${gate.onnxFile}`, source: readFileSync(join(MODEL_DIR, gate.onnxFile)) });
    },
    async closeBundle() {
      // Runs after every file is on disk, so the revisions are of the bytes actually served.
      const optional = new Set([...ORT_FILES.webgpu.map((f) => `ort/${f}`), ...Object.keys(DOCS_FILES)]);
      const entries = walk(OUT)
        .map((path) => relative(OUT, path).split('\\').join('/'))
        .filter((url) => url !== 'sw.js' && !url.endsWith('.map'))
        .sort()
        .map((url) => ({ url, revision: revisionOf(readFileSync(join(OUT, url))), precache: !optional.has(url) }));
      entries.push({ url: './', revision: entries.find((e) => e.url === 'index.html')!.revision, precache: true });
      const build = revisionOf(JSON.stringify(entries));
      const source = readFileSync(join(HERE, 'sw.ts'), 'utf8')
        .replace('self.__KIOSK_ASSETS__', JSON.stringify(entries))
        .replace('self.__KIOSK_BUILD__', JSON.stringify(build))
        .replace('self.__KIOSK_MODEL_VERSION__', JSON.stringify(model.version));
      const { code } = await transformWithEsbuild(source, 'sw.ts', { loader: 'ts', format: 'iife', minify: true, target: 'es2022' });
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(OUT, 'sw.js'), code);
    },
  };
}

export default defineConfig({
  root: HERE,
  base: './',
  publicDir: false,
  plugins: [kioskAssets()],
  build: {
    outDir: OUT,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // ORT and the model are copied as files, not inlined; keep every asset a file the service worker can cache.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod 4 carries comments Rollup cannot place; harmless, and not ours to fix.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
    },
  },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
});
