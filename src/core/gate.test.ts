// The gate's decision on a scripted engine: refuse under thresholds.accept, accept-but-unsure under thresholds.uncertain.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Inference } from './classifier.js';
import type { InferenceEngine } from './engine.js';
import { createGate, notBrainMri, noteGateDoubt, type GateResult } from './gate.js';
import type { Manifest } from './manifest.js';
import { parseManifest } from './model-loader.js';

const shipped = JSON.parse(readFileSync(new URL('../../model/brain-mri-gate.manifest.json', import.meta.url), 'utf8'));
const manifest = (thresholds: { accept: number; uncertain?: number }): Manifest => parseManifest({ ...shipped, thresholds });

/** An engine whose next run answers p(brain_mri) = `p`. */
function scripted(): { engine: InferenceEngine; next: (p: number) => void } {
  let p = 0;
  return {
    next: (v) => (p = v),
    engine: {
      backend: 'scripted',
      inputNames: ['image'],
      outputNames: ['logits', 'probabilities'],
      run: async (feeds) => {
        expect(feeds.image.dims).toEqual([1, 3, 64, 64]);
        return { probabilities: { data: Float32Array.from([p, 1 - p]), dims: [1, 2] } };
      },
      release: async () => undefined,
    },
  };
}

const scan = { data: new Uint8Array(128 * 128).fill(90), width: 128, height: 128, channels: 1 as const };

async function verdicts(m: Manifest, scores: number[]): Promise<GateResult[]> {
  const { engine, next } = scripted();
  const gate = createGate(m, engine);
  const out: GateResult[] = [];
  for (const p of scores) {
    next(p);
    out.push(await gate.check(scan));
  }
  return out;
}

const inference = (): Inference =>
  ({ label: 'normal', confidence: 0.9, uncertain: false, reasons: [], probabilities: {}, model: { name: 'm', version: '1', sha256: '' }, image: { width: 128, height: 128 }, timings: { preprocess: 0, inference: 0 } }) as Inference;

describe('input gate decision', () => {
  it('refuses under thresholds.accept, accepts from it; unsure in [accept, uncertain), sure from uncertain', async () => {
    const r = await verdicts(manifest({ accept: 0.25, uncertain: 0.75 }), [0.125, 0.25, 0.5, 0.75, 0.875]);
    expect(r.map((v) => v.accepted)).toEqual([false, true, true, true, true]);
    expect(r.map((v) => v.unsure)).toEqual([false, true, true, false, false]);
    expect(r.map((v) => [v.threshold, v.uncertainBelow])).toEqual(Array(5).fill([0.25, 0.75]));
  });

  it('has no unsure band when the manifest sets none, or sets it at or under the acceptance threshold', async () => {
    for (const thresholds of [{ accept: 0.25 }, { accept: 0.25, uncertain: 0.25 }, { accept: 0.25, uncertain: 0.125 }]) {
      const r = await verdicts(manifest(thresholds), [0.125, 0.25, 0.5]);
      expect(r.map((v) => [v.accepted, v.unsure])).toEqual([[false, false], [true, false], [true, false]]);
      expect(r[0].uncertainBelow).toBe(0.25);
    }
  });

  it('an unsure acceptance marks the classifier result uncertain with input_unsure, once; a sure one leaves it alone', async () => {
    const [unsure, sure] = await verdicts(manifest({ accept: 0.25, uncertain: 0.75 }), [0.5, 0.875]);
    const a = inference();
    expect(noteGateDoubt(a, unsure)).toBe(a);
    noteGateDoubt(a, unsure);
    expect([a.uncertain, a.reasons]).toEqual([true, ['input_unsure']]);
    const b = inference();
    noteGateDoubt(b, sure);
    noteGateDoubt(b, undefined);
    expect([b.uncertain, b.reasons]).toEqual([false, []]);
  });

  it('words a refusal with the score and the threshold, and carries the score', async () => {
    const [refused] = await verdicts(manifest({ accept: 0.25, uncertain: 0.75 }), [0.125]);
    const err = notBrainMri(refused);
    expect(err.code).toBe('not_brain_mri');
    expect(err.message).toMatch(/^This does not look like a brain MRI slice \(input check score 0\.125, accepted from 0\.250\)/);
    expect(err.details).toEqual({ score: 0.125 });
  });
});
