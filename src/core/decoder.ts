// The decoder interface: Node plugs in sharp, the Worker and browser plug in the core's pure-JS decoders.
import type { RawImage } from './image.js';

export interface DecodeOptions {
  /** Refuse images with more pixels than this before allocating their pixel buffer. */
  maxPixels: number;
}

export interface ImageDecoder {
  /** Media types this decoder accepts, e.g. ["image/jpeg", "image/png"]. */
  readonly accepts: readonly string[];
  /** Throws ImageInputError for anything that is not a decodable image within limits. */
  decode(bytes: Uint8Array, options: DecodeOptions): Promise<RawImage>;
}
