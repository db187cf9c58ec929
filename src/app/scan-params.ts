// What a request may choose about the scan it sends (frame, plane, slice, window), as the decoders take it.
import type { DecodeParams, Plane } from '../core/decoder.js';
import { ImageInputError } from '../core/errors.js';

/** The decoded-pixel limit every entry point applies by default (MAX_MEGAPIXELS). */
export const DEFAULT_MAX_PIXELS = 40_000_000;

export type ScanParams = { frame?: number; plane?: Plane; slice?: number; window?: string };

/** The query's scan choices as the decoders take them (`window=600,1200` -> { center: 600, width: 1200 }). */
export function decodeParams(q: ScanParams): DecodeParams | undefined {
  const params: DecodeParams = {};
  if (q.frame !== undefined) params.frame = q.frame;
  if (q.plane !== undefined) params.plane = q.plane;
  if (q.slice !== undefined) params.slice = q.slice;
  if (q.window !== undefined) {
    const [center, width] = q.window.split(',').map(Number);
    if (!(width > 0)) throw new ImageInputError('invalid_parameter', 'query parameter "window": the width must be over 0 ("center,width", e.g. 600,1200)');
    params.window = { center, width };
  }
  return Object.keys(params).length ? params : undefined;
}

