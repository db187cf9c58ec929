// Worker settings: defaults, units, and refusals that name the variable.
import { describe, expect, it } from 'vitest';
import { readConfig } from './config.js';

describe('readConfig', () => {
  it('uses the Node service defaults and units', () => {
    expect(readConfig({})).toEqual({ maxBodyBytes: 20 * 1024 * 1024, maxPixels: 40_000_000, apiKey: undefined });
    expect(readConfig({ MAX_BODY_MB: '5', MAX_MEGAPIXELS: '1.5', API_KEY: 'k'.repeat(16) })).toEqual({ maxBodyBytes: 5 * 1024 * 1024, maxPixels: 1_500_000, apiKey: 'k'.repeat(16) });
    expect(readConfig({ API_KEY: '' }).apiKey).toBeUndefined();
  });

  it('refuses a short API key and non-positive limits, naming the variable', () => {
    expect(() => readConfig({ API_KEY: 'short' })).toThrow(/API_KEY: use at least 16 characters/);
    expect(() => readConfig({ MAX_BODY_MB: '0' })).toThrow(/MAX_BODY_MB/);
    expect(() => readConfig({ MAX_MEGAPIXELS: 'lots' })).toThrow(/MAX_MEGAPIXELS/);
  });
});
