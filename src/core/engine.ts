// The small interface each runtime's ONNX backend implements; the one implementation over onnxruntime is ort-session-engine.ts.

/** A float32 tensor as plain data, so the core never depends on one runtime's Tensor class. */
export interface EngineTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface InferenceEngine {
  /** Human-readable backend, e.g. "onnxruntime-node/cpu" or "onnxruntime-web/wasm". Shown in /v1/model and the kiosk. */
  readonly backend: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, EngineTensor>): Promise<Record<string, EngineTensor>>;
  release(): Promise<void>;
}
