// onnxruntime-web in workerd for the shared engine: WASM, one thread, the precompiled module wired in by the shim.
import type * as OrtWeb from 'onnxruntime-web/wasm';
import { OrtSessionEngine } from '../src/core/ort-session-engine.js';

export const EDGE_BACKEND = 'onnxruntime-web/wasm (workerd, 1 thread, SIMD)';

/** `ort` comes from useCompiledOrtWasm, so the WASM is already wired before the first session exists. */
export async function createEdgeEngine(ort: typeof OrtWeb, onnx: Uint8Array): Promise<OrtSessionEngine> {
  const session = await ort.InferenceSession.create(onnx, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    // Fixed-size input: the memory-pattern planner reuses one arena across runs instead of reallocating.
    enableMemPattern: true,
    enableCpuMemArena: true,
  });
  return new OrtSessionEngine(EDGE_BACKEND, ort.Tensor, session);
}
