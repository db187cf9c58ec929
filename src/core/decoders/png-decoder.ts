// PNG (grey, grey+alpha, RGB, RGBA, palette; 1 to 16 bits; interlaced or not) to pixels with fast-png, 16-bit kept, checksums verified.
import { convertIndexedToRgb, decode as decodePng, type DecodedPng } from 'fast-png';
import { ImageInputError } from '../errors.js';
import type { DecodedInput, DecodeLimits, FormatDecoder } from '../decoder.js';
import type { RawImage } from '../image.js';
import { admit } from './limits.js';
import { checkPngData, readPngHeader, type PngHeader } from './png-header.js';

/** Spreads 1/2/4-bit grey samples to 0..255 the way libpng does (v * 255 / (2^depth - 1)). */
function unpackLowDepth(packed: Uint8Array, width: number, height: number, depth: 1 | 2 | 4): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const max = (1 << depth) - 1;
  const scale = 255 / max;
  for (let y = 0; y < height; y++) {
    const row = y * rowBytes;
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const value = (packed[row + (bit >> 3)] >> (8 - depth - (bit & 7))) & max;
      out[y * width + x] = Math.round(value * scale);
    }
  }
  return out;
}

export const PNG_DESCRIPTION = 'PNG (8- or 16-bit greyscale, RGB, RGBA, palette)';

/** Channels after decoding: palette expands to RGB(A), everything else as stored. */
function decodedChannels(header: PngHeader): number {
  if (header.colorType === 3) return 4; // RGBA when a tRNS chunk gives the palette alpha: count the upper bound
  return header.storedChannels;
}

export function decodePngImage(bytes: Uint8Array, limits: DecodeLimits): RawImage {
  const header = readPngHeader(bytes);
  admit({ width: header.width, height: header.height, channels: decodedChannels(header), bytesPerSample: header.bitDepth === 16 ? 2 : 1 }, limits);
  if (header.interlaced && header.bitDepth < 8) {
    // fast-png 8 de-interlaces sub-byte samples as whole bytes; refuse rather than return wrong pixels.
    throw new ImageInputError('unsupported_type', `Interlaced PNG with ${header.bitDepth}-bit samples is not supported. Re-save it without interlacing, or as 8-bit PNG.`);
  }
  checkPngData(bytes, header);
  let png: DecodedPng;
  try {
    png = decodePng(bytes, { checkCrc: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ImageInputError('corrupt_image', `The PNG file could not be decoded (${detail}). Re-export the scan as PNG or JPEG.`);
  }
  const { width, height } = png;
  if (header.colorType === 3) {
    let rgb: Uint8Array;
    try {
      rgb = convertIndexedToRgb(png);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new ImageInputError('corrupt_image', `The PNG palette is invalid (${detail}). Re-export the scan as PNG or JPEG.`);
    }
    const channels = rgb.length === width * height * 4 ? 4 : 3;
    return { data: rgb, width, height, channels, bitDepth: 8 };
  }
  const channels = header.storedChannels as RawImage['channels'];
  if (header.bitDepth === 16) {
    return { data: png.data as Uint16Array, width, height, channels, bitDepth: 16 };
  }
  if (header.bitDepth < 8) {
    return { data: unpackLowDepth(png.data as Uint8Array, width, height, header.bitDepth as 1 | 2 | 4), width, height, channels: 1, bitDepth: 8 };
  }
  return { data: png.data as Uint8Array, width, height, channels, bitDepth: 8 };
}

export const pngDecoder: FormatDecoder = {
  format: 'png',
  description: PNG_DESCRIPTION,
  async decode(bytes, limits): Promise<DecodedInput> {
    return { image: decodePngImage(bytes, limits), source: { format: 'png' } };
  },
};
