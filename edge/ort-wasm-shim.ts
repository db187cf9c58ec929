// Hands onnxruntime-web the WebAssembly.Module that wrangler compiled at upload, because workerd refuses to compile bytes.
//
// workerd forbids WebAssembly.compile/instantiate on bytes ("Wasm code generation disallowed by embedder",
// https://github.com/cloudflare/workerd/issues/3345); a Worker gets its .wasm only as a precompiled module import.
// onnxruntime-web does not expose Emscripten's `instantiateWasm` hook (declined upstream in favour of wasmBinary/wasmPaths:
// https://github.com/microsoft/onnxruntime/issues/20876), so the hook cannot be reached. What remains: give ORT a
// placeholder `wasmBinary` (which also stops it fetching the .wasm) and, for the one call whose bytes are that
// placeholder, answer WebAssembly.instantiate with the precompiled module. Every other call passes straight through.
import * as ort from 'onnxruntime-web/wasm';

const PLACEHOLDER = new ArrayBuffer(8);

let installed: WebAssembly.Module | undefined;

function isPlaceholder(source: unknown): boolean {
  if (source === PLACEHOLDER) return true;
  return ArrayBuffer.isView(source) && source.buffer === PLACEHOLDER;
}

/** Call once per isolate, before the first InferenceSession.create. Idempotent. */
export function useCompiledOrtWasm(compiled: WebAssembly.Module): typeof ort {
  if (installed) return ort;
  installed = compiled;
  // One thread: workerd has no Web Workers for Emscripten's pthread pool. SIMD is part of the single shipped build.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = PLACEHOLDER;
  const original = WebAssembly.instantiate.bind(WebAssembly) as (source: unknown, imports?: WebAssembly.Imports) => Promise<unknown>;
  const patched = (source: unknown, imports?: WebAssembly.Imports): Promise<unknown> => {
    if (!isPlaceholder(source)) return original(source, imports);
    // Same shape as instantiate(bytes): { instance, module }.
    return (original(compiled, imports) as Promise<WebAssembly.Instance>).then((instance) => ({ instance, module: compiled }));
  };
  (WebAssembly as { instantiate: unknown }).instantiate = patched;
  return ort;
}
