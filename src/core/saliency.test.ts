// Colormap, map normalisation, upsampling, overlay blending and the PNG round trip.
import { describe, expect, it } from 'vitest';
import { TURBO, turbo } from './colormap.js';
import { decodePngPixels, encodePng, pngDataUrl, rgbOf } from './png.js';
import { normaliseCam, OVERLAY_ALPHA, renderSaliency, upsampleBilinear } from './saliency.js';

describe('turbo colormap', () => {
  it('runs dark blue -> green -> dark red like the reference table', () => {
    // Reference Turbo: 0 -> (48,18,59), 0.5 -> (164,252,60)-ish green, 1 -> (122,4,3).
    const [r0, g0, b0] = turbo(0);
    expect(Math.abs(r0 - 48) + Math.abs(g0 - 18) + Math.abs(b0 - 59)).toBeLessThan(12);
    const [, gm] = turbo(0.5);
    expect(gm).toBeGreaterThan(200);
    const [r1, g1, b1] = turbo(1);
    expect(r1).toBeGreaterThan(100);
    expect(g1 + b1).toBeLessThan(30);
    expect(TURBO.length).toBe(768);
  });
});

describe('saliency maps', () => {
  it('ReLUs and divides by the max; an all-negative map stays zero', () => {
    expect([...normaliseCam([-1, 0, 2, 4])]).toEqual([0, 0, 0.5, 1]);
    expect([...normaliseCam([-3, -1])]).toEqual([0, 0]);
  });

  it('upsamples with half-pixel centres and clamps at the edges', () => {
    const up = upsampleBilinear(Float32Array.from([0, 1]), 2, 1, 4, 1);
    expect([...up]).toEqual([0, 0.25, 0.75, 1]);
  });

  it('overlay keeps cold pixels as the grey scan and tints hot ones by 0.45', () => {
    const image = { data: new Uint8Array(4).fill(100), width: 2, height: 2, channels: 1 as const };
    const rgba = renderSaliency([0, 0, 0, 1], 2, 2, image, 'overlay');
    expect([...rgba.subarray(0, 4)]).toEqual([100, 100, 100, 255]);
    const [r, g, b] = turbo(1);
    expect([...rgba.subarray(12, 16)]).toEqual([
      Math.round(100 + (r - 100) * OVERLAY_ALPHA),
      Math.round(100 + (g - 100) * OVERLAY_ALPHA),
      Math.round(100 + (b - 100) * OVERLAY_ALPHA),
      255,
    ]);
    const heat = renderSaliency([0, 0, 0, 1], 2, 2, image, 'heatmap');
    expect([...heat.subarray(12, 16)]).toEqual([r, g, b, 255]);
    expect([...heat.subarray(0, 3)]).toEqual(turbo(0));
  });
});

describe('PNG', () => {
  it('round-trips RGB pixels exactly (alpha dropped: saliency images are opaque)', () => {
    const rgba = new Uint8ClampedArray(5 * 3 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) & 255));
    const png = encodePng(rgba, 5, 3);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const back = decodePngPixels(png);
    expect([back.width, back.height, back.channels, back.depth]).toEqual([5, 3, 3, 8]);
    expect([...back.data]).toEqual([...rgbOf(rgba, 4)]);
    expect(pngDataUrl(png)).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
  });
});
