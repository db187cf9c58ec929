// Baseline and progressive 8-bit JPEG to RawImage with jpeg-js (pure JS: runs in workerd and browsers, no WASM compile).
import decodeJpeg from 'jpeg-js/lib/decoder.js';
import { ImageInputError } from '../errors.js';
import type { RawImage } from '../image.js';
import { readJpegHeader } from './jpeg-header.js';
import { checkPixelLimit } from './limits.js';
import { applyOrientation } from './orient.js';

export function decodeJpegImage(bytes: Uint8Array, maxPixels: number): RawImage {
  const header = readJpegHeader(bytes);
  checkPixelLimit(header.width, header.height, maxPixels);
  let rgb: { width: number; height: number; data: Uint8Array };
  try {
    rgb = decodeJpeg(bytes, {
      useTArray: true, // plain Uint8Array: Buffer does not exist in workerd or browsers
      formatAsRGBA: false,
      // Strict: a file with damaged markers is rejected as Node's libjpeg would, not half-decoded.
      tolerantDecoding: false,
      maxResolutionInMP: Math.max(1, Math.ceil(maxPixels / 1e6)),
      // Coefficient blocks take 4 bytes per sample per component, plus the output; headroom for chroma padding.
      maxMemoryUsageInMB: Math.ceil((maxPixels * (header.components * 4 + 3) * 1.25) / (1 << 20)) + 8,
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ImageInputError('corrupt_image', `The JPEG file could not be decoded (${detail}). Re-export the scan as a baseline or progressive JPEG, or as PNG.`);
  }
  if (header.components === 1) {
    // jpeg-js always expands to RGB; a greyscale scan goes back to one channel so preprocessing sees the exact samples.
    const grey = new Uint8Array(rgb.width * rgb.height);
    for (let i = 0, j = 0; i < grey.length; i++, j += 3) grey[i] = rgb.data[j];
    return applyOrientation({ data: grey, width: rgb.width, height: rgb.height, channels: 1, bitDepth: 8 }, header.orientation);
  }
  return applyOrientation({ data: rgb.data, width: rgb.width, height: rgb.height, channels: 3, bitDepth: 8 }, header.orientation);
}
