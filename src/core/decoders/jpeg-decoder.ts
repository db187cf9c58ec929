// JPEG (baseline or progressive, 8-bit, grey or colour) to pixels with libjpeg-turbo, strict about damaged data.
import { reductionFor, type FormatDecoder } from '../decoder.js';
import { ImageInputError } from '../errors.js';
import type { WasmModuleSource } from '../wasm.js';
import { readJpegHeader } from './jpeg-header.js';
import { createJpegTurbo, type JpegTurbo } from './jpeg-turbo.js';
import { admit } from './limits.js';
import { applyOrientation } from './orient.js';

export const JPEG_DESCRIPTION = 'JPEG (baseline or progressive, 8-bit)';

const damaged = (detail: string): ImageInputError =>
  new ImageInputError('corrupt_image', `The JPEG file is damaged or truncated (${detail}). Re-export the scan as a baseline or progressive JPEG, or as PNG.`);

/** `wasm`: libjpeg-turbo's module (node_modules/@cwasm/jpeg-turbo/jpeg-turbo.wasm), compiled by the runtime, or an instance to share. */
export function createJpegDecoder(wasm: WasmModuleSource | JpegTurbo): FormatDecoder {
  const turbo = typeof wasm === 'object' && 'decode' in wasm ? wasm : createJpegTurbo(wasm);
  return {
    format: 'jpeg',
    description: JPEG_DESCRIPTION,
    warmup: () => turbo.warmup(),
    async decode(bytes, limits) {
      const header = readJpegHeader(bytes);
      const channels = header.components === 1 ? 1 : 3;
      const factor = reductionFor(header.width, header.height, limits.reduceTo);
      const size = { width: Math.ceil(header.width / factor), height: Math.ceil(header.height / factor) };
      // The pixel limit speaks of the file; the memory limit of what is decoded.
      admit({ width: header.width, height: header.height, channels, bytesPerSample: 1 }, { maxPixels: limits.maxPixels });
      admit({ ...size, channels, bytesPerSample: 1 }, { maxPixels: Infinity, maxDecodedBytes: limits.maxDecodedBytes });
      let decoded;
      try {
        decoded = await turbo.decode(bytes, channels, header, factor);
      } catch (error) {
        throw damaged((error as Error).message);
      }
      // What libjpeg calls a warning ("Corrupt JPEG data: ...", "Premature end of JPEG file") still leaves pixels, but
      // not the scan's: a damaged file gets an answer about the file, never a class.
      if (decoded.warning) throw damaged('libjpeg reports corrupt or missing image data');
      const image = applyOrientation({ data: decoded.data, width: decoded.width, height: decoded.height, channels, bitDepth: 8 }, header.orientation);
      return { image, source: { format: 'jpeg', ...(factor > 1 ? { reduced: { factor, width: header.width, height: header.height } } : {}) } };
    },
  };
}
