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
