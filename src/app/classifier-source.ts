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

export interface LazySourceOptions {
  /** Start loading now rather than on the first request (Node: load at start-up). */
  eager?: boolean;
  /** Run one warm-up inference before reporting ready (default true). The Worker skips it: its isolate starts because a
   * request arrived, and that request warms the JIT anyway. */
  warmup?: boolean;
  /** Forget a failed load so the next request tries again (the Worker); by default a failure is remembered (Node exits on it). */
  retry?: boolean;
  /** Called once with the load time in ms (for a log line). */
  onLoaded?: (ms: number, classifier: Classifier) => void;
}

/** A source that loads once for all concurrent callers, the first time it is asked (or at once when eager). */
export function lazySource(load: () => Promise<Classifier>, options: LazySourceOptions = {}): ClassifierSource & { loaded(): Classifier | undefined } {
  const { eager = false, warmup = true, retry = false, onLoaded } = options;
  let promise: Promise<Classifier> | undefined;
  let value: Classifier | undefined;
  const get = (): Promise<Classifier> => {
    promise ??= (async () => {
      const t0 = Date.now();
      try {
        const c = await load();
        if (warmup) await c.warmup();
        value = c;
        onLoaded?.(Date.now() - t0, c);
        return c;
      } catch (error) {
        if (retry) promise = undefined;
        throw error;
      }
    })();
    return promise;
  };
  if (eager) get().catch(() => undefined);
  return {
    get,
    ready: () => {
      if (!value) get().catch(() => undefined);
      return value !== undefined;
    },
    loaded: () => value,
  };
}
