// The loader refuses a manifest that does not match its .onnx or engine, naming the field; the tiny test models are real ONNX.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InferenceEngine } from './engine.js';
import { loadModel, ModelLoadError, parseManifest } from './model-loader.js';
import { sha256Hex } from './sha256.js';

const dir = new URL('../node/testdata/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('tiny-cam.manifest.json', dir), 'utf8'));
const onnx = new Uint8Array(readFileSync(new URL('tiny-cam.onnx', dir)));

/** An engine that reports a graph's names, standing in for a session so the checks run without a runtime. */
const namesOnly = (inputs: string[], outputs: string[]) => {
  let released = false;
  const engine: InferenceEngine & { released(): boolean } = {
    backend: 'names-only',
    inputNames: inputs,
    outputNames: outputs,
    run: () => Promise.reject(new Error('not used')),
    release: async () => void (released = true),
    released: () => released,
  };
  return engine;
};

async function refusal(json: unknown, bytes = onnx, engine = namesOnly(['image'], ['logits', 'probabilities', 'cam'])): Promise<ModelLoadError> {
  const err = await loadModel({ manifest: json, onnx: bytes, createEngine: async () => engine }).catch((e) => e);
  expect(err).toBeInstanceOf(ModelLoadError);
  return err as ModelLoadError;
}

describe('model loader', () => {
  it('hashes with WebCrypto like sha256sum', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('accepts a matching model', async () => {
    const { manifest: m } = await loadModel({ manifest, onnx, createEngine: async () => namesOnly(['image'], ['logits', 'probabilities', 'cam']) });
    expect(m.labels).toEqual(['glioma', 'meningioma', 'normal', 'pituitary']);
  });

  it('names the field of a schema error', () => {
    expect(() => parseManifest({ ...manifest, input: { ...manifest.input, layout: 'CHWN' } })).toThrow(/manifest field "input.layout"/);
    expect(() => parseManifest({ ...manifest, preprocessing: { ...manifest.preprocessing, std: [0.2, 0.2] } })).toThrow(/"preprocessing.std"/);
  });

  it('refuses an .onnx whose sha256 differs', async () => {
    const other = onnx.slice();
    other[other.length - 1] ^= 1;
    const err = await refusal(manifest, other);
    expect(err.field).toBe('model.sha256');
    expect(err.message).toContain('does not belong to this manifest');
  });

  it('refuses a wrong byte count before hashing', async () => {
    expect((await refusal({ ...manifest, model: { ...manifest.model, bytes: 5 } })).field).toBe('model.bytes');
  });

  it('refuses input and output names the graph lacks, and releases the engine', async () => {
    const engine = namesOnly(['pixels'], ['logits', 'probabilities', 'cam']);
    const err = await refusal(manifest, onnx, engine);
    expect(err.field).toBe('input.name');
    expect(err.message).toContain('(inputs: pixels)');
    expect(engine.released()).toBe(true);
    expect((await refusal(manifest, onnx, namesOnly(['image'], ['logits', 'probabilities']))).field).toBe('outputs.cam');
  });
});
