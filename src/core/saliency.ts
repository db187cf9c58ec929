// Renders a class-activation map as a turbo heatmap or an overlay on the scan (docs/contracts.md, "Saliency").
import { TURBO } from './colormap.js';
import { greyRow, type RawImage } from './image.js';

export type SaliencyView = 'overlay' | 'heatmap';
export const SALIENCY_VIEWS: readonly SaliencyView[] = ['overlay', 'heatmap'];
/** Overlay opacity at full heat: enough colour to read the map while the anatomy stays visible. */
export const OVERLAY_ALPHA = 0.45;
/** Alpha 255 in the top byte, written as the int32 it is (0xff000000 would be a double in V8). */
const OPAQUE = -16777216;

/** ReLU then divide by the maximum; an all-zero (or all-negative) map stays zero. */
export function normaliseCam(cam: ArrayLike<number>): Float32Array {
  const out = new Float32Array(cam.length);
  let max = 0;
  for (let i = 0; i < cam.length; i++) {
    const v = cam[i] > 0 ? cam[i] : 0;
    out[i] = v;
    if (v > max) max = v;
  }
  if (max > 0) for (let i = 0; i < out.length; i++) out[i] /= max;
  return out;
}

interface Axis {
  i0: Int32Array;
  i1: Int32Array;
  f: Float32Array;
}

/** Source indices and fractions for half-pixel-centre bilinear sampling (align_corners=false), clamped at edges. */
function axis(inSize: number, outSize: number): Axis {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const f = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const s = Math.min(inSize - 1, Math.max(0, (o + 0.5) * scale - 0.5));
    const lo = Math.floor(s);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inSize - 1);
    f[o] = s - lo;
  }
  return { i0, i1, f };
}

/** The map's rows widened to outW (bilinear, half-pixel centres): the small part of an upsample, kept for row-wise use. */
function widenRows(map: Float32Array, w: number, h: number, outW: number): Float32Array {
  const ax = axis(w, outW);
  const rows = new Float32Array(h * outW);
  for (let r = 0; r < h; r++) {
    const m = r * w;
    const o = r * outW;
    for (let x = 0; x < outW; x++) {
      const a = map[m + ax.i0[x]];
      rows[o + x] = a + (map[m + ax.i1[x]] - a) * ax.f[x];
    }
  }
  return rows;
}

/** Output row y of the bilinear upsample, from widenRows' rows, into `out`. */
function heatRow(rows: Float32Array, ay: Axis, y: number, outW: number, out: Float32Array): Float32Array {
  const r0 = ay.i0[y] * outW;
  const r1 = ay.i1[y] * outW;
  const fy = ay.f[y];
  for (let x = 0; x < outW; x++) {
    const top = rows[r0 + x];
    out[x] = top + (rows[r1 + x] - top) * fy;
  }
  return out;
}

/** Bilinear upsample (or downsample) of a map to outW x outH; separable, so each map row is widened once. */
export function upsampleBilinear(map: Float32Array, w: number, h: number, outW: number, outH: number): Float32Array {
  const rows = widenRows(map, w, h, outW);
  const ay = axis(h, outH);
  const out = new Float32Array(outW * outH);
  for (let y = 0; y < outH; y++) heatRow(rows, ay, y, outW, out.subarray(y * outW, (y + 1) * outW));
  return out;
}

/**
 * RGBA pixels at the image's size: `heatmap` is the colormap alone, `overlay` blends it over the scan with
 * alpha = OVERLAY_ALPHA * heat (heat in the colormap's 1/255 steps), so cold regions show the untouched anatomy.
 * Built a row at a time: besides the output, memory is a few rows, whatever the scan's size.
 */
export function renderSaliency(cam: ArrayLike<number>, camW: number, camH: number, image: RawImage, view: SaliencyView): Uint8ClampedArray {
  if (cam.length !== camW * camH) throw new RangeError(`cam has ${cam.length} values, expected ${camW}x${camH}`);
  const { width: W, height: H } = image;
  const rows = widenRows(normaliseCam(cam), camW, camH, W);
  const ay = axis(camH, H);
  const heat = new Float32Array(W);
  const out = new Uint8ClampedArray(W * H * 4);
  // One 32-bit store per pixel (RGBA in memory order on little-endian hosts, which every JS engine we target is).
  // Int32 (not Uint32) so the packed values stay small integers in V8 instead of boxed doubles.
  const px = new Int32Array(out.buffer);
  if (view === 'heatmap') {
    const packed = new Int32Array(256);
    for (let i = 0; i < 256; i++) packed[i] = TURBO[i * 3] | (TURBO[i * 3 + 1] << 8) | (TURBO[i * 3 + 2] << 16) | OPAQUE;
    for (let y = 0, o = 0; y < H; y++) {
      heatRow(rows, ay, y, W, heat);
      for (let x = 0; x < W; x++, o++) px[o] = packed[(heat[x] * 255 + 0.5) | 0];
    }
    return out;
  }
  const grey = new Float32Array(W);
  // Heat is quantised to the colormap's 256 steps and alpha with it, so the blend becomes table lookups:
  // out = g * (1 - a[k]) + T[k] * a[k] + 0.5, truncated (round half up; the result stays within 0..255).
  const keep = new Float32Array(256);
  const addR = new Float32Array(256);
  const addG = new Float32Array(256);
  const addB = new Float32Array(256);
  for (let k = 0; k < 256; k++) {
    const a = OVERLAY_ALPHA * (k / 255);
    keep[k] = 1 - a;
    addR[k] = TURBO[k * 3] * a + 0.5;
    addG[k] = TURBO[k * 3 + 1] * a + 0.5;
    addB[k] = TURBO[k * 3 + 2] * a + 0.5;
  }
  for (let y = 0, o = 0; y < H; y++) {
    heatRow(rows, ay, y, W, heat);
    greyRow(image, y, grey);
    for (let x = 0; x < W; x++, o++) {
      const k = (heat[x] * 255 + 0.5) | 0;
      const g = grey[x] * keep[k];
      px[o] = (g + addR[k]) | ((g + addG[k]) << 8) | ((g + addB[k]) << 16) | OPAQUE;
    }
  }
  return out;
}
