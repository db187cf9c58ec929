// Load shedding: a bounded number of requests decode and infer at once, a bounded queue waits for a slot, and uploads
// in flight share a byte budget. Past any bound the answer is 503 overloaded with Retry-After, never an unbounded pile.

export interface AdmissionLimits {
  /** Requests decoding, inferring and rendering at once (the CPU-heavy part). */
  concurrency: number;
  /** Requests that may wait for a slot; one more is refused at once. */
  queue: number;
  /** Longest a request waits for a slot before it is refused, ms. */
  maxWaitMs: number;
  /** Request bodies held at once (being received, queued or processed), bytes in total. */
  uploadBudgetBytes: number;
}

/**
 * The defaults of CONCURRENCY, QUEUE_LENGTH, QUEUE_TIMEOUT_MS and UPLOAD_BUDGET_MB, chosen with `npm run soak` (the
 * trials are in docs/api.md, "Capacity"):
 * - One request at a time: decoding, the gate and preprocessing run on the one JavaScript thread, so a second slot only
 *   interleaves two requests and doubles the time of each. Under twice the capacity, concurrency 1 and 2 both served
 *   about 100 req/s; the served p99 was 44 ms with one slot and one waiting, 101 ms with two slots and four waiting.
 * - One waiting request: each one waiting adds a service time to every later one (a queue of 2 gave p99 62 ms, 4 gave
 *   86 ms, the old 32 gave 655 ms). A quick 503 with Retry-After serves a clinic better than a slow 200.
 */
export const DEFAULT_ADMISSION: AdmissionLimits = { concurrency: 1, queue: 1, maxWaitMs: 1000, uploadBudgetBytes: 128 * 1024 * 1024 };

/** The service is at capacity; the client should retry after `retryAfterSeconds`. */
export class OverloadedError extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds = 1) {
    super(message);
    this.name = 'OverloadedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface AdmissionStats {
  active: number;
  queued: number;
  uploadBytes: number;
  /** Requests refused since start, by reason. */
  shed: { queue_full: number; queue_timeout: number; upload_budget: number };
}

export interface Admission {
  /** Runs `work` when a slot is free; throws OverloadedError when the queue is full or the wait runs out. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** A reservation for one request's body: add() as chunks arrive (throws OverloadedError past the budget), release() at the end. */
  upload(): { add(bytes: number): void; release(): void };
  stats(): AdmissionStats;
  readonly limits: AdmissionLimits;
}

export function createAdmission(limits: AdmissionLimits = DEFAULT_ADMISSION): Admission {
  let active = 0;
  let uploadBytes = 0;
  const waiting: { start: () => void; timer: ReturnType<typeof setTimeout> }[] = [];
  const shed = { queue_full: 0, queue_timeout: 0, upload_budget: 0 };
  const retryAfter = (): number => Math.max(1, Math.ceil(limits.maxWaitMs / 1000));

  const next = (): void => {
    const w = waiting.shift();
    if (!w) return;
    clearTimeout(w.timer);
    w.start();
  };

  return {
    limits,
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (active >= limits.concurrency) {
        if (waiting.length >= limits.queue) {
          shed.queue_full++;
          throw new OverloadedError(`the server is at capacity (${limits.concurrency} running, ${limits.queue} waiting); retry in a moment`, retryAfter());
        }
        await new Promise<void>((resolve, reject) => {
          const entry = {
            start: resolve,
            timer: setTimeout(() => {
              waiting.splice(waiting.indexOf(entry), 1);
              shed.queue_timeout++;
              reject(new OverloadedError(`the server is busy: no slot within ${limits.maxWaitMs} ms; retry in a moment`, retryAfter()));
            }, limits.maxWaitMs),
          };
          waiting.push(entry);
        });
      }
      active++;
      try {
        return await work();
      } finally {
        active--;
        next();
      }
    },
    upload() {
      let mine = 0;
      return {
        add(bytes: number) {
          if (uploadBytes + bytes > limits.uploadBudgetBytes) {
            shed.upload_budget++;
            throw new OverloadedError('the server is receiving too many uploads at once; retry in a moment', retryAfter());
          }
          mine += bytes;
          uploadBytes += bytes;
        },
        release() {
          uploadBytes -= mine;
          mine = 0;
        },
      };
    },
    stats: () => ({ active, queued: waiting.length, uploadBytes, shed: { ...shed } }),
  };
}
