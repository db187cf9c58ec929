// Builds the edge service from bundled parts: precompiled WASM modules, the .onnx and its manifest (sha256 checked).
import { coreDecoders, createInputDecoder, type CoreDecoderModules } from '../src/core/decoders/index.js';
import { loadClassifier } from '../src/core/load-classifier.js';
import { createService, type Service } from '../src/core/service.js';
import { createEdgeEngine } from './ort-web-engine.js';
import { useCompiledOrtWasm } from './ort-wasm-shim.js';

export interface EdgeModelParts {
  /** ort-wasm-simd-threaded.wasm as a compiled module (a CompiledWasm import in workerd, WebAssembly.compile in Node tests). */
  wasm: WebAssembly.Module;
  /** The .onnx bytes (a Data import). */
  onnx: ArrayBuffer | Uint8Array;
  /** The parsed manifest JSON; validated by loadClassifier. */
  manifest: unknown;
}

/** Refuses (ModelLoadError) a model whose size, sha256 or graph names disagree with the manifest. */
export async function loadEdgeService(parts: EdgeModelParts, codecs: CoreDecoderModules): Promise<Service> {
  const ort = useCompiledOrtWasm(parts.wasm);
  const onnx = parts.onnx instanceof Uint8Array ? parts.onnx : new Uint8Array(parts.onnx);
  const classifier = await loadClassifier({ manifest: parts.manifest, onnx, createEngine: (bytes) => createEdgeEngine(ort, bytes) });
  return createService({ decoder: createInputDecoder(coreDecoders(codecs)), classifier });
}
