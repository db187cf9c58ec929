// The edge loader outside workerd: same shim and engine on Node's WebAssembly, so the sha256 refusal is testable cheaply.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError } from '../src/core/model-loader.js';
import { fixtureBytes, loadFixtures } from '../test/http-suite.js';
import { loadEdgeClassifier } from './load-classifier.js';
import { EDGE_BACKEND } from './ort-web-engine.js';

const require = createRequire(import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('../model/brain-mri-edge.manifest.json', import.meta.url), 'utf8'));
const onnx = new Uint8Array(readFileSync(new URL('../model/brain-mri-edge.onnx', import.meta.url)));
let wasm: WebAssembly.Module;

beforeAll(async () => {
  // In workerd this module comes from the CompiledWasm rule; Node may compile bytes itself.
  wasm = await WebAssembly.compile(readFileSync(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm')));
});

describe('loadEdgeClassifier', () => {
  it('refuses a model whose sha256 differs from the manifest, naming the field', async () => {
    const tampered = onnx.slice();
    tampered[tampered.length - 1] ^= 0xff;
    const error = await loadEdgeClassifier({ wasm, onnx: tampered, manifest }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).field).toBe('model.sha256');
  });

  it('refuses a manifest that names an output the graph lacks', async () => {
    const wrong = { ...manifest, outputs: { ...manifest.outputs, cam: 'heat' } };
    const error = await loadEdgeClassifier({ wasm, onnx, manifest: wrong }).catch((e: unknown) => e);
    expect((error as ModelLoadError).field).toBe('outputs.cam');
  });

  it('loads the shipped model and classifies a fixture with the pure-JS decoders', async () => {
    const classifier = await loadEdgeClassifier({ wasm, onnx, manifest });
    expect(classifier.backend).toBe(EDGE_BACKEND);
    const fixture = loadFixtures().find((f) => f.file.endsWith('.png'))!;
    const result = await classifier.classify(fixtureBytes(fixture.file), { saliency: 'overlay' });
    expect(result.label).toBe(fixture.label);
    expect(result.saliency?.png[0]).toBe(0x89);
    await classifier.release();
  });
});
