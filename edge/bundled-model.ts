// The files that travel inside the Worker bundle: ORT's WASM (CompiledWasm rule), the model (Data rule) and its manifest.
import ortWasm from '../node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm';
import onnx from '../model/brain-mri-edge.onnx';
import manifest from '../model/brain-mri-edge.manifest.json' with { type: 'json' };

export const bundledModel = { wasm: ortWasm, onnx, manifest: manifest as unknown };
