// The small interface each runtime's ONNX backend implements (Node: onnxruntime-node, Worker/browser: onnxruntime-web).
import type { Tensor } from 'onnxruntime-common';

/** A float32 tensor as plain data, so the core never depends on one runtime's Tensor class. */
export interface EngineTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** Shape-compatible with onnxruntime-common's Tensor, so adapters can pass ORT outputs straight through. */
export type TensorLike = Pick<Tensor, 'dims'> & { data: Float32Array };

export interface InferenceEngine {
  /** Human-readable backend, e.g. "onnxruntime-node/cpu" or "onnxruntime-web/wasm". Shown in /v1/model and the kiosk. */
  readonly backend: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, EngineTensor>): Promise<Record<string, EngineTensor>>;
  release(): Promise<void>;
}
