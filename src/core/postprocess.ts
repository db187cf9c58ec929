// Turns model outputs into probabilities by label, the top class, its confidence, and whether it needs review.
import type { EngineTensor } from './engine.js';
import type { Manifest } from './manifest.js';

/** Numerically stable softmax over one row. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** Class probabilities for every item of a batch, from whichever score output the model has. */
export function batchProbabilities(outputs: Record<string, EngineTensor>, manifest: Pick<Manifest, 'outputs' | 'labels'>): Float64Array[] {
  const name = manifest.outputs.probabilities ?? manifest.outputs.logits!;
  const t = outputs[name];
  if (!t) throw new Error(`the engine returned no "${name}" output`);
  const L = manifest.labels.length;
  const n = t.dims[0] ?? 1;
  const rows: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = t.data.subarray(i * L, (i + 1) * L);
    rows.push(manifest.outputs.probabilities ? Float64Array.from(row) : softmax(row));
  }
  return rows;
}

export interface Summary {
  label: string;
  index: number;
  confidence: number;
  probabilities: Record<string, number>;
}

/** Probabilities by label (manifest order) and the arg-max; ties go to the earlier label. */
export function summarise(probabilities: ArrayLike<number>, labels: readonly string[]): Summary {
  if (probabilities.length < labels.length) throw new RangeError(`model gave ${probabilities.length} scores for ${labels.length} labels`);
  const byLabel: Record<string, number> = {};
  let index = 0;
  for (let i = 0; i < labels.length; i++) {
    byLabel[labels[i]] = probabilities[i];
    if (probabilities[i] > probabilities[index]) index = i;
  }
  return { label: labels[index], index, confidence: probabilities[index], probabilities: byLabel };
}

/**
 * Whether a result goes for review: confidence under the threshold. A threshold of 1 (100 %) flags every result: a
 * confidence that rounds to exactly 1 in float32 is saturation, not certainty, and whoever sets 100 % wants all reviewed.
 */
export function isUncertain(confidence: number, threshold: number): boolean {
  return threshold >= 1 || confidence < threshold;
}

/** Why a result is marked uncertain; clients show their own words for each code. */
export type UncertainReason = 'low_confidence' | 'unfamiliar' | 'input_unsure';
