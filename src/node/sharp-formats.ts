// The formats only Node decodes, through sharp (libvips): WebP, TIFF (16-bit kept) and the first frame of a GIF.
import type sharpType from 'sharp';
import type { DecodeLimits, FormatDecoder } from '../core/decoder.js';
import { admit } from '../core/decoders/limits.js';
import { ImageInputError } from '../core/errors.js';

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

function failure(err: unknown, name: string): ImageInputError {
  const message = ((err as Error).message ?? String(err)).split('\n')[0];
  return new ImageInputError('corrupt_image', `The ${name} file could not be decoded (${message}). Re-export the scan as PNG or JPEG.`);
}

function sharpFormat(format: 'webp' | 'tiff' | 'gif', name: string, description: string): FormatDecoder {
  return {
    format,
    description,
    async decode(bytes: Uint8Array, limits: DecodeLimits) {
      const sharp = await loadSharp();
      const input = { limitInputPixels: limits.maxPixels, pages: 1, failOn: 'warning' as const };
      let meta: Awaited<ReturnType<ReturnType<typeof sharpType>['metadata']>>;
      try {
        meta = await sharp(bytes, { ...input, limitInputPixels: false }).metadata();
      } catch (err) {
        throw failure(err, name);
      }
      const sixteen = meta.depth === 'ushort' || meta.depth === 'short';
      const grey = meta.channels !== undefined && meta.channels <= 2;
      const channels = grey ? 1 : Math.min(meta.channels ?? 3, 4);
      // Header values, checked before libvips allocates a pixel (EXIF rotation keeps the pixel count).
      admit({ width: meta.width ?? 0, height: meta.pageHeight ?? meta.height ?? 0, channels, bytesPerSample: sixteen ? 2 : 1 }, limits);
      try {
        let pipeline = sharp(bytes, input).rotate();
        // libvips turns grey into sRGB by default; keeping one channel is exact and a third of the work downstream.
        if (grey) pipeline = pipeline.toColourspace(sixteen ? 'grey16' : 'b-w');
        const { data, info } = await pipeline.raw(sixteen ? { depth: 'ushort' } : undefined).toBuffer({ resolveWithObject: true });
        const pixels = sixteen
          ? data.byteOffset % 2 === 0
            ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2)
            : new Uint16Array(Uint8Array.from(data).buffer)
          : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        return { image: { data: pixels, width: info.width, height: info.height, channels: info.channels as 1 | 2 | 3 | 4, bitDepth: sixteen ? 16 : 8 }, source: { format } };
      } catch (err) {
        throw failure(err, name);
      }
    },
  };
}

/** WebP, TIFF, GIF: listed after the core's formats, which decode the same on every runtime. */
export function sharpFormatDecoders(): FormatDecoder[] {
  return [sharpFormat('webp', 'WebP', 'WebP'), sharpFormat('tiff', 'TIFF', 'TIFF'), sharpFormat('gif', 'GIF', 'GIF (first frame)')];
}
