// Reads a PNG's IHDR and checks its IDAT stream inflates to exactly the expected size, before fast-png allocates pixels.
import { Unzlib } from 'fflate';
import { ImageInputError } from '../errors.js';

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: 0 | 2 | 3 | 4 | 6;
  interlaced: boolean;
  /** Samples per pixel as stored (palette counts as 1). */
  storedChannels: number;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const VALID_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function corrupt(detail: string): ImageInputError {
  return new ImageInputError('corrupt_image', `The PNG file is damaged or truncated (${detail}). Re-export the scan as PNG or JPEG.`);
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

export function readPngHeader(bytes: Uint8Array): PngHeader {
  if (bytes.length < 33) throw corrupt('shorter than a PNG header');
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') throw corrupt('first chunk is not IHDR');
  const width = u32(bytes, 16);
  const height = u32(bytes, 20);
  const bitDepth = bytes[24];
  const colorType = bytes[25];
  const interlace = bytes[28];
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) throw corrupt('invalid width or height');
  if (!(colorType in CHANNELS) || !VALID_DEPTHS[colorType].includes(bitDepth)) throw corrupt(`invalid colour type ${colorType} with bit depth ${bitDepth}`);
  if (bytes[26] !== 0 || bytes[27] !== 0 || interlace > 1) throw corrupt('unknown compression, filter or interlace method');
  return {
    width,
    height,
    bitDepth: bitDepth as PngHeader['bitDepth'],
    colorType: colorType as PngHeader['colorType'],
    interlaced: interlace === 1,
    storedChannels: CHANNELS[colorType],
  };
}

const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** Bytes the IDAT stream must inflate to: one filter byte plus the packed samples per row (per pass when interlaced). */
export function expectedInflatedBytes(h: PngHeader): number {
  const rowBytes = (w: number) => 1 + Math.ceil((w * h.storedChannels * h.bitDepth) / 8);
  if (!h.interlaced) return h.height * rowBytes(h.width);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const pw = Math.ceil((h.width - x0) / dx);
    const ph = Math.ceil((h.height - y0) / dy);
    if (pw > 0 && ph > 0) total += ph * rowBytes(pw);
  }
  return total;
}

class TooLarge extends Error {}

/** Adler-32 (zlib's checksum) continued over one more piece; fflate does not verify it, so a flipped bit would go unseen. */
function adler32(a: number, b: number, bytes: Uint8Array): [number, number] {
  const MOD = 65521;
  for (let i = 0; i < bytes.length; ) {
    // 3800 bytes keep the sums within 2^31 before the modulo (zlib's NMAX is 5552 for 32-bit unsigned).
    const end = Math.min(bytes.length, i + 3800);
    for (; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return [a, b];
}

/**
 * Inflates the IDAT chunks once, counting output and stopping as soon as it exceeds what the header promises: a small
 * upload cannot become a decompression bomb, truncated data is caught before fast-png silently zero-fills it, and the
 * zlib checksum is verified (chunk CRCs are fast-png's, with checkCrc).
 */
export function checkPngData(bytes: Uint8Array, header: PngHeader): void {
  const expected = expectedInflatedBytes(header);
  let produced = 0;
  let ended = false;
  let sumA = 1;
  let sumB = 0;
  const inflate = new Unzlib((chunk, final) => {
    produced += chunk.length;
    if (produced > expected) throw new TooLarge();
    [sumA, sumB] = adler32(sumA, sumB, chunk);
    if (final) ended = true;
  });
  const tail = new Uint8Array(4);
  let offset = 8;
  let sawIdat = false;
  let sawEnd = false;
  try {
    while (offset + 8 <= bytes.length) {
      const length = u32(bytes, offset);
      const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
      const start = offset + 8;
      if (start + length + 4 > bytes.length) throw corrupt(`chunk ${type} runs past the end of the file`);
      if (type === 'IDAT') {
        sawIdat = true;
        const data = bytes.subarray(start, start + length);
        // The stream's last four bytes are its Adler-32; they may straddle IDAT chunks.
        if (data.length >= 4) tail.set(data.subarray(data.length - 4));
        else {
          tail.copyWithin(0, data.length);
          tail.set(data, 4 - data.length);
        }
        inflate.push(data, false);
      } else if (type === 'IEND') {
        sawEnd = true;
        break;
      }
      offset = start + length + 4;
    }
    if (!sawIdat) throw corrupt('no image data');
    inflate.push(new Uint8Array(0), true);
  } catch (error) {
    if (error instanceof ImageInputError) throw error;
    if (error instanceof TooLarge) throw corrupt('the image data is larger than its header says');
    // fflate throws plain errors with codes for invalid deflate data, or "unexpected EOF" when the stream is cut.
    throw corrupt('the compressed image data is invalid');
  }
  if (!sawEnd && !ended) throw corrupt('the file ends before its image data does');
  if (produced < expected) throw corrupt('the image data is shorter than its header says');
  if (u32(tail, 0) !== ((sumB << 16) | sumA) >>> 0) throw corrupt('the image data fails its zlib checksum');
}
