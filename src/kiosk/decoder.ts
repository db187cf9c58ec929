// The kiosk's decoder: the core's, with libjpeg-turbo's module fetched from beside the app (the service worker keeps it offline).
import { coreDecoders, createInputDecoder } from '../core/decoders/index.js';
import jpegWasmUrl from '../../node_modules/@cwasm/jpeg-turbo/jpeg-turbo.wasm?url';

async function compile(url: string): Promise<WebAssembly.Module> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not load the image decoder (${response.status}). Rebuild the kiosk (npm run build:kiosk).`);
  // compile() rather than compileStreaming(): it does not depend on the server sending application/wasm.
  return WebAssembly.compile(await response.arrayBuffer());
}

export const kioskDecoder = createInputDecoder(coreDecoders({ jpeg: () => compile(jpegWasmUrl) }));
