// Builds the edge service from bundled parts: precompiled WASM modules, the .onnx and its manifest (sha256 checked).
import { coreDecoders, createInputDecoder, type CoreDecoderModules } from '../src/core/decoders/index.js';
import { loadGate } from '../src/core/gate.js';
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
  /** The input gate's .onnx and manifest; leave out for no gate (GATE=off). */
  gate?: { onnx: ArrayBuffer | Uint8Array; manifest: unknown };
}

const bytesOf = (b: ArrayBuffer | Uint8Array): Uint8Array => (b instanceof Uint8Array ? b : new Uint8Array(b));

/** Refuses (ModelLoadError) a model whose size, sha256 or graph names disagree with the manifest. */
export async function loadEdgeService(parts: EdgeModelParts, codecs: CoreDecoderModules): Promise<Service> {
  const ort = useCompiledOrtWasm(parts.wasm);
  const createEngine = (bytes: Uint8Array) => createEdgeEngine(ort, bytes);
  const [classifier, gate] = await Promise.all([
    loadClassifier({ manifest: parts.manifest, onnx: bytesOf(parts.onnx), createEngine }),
    parts.gate ? loadGate({ manifest: parts.gate.manifest, onnx: bytesOf(parts.gate.onnx), createEngine }) : undefined,
  ]);
  return createService({ decoder: createInputDecoder(coreDecoders(codecs)), classifier, gate });
}
