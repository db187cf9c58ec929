// Provider selection: a missing execution provider falls back to CPU with exactly one explanatory line.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createOrtEngine } from './ort-engine.js';

const onnx = new Uint8Array(readFileSync(new URL('./testdata/tiny-cam.onnx', import.meta.url)));

describe('onnxruntime-node engine', () => {
  it('runs on cpu by default and returns plain float32 outputs', async () => {
    const engine = await createOrtEngine(onnx);
    expect(engine.backend).toBe('onnxruntime-node/cpu');
    expect(engine.inputNames).toEqual(['image']);
    const out = await engine.run({ image: { data: new Float32Array(2 * 64 * 64), dims: [2, 1, 64, 64] } });
    expect(out.probabilities.dims).toEqual([2, 4]);
    expect(out.cam.dims).toEqual([2, 4, 8, 8]);
    expect(out.logits.data).toBeInstanceOf(Float32Array);
    await engine.release();
  });

  it('falls back to cpu with one warning when CUDA is not installed', async () => {
    const warnings: string[] = [];
    const engine = await createOrtEngine(onnx, { provider: 'cuda', warn: (m) => warnings.push(m) });
    if (engine.backend === 'onnxruntime-node/cuda') return; // a machine with the CUDA libraries installed
    expect(engine.backend).toBe('onnxruntime-node/cpu');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^execution provider "cuda" is not available \(.+\); falling back to cpu$/);
    await engine.release();
  });
});
