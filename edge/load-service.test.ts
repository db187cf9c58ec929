// The edge loader outside workerd: same shim and engine on Node's WebAssembly, so the sha256 refusal is testable cheaply.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError } from '../src/core/model-loader.js';
import { fixtureBytes, loadFixtures } from '../test/http-suite.js';
import { analyse } from '../src/core/service.js';
import { nodeWasmModules } from '../src/node/wasm-modules.js';
import { loadEdgeService } from './load-service.js';
import { EDGE_BACKEND } from './ort-web-engine.js';

const require = createRequire(import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('../model/brain-mri-edge.manifest.json', import.meta.url), 'utf8'));
const onnx = new Uint8Array(readFileSync(new URL('../model/brain-mri-edge.onnx', import.meta.url)));
let wasm: WebAssembly.Module;

beforeAll(async () => {
  // In workerd this module comes from the CompiledWasm rule; Node may compile bytes itself.
  wasm = await WebAssembly.compile(readFileSync(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm')));
});

describe('loadEdgeService', () => {
  it('refuses a model whose sha256 differs from the manifest, naming the field', async () => {
    const tampered = onnx.slice();
    tampered[tampered.length - 1] ^= 0xff;
    const error = await loadEdgeService({ wasm, onnx: tampered, manifest }, nodeWasmModules).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).field).toBe('model.sha256');
  });

  it('refuses a manifest that names an output the graph lacks', async () => {
    const wrong = { ...manifest, outputs: { ...manifest.outputs, cam: 'heat' } };
    const error = await loadEdgeService({ wasm, onnx, manifest: wrong }, nodeWasmModules).catch((e: unknown) => e);
    expect((error as ModelLoadError).field).toBe('outputs.cam');
  });

  it('loads the shipped model and classifies a fixture of each format with the core decoders', async () => {
    const service = await loadEdgeService({ wasm, onnx, manifest }, nodeWasmModules);
    expect(service.classifier.backend).toBe(EDGE_BACKEND);
    for (const ext of ['.png', '.jpg']) {
      const fixture = loadFixtures().find((f) => f.file.endsWith(ext))!;
      const { input, inference } = await analyse(service, fixtureBytes(fixture.file), { maxPixels: 40e6 });
      expect(inference.label).toBe(fixture.label);
      const overlay = await service.classifier.explain(inference, input.image, { view: 'overlay' });
      expect([overlay.rgba.width, overlay.rgba.height]).toEqual([input.image.width, input.image.height]);
    }
    await service.release();
  });
});
