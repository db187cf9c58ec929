// The InferenceEngine over one onnxruntime-common InferenceSession: written once for onnxruntime-node and onnxruntime-web.
//
// Each runtime keeps only how it loads ORT and which execution providers it asks for; it hands this class the session it
// created and the Tensor class of the same ORT build.
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type { EngineTensor, InferenceEngine } from './engine.js';

export type TensorClass = new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;

export interface OrtSessionEngineOptions {
  /**
   * One run at a time. onnxruntime-web needs it (WebGPU runs are asynchronous and must not interleave; one WASM thread
   * would only take turns anyway). On onnxruntime-node it keeps concurrent requests from multiplying intra-op threads on
   * a small CPU, so latency under load stays that of one run plus the queue.
   */
  serial?: boolean;
}

export class OrtSessionEngine implements InferenceEngine {
  readonly backend: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly #Tensor: TensorClass;
  readonly #session: InferenceSession;
  readonly #serial: boolean;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(backend: string, TensorCtor: TensorClass, session: InferenceSession, options: OrtSessionEngineOptions = {}) {
    this.backend = backend;
    this.#Tensor = TensorCtor;
    this.#session = session;
    this.#serial = options.serial ?? true;
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
  }

  run(feeds: Record<string, EngineTensor>): Promise<Record<string, EngineTensor>> {
    if (!this.#serial) return this.#runNow(feeds);
    // A failed run must not block the next.
    const next = this.#queue.then(() => this.#runNow(feeds));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #runNow(feeds: Record<string, EngineTensor>): Promise<Record<string, EngineTensor>> {
    const inputs: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) inputs[name] = new this.#Tensor('float32', t.data, t.dims);
    const results = await this.#session.run(inputs);
    const out: Record<string, EngineTensor> = {};
    for (const [name, t] of Object.entries(results)) {
      // CPU outputs are JS-owned copies already; GPU outputs are downloaded (getData) and their GPU buffer released.
      const data = t.location === 'cpu' ? t.data : await t.getData(true);
      out[name] = { data: data as Float32Array, dims: t.dims };
      if (t.location !== 'cpu') t.dispose();
    }
    return out;
  }

  async release(): Promise<void> {
    await this.#session.release();
  }
}
