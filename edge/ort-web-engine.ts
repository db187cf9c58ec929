// The Workers InferenceEngine: onnxruntime-web (WASM, one thread) behind the shared onnxruntime-web session engine.
import type * as OrtWeb from 'onnxruntime-web/wasm';
import { OrtWebSessionEngine } from '../src/web/ort-web-session-engine.js';

export const EDGE_BACKEND = 'onnxruntime-web/wasm (workerd, 1 thread, SIMD)';

/** `ort` comes from useCompiledOrtWasm, so the WASM is already wired before the first session exists. */
export async function createEdgeEngine(ort: typeof OrtWeb, onnx: Uint8Array): Promise<OrtWebSessionEngine> {
  const session = await ort.InferenceSession.create(onnx, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    // Fixed 256x256 input: the memory-pattern planner reuses one arena across runs instead of reallocating.
    enableMemPattern: true,
    enableCpuMemArena: true,
  });
  return new OrtWebSessionEngine(EDGE_BACKEND, ort.Tensor, session);
}
