// The scan shown on screen: the display bytes are the pixels the model reads, for every grey and colour input kind.
import { describe, expect, it } from 'vitest';
import { greyPlane, type RawImage } from '../core/image.js';
import { toDisplayRgba } from './canvas.js';

/** What the screen must show: the core's grey plane (clamped and rounded as a canvas stores it), opaque. */
function expected(image: RawImage): Uint8ClampedArray {
  const grey = greyPlane(image);
  const out = new Uint8ClampedArray(grey.length * 4);
  grey.forEach((v, i) => out.set([v, v, v, 255], i * 4));
  return out;
}

describe('toDisplayRgba', () => {
  it('shows every 8-bit grey value as itself, opaque', () => {
    const image: RawImage = { data: Uint8Array.from({ length: 256 * 3 }, (_, i) => i % 256), width: 256, height: 3, channels: 1 };
    const rgba = toDisplayRgba(image);
    expect(rgba.length).toBe(256 * 3 * 4);
    expect([...rgba.subarray(0, 12)]).toEqual([0, 0, 0, 255, 1, 1, 1, 255, 2, 2, 2, 255]);
    expect(Buffer.from(rgba)).toEqual(Buffer.from(expected(image)));
  });

  it('shows 16-bit grey and grey with alpha through the same grey conversion', () => {
    const wide: RawImage = { data: Uint16Array.from({ length: 64 * 4 }, (_, i) => (i * 1031) % 65536), width: 64, height: 4, channels: 1 };
    expect(Buffer.from(toDisplayRgba(wide))).toEqual(Buffer.from(expected(wide)));
    const withAlpha: RawImage = { data: Uint8Array.from({ length: 8 * 2 }, (_, i) => (i * 37) % 256), width: 4, height: 2, channels: 2 };
    expect(Buffer.from(toDisplayRgba(withAlpha))).toEqual(Buffer.from(expected(withAlpha)));
  });

  it('shows colour as it is', () => {
    const rgb: RawImage = { data: Uint8Array.from([10, 20, 30, 200, 100, 0]), width: 2, height: 1, channels: 3 };
    expect([...toDisplayRgba(rgb)]).toEqual([10, 20, 30, 255, 200, 100, 0, 255]);
  });
});
