// The shared settings: defaults, units, and refusals that name the variable, as Node and the Worker read them.
import { describe, expect, it } from 'vitest';
import { readAppConfig } from './config.js';

describe('readAppConfig', () => {
  it('uses the service defaults and units', () => {
    expect(readAppConfig({})).toEqual({ maxBodyBytes: 20 * 1024 * 1024, maxPixels: 40_000_000, apiKey: undefined });
    expect(readAppConfig({ MAX_BODY_MB: '5', MAX_MEGAPIXELS: '1.5', API_KEY: 'k'.repeat(16) })).toEqual({ maxBodyBytes: 5 * 1024 * 1024, maxPixels: 1_500_000, apiKey: 'k'.repeat(16) });
    expect(readAppConfig({ API_KEY: '', MAX_BODY_MB: '' })).toEqual({ maxBodyBytes: 20 * 1024 * 1024, maxPixels: 40_000_000, apiKey: undefined });
  });

  it('refuses a short API key and non-positive limits, naming the variable', () => {
    expect(() => readAppConfig({ API_KEY: 'short' })).toThrow(/API_KEY: use at least 16 characters/);
    expect(() => readAppConfig({ MAX_BODY_MB: '0' })).toThrow(/MAX_BODY_MB/);
    expect(() => readAppConfig({ MAX_MEGAPIXELS: 'lots' })).toThrow(/MAX_MEGAPIXELS/);
  });
});
