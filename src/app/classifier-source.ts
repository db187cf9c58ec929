// Lets the app take a ready Classifier (tests, kiosk) or a lazy source (Node loads at start, the Worker on first request).
import type { Classifier } from '../core/classifier.js';

export interface ClassifierSource {
  /** Resolves once the model is loaded and warmed up; the Worker starts loading on the first call. */
  get(): Promise<Classifier>;
  /** Cheap: true when get() would resolve at once. May start loading in the background. */
  ready(): boolean;
}

export function isClassifierSource(x: Classifier | ClassifierSource): x is ClassifierSource {
  return typeof (x as ClassifierSource).get === 'function' && typeof (x as ClassifierSource).ready === 'function';
}

export function toSource(x: Classifier | ClassifierSource): ClassifierSource {
  if (isClassifierSource(x)) return x;
  const ready = Promise.resolve(x);
  return { get: () => ready, ready: () => true };
}

/** A source that loads once (warm-up included) the first time it is asked, and remembers a failure. */
export function lazySource(load: () => Promise<Classifier>, options: { eager?: boolean } = {}): ClassifierSource & { loaded(): Classifier | undefined } {
  let promise: Promise<Classifier> | undefined;
  let value: Classifier | undefined;
  const get = (): Promise<Classifier> => {
    promise ??= (async () => {
      const c = await load();
      await c.warmup();
      value = c;
      return c;
    })();
    return promise;
  };
  if (options.eager) get().catch(() => undefined);
  return {
    get,
    ready: () => {
      if (!promise) get().catch(() => undefined);
      return value !== undefined;
    },
    loaded: () => value,
  };
}
