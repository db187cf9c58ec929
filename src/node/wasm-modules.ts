// The core's WebAssembly codecs on Node: compiled once per process from the files in node_modules.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { CoreDecoderModules } from '../core/decoders/index.js';

const require = createRequire(import.meta.url);

const compileFile = (specifier: string) => async (): Promise<WebAssembly.Module> => WebAssembly.compile(await readFile(require.resolve(specifier)));

export const nodeWasmModules: CoreDecoderModules = {
  jpeg: compileFile('@cwasm/jpeg-turbo/jpeg-turbo.wasm'),
  openjpeg: compileFile('@cornerstonejs/codec-openjpeg/decodewasm'),
  charls: compileFile('@cornerstonejs/codec-charls/decodewasm'),
};
