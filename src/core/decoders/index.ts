// The pure-JS ImageDecoder for the Worker and the browser kiosk: sniffs JPEG/PNG, enforces limits, never touches node:*.
import type { DecodeOptions, ImageDecoder } from '../decoder.js';
import { ImageInputError } from '../errors.js';
import type { RawImage } from '../image.js';
import { decodeJpegImage } from './jpeg-decoder.js';
import { decodePngImage } from './png-decoder.js';
import { sniffImageType } from '../sniff.js';

export const ACCEPTED_TYPES = ['image/jpeg', 'image/png'] as const;
const ACCEPTED_TEXT = 'Accepted: JPEG (baseline or progressive, 8-bit) and PNG (8- or 16-bit greyscale, RGB, RGBA, palette).';

export class PureImageDecoder implements ImageDecoder {
  readonly accepts: readonly string[] = ACCEPTED_TYPES;

  async decode(bytes: Uint8Array, options: DecodeOptions): Promise<RawImage> {
    return decodeImageSync(bytes, options);
  }
}

/** Synchronous form for callers that decode in a tight loop (benchmarks, the kiosk's worker). */
export function decodeImageSync(bytes: Uint8Array, options: DecodeOptions): RawImage {
  if (bytes.length === 0) throw new ImageInputError('empty_body', `The upload is empty. ${ACCEPTED_TEXT}`);
  const type = sniffImageType(bytes);
  if (type === 'image/jpeg') return decodeJpegImage(bytes, options.maxPixels);
  if (type === 'image/png') return decodePngImage(bytes, options.maxPixels);
  if (type === undefined) throw new ImageInputError('not_an_image', `The upload is not a recognisable image. ${ACCEPTED_TEXT}`);
  throw new ImageInputError('unsupported_type', `${type} is not supported here. ${ACCEPTED_TEXT}`);
}

export function createPureDecoder(): ImageDecoder {
  return new PureImageDecoder();
}
