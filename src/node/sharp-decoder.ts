// ImageDecoder over sharp (libvips): JPEG, PNG, WebP, TIFF, GIF (first frame), EXIF orientation applied, 16-bit kept.
import type sharpType from 'sharp';
import type { DecodeOptions, ImageDecoder } from '../core/decoder.js';
import { ImageInputError } from '../core/errors.js';
import type { RawImage } from '../core/image.js';

let loading: Promise<typeof sharpType> | undefined;

/** sharp (libvips) takes ~100 ms to load; loading it lazily lets the server get ready while it loads. */
export function loadSharp(): Promise<typeof sharpType> {
  loading ??= import('sharp').then((m) => {
    const sharp = m.default;
    // One libvips thread per call: requests already run in parallel, and extra threads only contend on small CPUs.
    sharp.concurrency(1);
    sharp.cache(false);
    return sharp;
  });
  return loading;
}

function failure(err: unknown, maxPixels: number): ImageInputError {
  const message = ((err as Error).message ?? String(err)).split('\n')[0];
  if (/pixel limit/i.test(message)) {
    return new ImageInputError('too_many_pixels', `the image has more than ${maxPixels} pixels (the limit); send a smaller image`);
  }
  if (/unsupported image format/i.test(message)) {
    return new ImageInputError('not_an_image', 'the bytes are not an image sharp can read; send JPEG, PNG, WebP, TIFF or GIF');
  }
  return new ImageInputError('corrupt_image', `the image could not be decoded (truncated or damaged file): ${message}`);
}

/** Runs one tiny JPEG decode and PNG encode so libvips' loaders are initialised before the first real request. */
export async function warmSharp(): Promise<void> {
  const sharp = await loadSharp();
  const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#404040' } }).jpeg().toBuffer();
  const { data, info } = await sharp(jpeg).rotate().toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).png({ compressionLevel: 1 }).toBuffer();
}

/** TIFF may carry 16-bit samples (PNG is read from its header); JPEG, WebP and GIF are always 8-bit. */
const MAYBE_16_BIT = new Set([0x49, 0x4d]);

/** Component count from a JPEG's frame header (SOFn), read directly: cheaper than a metadata() round trip. */
export function jpegComponents(b: Uint8Array): number | undefined {
  if (b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    const length = (b[i + 2] << 8) | b[i + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return b[i + 9];
    i += 2 + length;
  }
  return undefined;
}

export function createSharpDecoder(): ImageDecoder {
  return {
    accepts: ['image/jpeg', 'image/png', 'image/webp', 'image/tiff', 'image/gif'],
    async decode(bytes: Uint8Array, { maxPixels }: DecodeOptions): Promise<RawImage> {
      const input = { limitInputPixels: maxPixels, pages: 1, failOn: 'warning' as const };
      const sharp = await loadSharp();
      try {
        let sixteen = false;
        let grey = jpegComponents(bytes) === 1;
        if (bytes[0] === 0x89 && bytes.length > 26) {
          // PNG: depth and colour type sit at fixed offsets in IHDR, no need for a metadata() round trip.
          sixteen = bytes[24] === 16;
          grey = bytes[25] === 0 || bytes[25] === 4;
        } else if (MAYBE_16_BIT.has(bytes[0])) {
          const meta = await sharp(bytes, input).metadata();
          sixteen = meta.depth === 'ushort' || meta.depth === 'short';
          grey = meta.channels !== undefined && meta.channels <= 2;
        }
        // libvips turns grey into sRGB by default; keeping one channel is exact and a third of the work downstream.
        let pipeline = sharp(bytes, input).rotate();
        if (grey) pipeline = pipeline.toColourspace(sixteen ? 'grey16' : 'b-w');
        const { data, info } = await pipeline.raw(sixteen ? { depth: 'ushort' } : undefined).toBuffer({ resolveWithObject: true });
        const channels = info.channels as 1 | 2 | 3 | 4;
        const pixels = sixteen
          ? data.byteOffset % 2 === 0
            ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2)
            : new Uint16Array(Uint8Array.from(data).buffer)
          : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        return { data: pixels, width: info.width, height: info.height, channels, bitDepth: sixteen ? 16 : 8 };
      } catch (err) {
        throw failure(err, maxPixels);
      }
    },
  };
}
