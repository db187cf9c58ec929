// The Worker's ClassifierSource: loads once per isolate on first use and shares the promise; no separate warm-up.
import type { ClassifierSource } from '../src/app/classifier-source.js';
import type { Classifier } from '../src/core/classifier.js';

/**
 * Unlike the Node server, an isolate starts because a request arrived: a warm-up inference before it would only
 * delay that first answer (the request itself warms the JIT). A failed load is not cached, so a later request retries.
 */
export function edgeSource(load: () => Promise<Classifier>, onLoaded?: (ms: number, c: Classifier) => void): ClassifierSource {
  let pending: Promise<Classifier> | undefined;
  let value: Classifier | undefined;
  const get = (): Promise<Classifier> => {
    if (value) return Promise.resolve(value);
    pending ??= (async () => {
      const t0 = Date.now();
      try {
        const c = await load();
        value = c;
        onLoaded?.(Date.now() - t0, c);
        return c;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
  return {
    get,
    ready: () => {
      if (!value) get().catch(() => undefined);
      return value !== undefined;
    },
  };
}
