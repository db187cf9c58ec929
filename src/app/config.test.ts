// The shared settings: defaults, units, and refusals that name the variable, as Node and the Worker read them.
import { describe, expect, it } from 'vitest';
import { readAppConfig } from './config.js';

describe('readAppConfig', () => {
  it('uses the service defaults and units', () => {
    const defaults = {
      maxBodyBytes: 20 * 1024 * 1024,
      maxPixels: 40_000_000,
      maxDecodedBytes: 64 * 1024 * 1024,
      apiKey: undefined,
      admission: { concurrency: 1, queue: 1, maxWaitMs: 1000, uploadBudgetBytes: 128 * 1024 * 1024 },
      gate: true,
    };
    expect(readAppConfig({})).toEqual(defaults);
    expect(readAppConfig({ MAX_BODY_MB: '5', MAX_MEGAPIXELS: '1.5', API_KEY: 'k'.repeat(16), CONCURRENCY: '1', QUEUE_LENGTH: '0' })).toEqual({
      ...defaults,
      maxBodyBytes: 5 * 1024 * 1024,
      maxPixels: 1_500_000,
      apiKey: 'k'.repeat(16),
      admission: { ...defaults.admission, concurrency: 1, queue: 0 },
    });
    expect(readAppConfig({ API_KEY: '', MAX_BODY_MB: '' })).toEqual(defaults);
  });

  it('refuses a short API key and non-positive limits, naming the variable', () => {
    expect(() => readAppConfig({ API_KEY: 'short' })).toThrow(/API_KEY: use at least 16 characters/);
    expect(() => readAppConfig({ MAX_BODY_MB: '0' })).toThrow(/MAX_BODY_MB/);
    expect(() => readAppConfig({ MAX_MEGAPIXELS: 'lots' })).toThrow(/MAX_MEGAPIXELS/);
    expect(() => readAppConfig({ CONCURRENCY: '0' })).toThrow(/CONCURRENCY/);
    expect(readAppConfig({ GATE: 'off' }).gate).toBe(false);
    expect(() => readAppConfig({ GATE: 'no' })).toThrow(/GATE/);
  });
});
