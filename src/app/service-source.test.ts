// The lazy service source: one load for concurrent callers, a failed load retried when asked, ready() starting the load.
import { describe, expect, it } from 'vitest';
import type { Service } from '../core/service.js';
import { lazySource } from './service-source.js';

const classifier = { warmup: async () => undefined } as unknown as Service;

describe('lazySource as the Worker uses it (no warm-up, retry on failure)', () => {
  it('loads once for concurrent callers and reports the load', async () => {
    let loads = 0;
    const seen: number[] = [];
    const source = lazySource(
      async () => {
        loads++;
        await new Promise((r) => setTimeout(r, 20));
        return classifier;
      },
      { warmup: false, retry: true, onLoaded: (ms) => seen.push(ms) },
    );
    const all = await Promise.all([source.get(), source.get(), source.get()]);
    expect(all.every((c) => c === classifier)).toBe(true);
    expect(await source.get()).toBe(classifier);
    expect(loads).toBe(1);
    expect(seen).toHaveLength(1);
  });

  it('is not ready until loaded, and ready() starts the load', async () => {
    let loads = 0;
    const source = lazySource(
      async () => {
        loads++;
        return classifier;
      },
      { warmup: false, retry: true },
    );
    expect(source.ready()).toBe(false);
    expect(loads).toBe(1);
    await source.get();
    expect(source.ready()).toBe(true);
    expect(loads).toBe(1);
  });

  it('does not cache a failure: the next request retries', async () => {
    let attempt = 0;
    const source = lazySource(
      async () => {
        attempt++;
        if (attempt === 1) throw new Error('transient');
        return classifier;
      },
      { warmup: false, retry: true },
    );
    await expect(source.get()).rejects.toThrow('transient');
    expect(await source.get()).toBe(classifier);
    expect(attempt).toBe(2);
  });
});
