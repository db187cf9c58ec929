// The files that travel inside the Worker bundle: WASM as compiled modules (CompiledWasm rule), the model (Data rule), its manifest.
// The DICOM codecs' modules are compiled with the Worker; their JavaScript glue runs only when a file needs it.
import ortWasm from '../node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm';
import jpegWasm from '../node_modules/@cwasm/jpeg-turbo/jpeg-turbo.wasm';
import openjpegWasm from '../node_modules/@cornerstonejs/codec-openjpeg/dist/openjpegwasm_decode.wasm';
import charlsWasm from '../node_modules/@cornerstonejs/codec-charls/dist/charlswasm_decode.wasm';
import onnx from '../model/brain-mri-edge.onnx';
import manifest from '../model/brain-mri-edge.manifest.json' with { type: 'json' };
import gateOnnx from '../model/brain-mri-gate.onnx';
import gateManifest from '../model/brain-mri-gate.manifest.json' with { type: 'json' };

export const bundledModel = { wasm: ortWasm, onnx, manifest: manifest as unknown, gate: { onnx: gateOnnx, manifest: gateManifest as unknown } };
export const bundledCodecs = { jpeg: jpegWasm, openjpeg: openjpegWasm, charls: charlsWasm };
