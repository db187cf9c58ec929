// The decoder contracts: one FormatDecoder per file format, chosen by content; each returns pixels plus what was read.
import type { RawImage } from './image.js';

export type Plane = 'axial' | 'coronal' | 'sagittal';

/** Where the pixels came from: returned to API clients as `input`, so it never holds patient identifiers. */
export interface InputSource {
  /** jpeg, png, dicom, nifti, or a runtime's extra format (webp, tiff, gif on Node). */
  format: string;
  transferSyntax?: string;
  frame?: number;
  frames?: number;
  plane?: Plane;
  slice?: number;
  slices?: number;
  /** The VOI window that mapped stored values to grey (DICOM and NIfTI). */
  window?: { center: number; width: number; source: 'dicom' | 'auto' | 'user' };
  /** A JPEG decoded at reduced size (DecodeOptions.reduceTo): the factor (2, 4 or 8) and the size in the file. */
  reduced?: { factor: number; width: number; height: number };
}

export interface DecodedInput {
  image: RawImage;
  source: InputSource;
}

export interface DecodeLimits {
  /** Refuse images with more pixels than this, from the header, before any pixel buffer exists. */
  maxPixels: number;
  /** Refuse images whose decoded samples would take more bytes than this (width x height x channels x bytes per sample). */
  maxDecodedBytes?: number;
}

/** What a request may choose about a multi-image file. */
export interface DecodeParams {
  frame?: number;
  plane?: Plane;
  slice?: number;
  window?: { center: number; width: number };
}

export interface DecodeOptions extends DecodeLimits {
  params?: DecodeParams;
  /**
   * A JPEG at least twice this size on both sides may be decoded at 1/2, 1/4 or 1/8 scale through libjpeg's scaled IDCT
   * (PIL's Image.draft, which training uses the same way): `reductionFor` picks the factor. The model needs a few hundred
   * pixels; a 6000-pixel photo then decodes to 750 pixels a side, in a sixty-fourth of the memory.
   */
  reduceTo?: number;
}

/**
 * PIL's draft rule: with k = min(floor(width / size), floor(height / size)), the largest of 8, 4, 2, 1 not over k. The
 * result is ceil(side / factor) a side, as libjpeg computes it.
 */
export function reductionFor(width: number, height: number, size: number | undefined): 1 | 2 | 4 | 8 {
  if (!size) return 1;
  const k = Math.min(Math.floor(width / size), Math.floor(height / size));
  return k >= 8 ? 8 : k >= 4 ? 4 : k >= 2 ? 2 : 1;
}

export interface FormatDecoder {
  /** The sniffed format this decoder reads (see decoders/sniff.ts). */
  readonly format: string;
  /** What is accepted, for error messages: e.g. "JPEG (baseline or progressive, 8-bit)". */
  readonly description: string;
  /** Throws ImageInputError for anything that is not decodable within the limits. */
  decode(bytes: Uint8Array, options: DecodeOptions): Promise<DecodedInput>;
  /** Loads what the first decode would (a WebAssembly instance), so the first request does not wait for it. */
  warmup?(): Promise<void>;
}

export interface InputDecoder {
  /** Formats in the order they were registered. */
  readonly formats: readonly string[];
  /** One sentence listing what this runtime accepts, for error messages and docs. */
  readonly accepted: string;
  decode(bytes: Uint8Array, options: DecodeOptions): Promise<DecodedInput>;
  warmup(): Promise<void>;
}
