// Lets the app take a ready Service (tests, CLI) or a lazy source (Node loads at start, the Worker on first request).
import type { Service } from '../core/service.js';

export interface ServiceSource {
  /** Resolves once the model is loaded and warmed up; the Worker starts loading on the first call. */
  get(): Promise<Service>;
  /** Cheap: true when get() would resolve at once. May start loading in the background. */
  ready(): boolean;
}

export function isServiceSource(x: Service | ServiceSource): x is ServiceSource {
  return typeof (x as ServiceSource).get === 'function' && typeof (x as ServiceSource).ready === 'function';
}

export function toSource(x: Service | ServiceSource): ServiceSource {
  if (isServiceSource(x)) return x;
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
  onLoaded?: (ms: number, service: Service) => void;
}

/** A source that loads once for all concurrent callers, the first time it is asked (or at once when eager). */
export function lazySource(load: () => Promise<Service>, options: LazySourceOptions = {}): ServiceSource & { loaded(): Service | undefined } {
  const { eager = false, warmup = true, retry = false, onLoaded } = options;
  let promise: Promise<Service> | undefined;
  let value: Service | undefined;
  const get = (): Promise<Service> => {
    promise ??= (async () => {
      const t0 = Date.now();
      try {
        const s = await load();
        if (warmup) await s.warmup();
        value = s;
        onLoaded?.(Date.now() - t0, s);
        return s;
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
