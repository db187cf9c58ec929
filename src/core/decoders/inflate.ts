// Inflate (raw deflate or gzip) with a ceiling on the output, so a small upload cannot expand into gigabytes (a "bomb").
import { Gunzip, Inflate } from 'fflate';
import { concatBytes } from '../bytes.js';
import { ImageInputError } from '../errors.js';

const mb = (n: number): string => `${Math.round(n / 1048576)} MB`;

/**
 * Streams the input through fflate in chunks and stops as soon as the output would pass `maxBytes`. `stopAfter`
 * ends early once that many bytes are out (to read a header), returning what there is.
 */
export function inflateLimited(data: Uint8Array, options: { gzip: boolean; maxBytes: number; what: string; stopAfter?: number }): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let stopped = false;
  const onData = (input: Uint8Array): void => {
    if (stopped) return;
    let chunk = input;
    // Past what the caller needs: keep only that much (one chunk may hold far more of a very compressible file).
    if (options.stopAfter !== undefined && total + chunk.length >= options.stopAfter) chunk = chunk.subarray(0, Math.max(0, options.stopAfter - total));
    total += chunk.length;
    if (total > options.maxBytes) {
      throw new ImageInputError(
        'too_many_pixels',
        `The ${options.what} expands to more than ${mb(options.maxBytes)} when decompressed; the limit is ${mb(options.maxBytes)}. Send a smaller scan.`,
      );
    }
    chunks.push(chunk);
    if (options.stopAfter !== undefined && total >= options.stopAfter) stopped = true;
  };
  const stream = options.gzip ? new Gunzip(onData) : new Inflate(onData);
  // Small input steps bound what one step can expand to (deflate's ratio is at most about 1:1032).
  const step = 16 * 1024;
  try {
    for (let at = 0; at < data.length && !stopped; at += step) {
      const end = Math.min(data.length, at + step);
      stream.push(data.subarray(at, end), end === data.length);
    }
  } catch (error) {
    if (error instanceof ImageInputError) throw error;
    throw new ImageInputError('corrupt_image', `The ${options.what} could not be decompressed (${(error as Error).message}).`);
  }
  return concatBytes(chunks);
}
