// The Workers InferenceEngine: onnxruntime-web (WASM, one thread) behind the core's engine interface.
import type { EngineTensor, InferenceEngine } from '../src/core/engine.js';
import type * as OrtWeb from 'onnxruntime-web/wasm';

export const EDGE_BACKEND = 'onnxruntime-web/wasm (workerd, 1 thread, SIMD)';

export class OrtWebEngine implements InferenceEngine {
  readonly backend = EDGE_BACKEND;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly #ort: typeof OrtWeb;
  readonly #session: OrtWeb.InferenceSession;

  private constructor(ort: typeof OrtWeb, session: OrtWeb.InferenceSession) {
    this.#ort = ort;
    this.#session = session;
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
  }

  /** `ort` comes from useCompiledOrtWasm, so the WASM is already wired before the first session exists. */
  static async create(ort: typeof OrtWeb, onnx: Uint8Array): Promise<OrtWebEngine> {
    const session = await ort.InferenceSession.create(onnx, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
      // Fixed 256x256 input: the memory-pattern planner reuses one arena across runs instead of reallocating.
      enableMemPattern: true,
      enableCpuMemArena: true,
    });
    return new OrtWebEngine(ort, session);
  }

  async run(feeds: Record<string, EngineTensor>): Promise<Record<string, EngineTensor>> {
    const inputs: Record<string, OrtWeb.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) inputs[name] = new this.#ort.Tensor('float32', t.data, t.dims);
    const results = await this.#session.run(inputs);
    const out: Record<string, EngineTensor> = {};
    // CPU outputs of the wasm backend are already JS-owned copies of the heap, so they pass through without a copy.
    for (const [name, t] of Object.entries(results)) out[name] = { data: t.data as Float32Array, dims: t.dims };
    return out;
  }

  async release(): Promise<void> {
    await this.#session.release();
  }
}
