// ImageDecoder over sharp (libvips): JPEG, PNG, WebP, TIFF, GIF (first frame), EXIF orientation applied, 16-bit kept.
import type sharpType from 'sharp';
import type { DecodeOptions, ImageDecoder } from '../core/decoder.js';
import { ImageInputError } from '../core/errors.js';
import type { RawImage } from '../core/image.js';
import { readJpegHeader } from '../core/decoders/jpeg-header.js';
import { readPngHeader } from '../core/decoders/png-header.js';
import { sniffImageType } from '../core/sniff.js';

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

/**
 * Grey and 16-bit from the headers the core's own decoders read (no metadata() round trip for JPEG and PNG). A header
 * those readers refuse (damaged, or a JPEG variant they do not decode) leaves the decision to sharp.
 */
function headerFormat(bytes: Uint8Array, type: string | undefined): { grey: boolean; sixteen: boolean } {
  try {
    if (type === 'image/jpeg') return { grey: readJpegHeader(bytes).components === 1, sixteen: false };
    if (type === 'image/png') {
      const h = readPngHeader(bytes);
      return { grey: h.colorType === 0 || h.colorType === 4, sixteen: h.bitDepth === 16 };
    }
  } catch {
    // fall through: sharp reads the file itself and reports what is wrong with it
  }
  return { grey: false, sixteen: false };
}

export function createSharpDecoder(): ImageDecoder {
  return {
    accepts: ['image/jpeg', 'image/png', 'image/webp', 'image/tiff', 'image/gif'],
    async decode(bytes: Uint8Array, { maxPixels }: DecodeOptions): Promise<RawImage> {
      const input = { limitInputPixels: maxPixels, pages: 1, failOn: 'warning' as const };
      const sharp = await loadSharp();
      try {
        const type = sniffImageType(bytes);
        let { grey, sixteen } = headerFormat(bytes, type);
        if (type === 'image/tiff') {
          // TIFF may carry 16-bit samples anywhere in its IFDs; WebP and GIF are always 8-bit.
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
