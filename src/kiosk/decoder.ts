// The kiosk's decoder: the core's, with the codecs' WebAssembly fetched from beside the app (the service worker keeps them offline).
import { coreDecoders, createInputDecoder } from '../core/decoders/index.js';
import jpegWasmUrl from '../../node_modules/@cwasm/jpeg-turbo/jpeg-turbo.wasm?url';
import openjpegWasmUrl from '../../node_modules/@cornerstonejs/codec-openjpeg/dist/openjpegwasm_decode.wasm?url';
import charlsWasmUrl from '../../node_modules/@cornerstonejs/codec-charls/dist/charlswasm_decode.wasm?url';

async function compile(url: string): Promise<WebAssembly.Module> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not load the image decoder (${response.status}). Rebuild the kiosk (npm run build:kiosk).`);
  // compile() rather than compileStreaming(): it does not depend on the server sending application/wasm.
  return WebAssembly.compile(await response.arrayBuffer());
}

/** The codecs' modules are fetched (through the service worker's cache) only when a file of their kind arrives. */
export const kioskModules = { jpeg: () => compile(jpegWasmUrl), openjpeg: () => compile(openjpegWasmUrl), charls: () => compile(charlsWasmUrl) };

export const kioskDecoder = createInputDecoder(coreDecoders(kioskModules));
