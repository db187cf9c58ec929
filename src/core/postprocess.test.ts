// Softmax and the label summary.
import { describe, expect, it } from 'vitest';
import { isUncertain, softmax, summarise } from './postprocess.js';

describe('softmax', () => {
  it('matches exp(x) / sum(exp(x)) and survives huge logits', () => {
    const p = softmax([1, 2, 3]);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0] + e[1] + e[2];
    expect([...p].map((v) => +v.toFixed(10))).toEqual(e.map((v) => +(v / s).toFixed(10)));
    const big = softmax([1000, 1001]);
    expect(big[1]).toBeCloseTo(1 / (1 + Math.exp(-1)), 10);
  });
});

describe('summarise', () => {
  it('names the top label and keeps every probability by label', () => {
    const s = summarise([0.1, 0.6, 0.2, 0.1], ['glioma', 'meningioma', 'normal', 'pituitary']);
    expect(s).toEqual({ label: 'meningioma', index: 1, confidence: 0.6, probabilities: { glioma: 0.1, meningioma: 0.6, normal: 0.2, pituitary: 0.1 } });
  });
});

describe('isUncertain', () => {
  it('flags confidence under the threshold, and everything at a 100 % threshold (float32 saturates at 1)', () => {
    expect(isUncertain(0.59, 0.6)).toBe(true);
    expect(isUncertain(0.6, 0.6)).toBe(false);
    expect(isUncertain(1, 1)).toBe(true);
    expect(isUncertain(1, 0.99)).toBe(false);
  });
});
