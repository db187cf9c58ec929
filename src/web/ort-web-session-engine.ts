// The InferenceEngine over one onnxruntime-web session, shared by the Worker (edge/) and the browser kiosk (src/kiosk/).
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type { EngineTensor, InferenceEngine } from '../core/engine.js';

/** Each runtime passes the Tensor class of the onnxruntime-web build it loaded (wasm-only in workerd, wasm+WebGPU in browsers). */
type TensorClass = new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;

export class OrtWebSessionEngine implements InferenceEngine {
  readonly backend: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly #Tensor: TensorClass;
  readonly #session: InferenceSession;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(backend: string, TensorCtor: TensorClass, session: InferenceSession) {
    this.backend = backend;
    this.#Tensor = TensorCtor;
    this.#session = session;
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
  }

  run(feeds: Record<string, EngineTensor>): Promise<Record<string, EngineTensor>> {
    // One run at a time per session: WebGPU runs are asynchronous and must not interleave (a fast double drop in the
    // kiosk, concurrent requests in an isolate); a failed run must not block the next.
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
