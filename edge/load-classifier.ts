// Builds the edge classifier from bundled bytes: precompiled ORT wasm, the .onnx, its manifest (sha256 checked here).
import { createClassifier, type Classifier } from '../src/core/classifier.js';
import { createPureDecoder } from '../src/core/decoders/index.js';
import { loadModel } from '../src/core/model-loader.js';
import { createEdgeEngine } from './ort-web-engine.js';
import { useCompiledOrtWasm } from './ort-wasm-shim.js';

export interface EdgeModelParts {
  /** ort-wasm-simd-threaded.wasm as a compiled module (a CompiledWasm import in workerd, WebAssembly.compile in Node tests). */
  wasm: WebAssembly.Module;
  /** The .onnx bytes (a Data import). */
  onnx: ArrayBuffer | Uint8Array;
  /** The parsed manifest JSON; validated by loadModel. */
  manifest: unknown;
  maxPixels?: number;
}

/** Refuses (ModelLoadError) a model whose size, sha256 or graph names disagree with the manifest. */
export async function loadEdgeClassifier(parts: EdgeModelParts): Promise<Classifier> {
  const ort = useCompiledOrtWasm(parts.wasm);
  const onnx = parts.onnx instanceof Uint8Array ? parts.onnx : new Uint8Array(parts.onnx);
  const { manifest, engine } = await loadModel({
    manifest: parts.manifest,
    onnx,
    createEngine: (bytes) => createEdgeEngine(ort, bytes),
  });
  // PNGs come from the core's writer (fflate, level 1): a CompressionStream version measured no faster per overlay in
  // workerd (CPU 85 ms either way) and slower in Node, so one encoder serves all runtimes.
  return createClassifier({ manifest, engine, decoder: createPureDecoder(), maxPixels: parts.maxPixels });
}
