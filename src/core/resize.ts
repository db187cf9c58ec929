// The one resize definition (PIL BILINEAR with antialias, in float, no integer rounding) shared by training and every runtime.
import { horizontalDecimate16, resizeDecimate8 } from './resize-decimate.js';

/** Per-output-index taps: where each output sample starts in the input and its normalised weights. */
export interface ResizeTaps {
  start: Int32Array;
  count: Int32Array;
  /** count[i] weights for output i, packed at offset i * maxTaps. */
  weights: Float64Array;
  maxTaps: number;
}

const tapsCache = new Map<string, ResizeTaps>();

/** Weights for resizing `inSize` samples to `outSize` (see docs/contracts.md, "Preprocessing", step 3). Cached: sizes repeat. */
export function resizeTaps(inSize: number, outSize: number): ResizeTaps {
  const key = `${inSize}:${outSize}`;
  const hit = tapsCache.get(key);
  if (hit) return hit;
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filterscale;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * maxTaps);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(center - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(center + support + 0.5));
    let sum = 0;
    for (let k = lo; k < hi; k++) {
      const w = Math.max(0, 1 - Math.abs((k - center + 0.5) / filterscale));
      weights[i * maxTaps + (k - lo)] = w;
      sum += w;
    }
    if (sum !== 0) for (let k = 0; k < hi - lo; k++) weights[i * maxTaps + k] /= sum;
    start[i] = lo;
    count[i] = hi - lo;
  }
  const taps = { start, count, weights, maxTaps };
  if (tapsCache.size > 64) tapsCache.clear();
  tapsCache.set(key, taps);
  return taps;
}

// One copy of the horizontal pass per input type on purpose (8-bit, 16-bit, float rows): V8 optimises a loop for one
// array type, and these loops are most of preprocessing's time. One loop over 8- and 16-bit input measured slower for
// both, 512 -> 192 and 512 -> 64, in one process: 15 to 25 % reading Math.fround(v * k) with k = 1 or 1/257, and 20 to
// 45 % reading each sample through a value table (256 entries for 8-bit, horizontal16's for 16-bit).
//
// Both take four rows at a time: each output's sum still runs over its taps in the same order (bit-identical results),
// but one weight load serves four rows and four independent sums keep the adder busy, where one sum waits on its own
// previous add. With the vertical pass's four columns, 1.8 to 1.9x faster for 512 -> 192 and 512 -> 64.
function horizontal8(src: Uint8Array | Uint8ClampedArray, inW: number, inH: number, outW: number, t: ResizeTaps): Float32Array {
  const h = new Float32Array(outW * inH);
  const { start, count, weights, maxTaps } = t;
  let y = 0;
  for (; y + 3 < inH; y += 4) {
    const r0 = y * inW;
    const r1 = r0 + inW;
    const r2 = r1 + inW;
    const r3 = r2 + inW;
    const o0 = y * outW;
    for (let x = 0; x < outW; x++) {
      const s = start[x];
      const n = count[x];
      const wo = x * maxTaps;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let k = 0; k < n; k++) {
        const w = weights[wo + k];
        const i = s + k;
        a0 += src[r0 + i] * w;
        a1 += src[r1 + i] * w;
        a2 += src[r2 + i] * w;
        a3 += src[r3 + i] * w;
      }
      h[o0 + x] = a0;
      h[o0 + outW + x] = a1;
      h[o0 + 2 * outW + x] = a2;
      h[o0 + 3 * outW + x] = a3;
    }
  }
  for (; y < inH; y++) {
    const row = y * inW;
    for (let x = 0; x < outW; x++) {
      const s0 = row + start[x];
      const wo = x * maxTaps;
      let acc = 0;
      for (let k = 0; k < count[x]; k++) acc += src[s0 + k] * weights[wo + k];
      h[y * outW + x] = acc;
    }
  }
  return h;
}

/** Every 16-bit sample as greyRow reads it, v * (1 / 257) in float32: one load instead of a multiply and a rounding per tap. */
let sixteenBit: Float32Array | undefined;

/**
 * horizontal8 for 16-bit samples, each read as greyRow reads it (v * (1 / 257) as float32), so both paths give the
 * same numbers. The values come from a 256 KiB table made on first use: 10 to 15 % faster than computing each one.
 */
function horizontal16(src: Uint16Array, inW: number, inH: number, outW: number, t: ResizeTaps): Float32Array {
  const f = (sixteenBit ??= new Float32Array(65536).map((_, v) => v * (1 / 257)));
  const decimated = horizontalDecimate16(src, inW, inH, outW, t, f);
  if (decimated) return decimated;
  const h = new Float32Array(outW * inH);
  const { start, count, weights, maxTaps } = t;
  let y = 0;
  for (; y + 3 < inH; y += 4) {
    const r0 = y * inW;
    const r1 = r0 + inW;
    const r2 = r1 + inW;
    const r3 = r2 + inW;
    const o0 = y * outW;
    for (let x = 0; x < outW; x++) {
      const s = start[x];
      const n = count[x];
      const wo = x * maxTaps;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let k = 0; k < n; k++) {
        const w = weights[wo + k];
        const i = s + k;
        a0 += f[src[r0 + i]] * w;
        a1 += f[src[r1 + i]] * w;
        a2 += f[src[r2 + i]] * w;
        a3 += f[src[r3 + i]] * w;
      }
      h[o0 + x] = a0;
      h[o0 + outW + x] = a1;
      h[o0 + 2 * outW + x] = a2;
      h[o0 + 3 * outW + x] = a3;
    }
  }
  for (; y < inH; y++) {
    const row = y * inW;
    for (let x = 0; x < outW; x++) {
      const s0 = row + start[x];
      const wo = x * maxTaps;
      let acc = 0;
      for (let k = 0; k < count[x]; k++) acc += f[src[s0 + k]] * weights[wo + k];
      h[y * outW + x] = acc;
    }
  }
  return h;
}

/** The horizontal pass of one float row into `out` at `o` (see horizontal8 for why it is a copy). */
function horizontalRowF(src: Float32Array, outW: number, t: ResizeTaps, out: Float32Array, o: number): void {
  const { start, count, weights, maxTaps } = t;
  for (let x = 0; x < outW; x++) {
    const s0 = start[x];
    const n = count[x];
    const wo = x * maxTaps;
    if (n === 4) {
      out[o + x] = src[s0] * weights[wo] + src[s0 + 1] * weights[wo + 1] + src[s0 + 2] * weights[wo + 2] + src[s0 + 3] * weights[wo + 3];
    } else {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += src[s0 + k] * weights[wo + k];
      out[o + x] = acc;
    }
  }
}

function vertical(horizontal: Float32Array, outW: number, inH: number, outH: number): Float32Array {
  if (outH === inH) return horizontal;
  const t = resizeTaps(inH, outH);
  const out = new Float32Array(outW * outH);
  // Four columns at a time, for the reason the horizontal passes take four rows; each sum accumulates in a local (not
  // in the Float32 output), which avoids rounding and re-reading on every tap.
  for (let y = 0; y < outH; y++) {
    const n = t.count[y];
    const wo = y * t.maxTaps;
    const o = y * outW;
    const r0 = t.start[y] * outW;
    let x = 0;
    for (; x + 3 < outW; x += 4) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let k = 0, r = r0 + x; k < n; k++, r += outW) {
        const w = t.weights[wo + k];
        a0 += horizontal[r] * w;
        a1 += horizontal[r + 1] * w;
        a2 += horizontal[r + 2] * w;
        a3 += horizontal[r + 3] * w;
      }
      out[o + x] = a0;
      out[o + x + 1] = a1;
      out[o + x + 2] = a2;
      out[o + x + 3] = a3;
    }
    for (; x < outW; x++) {
      let acc = 0;
      for (let k = 0, r = r0 + x; k < n; k++, r += outW) acc += horizontal[r] * t.weights[wo + k];
      out[o + x] = acc;
    }
  }
  return out;
}

/**
 * Resizes an image given row by row (`rowOf` fills a float row of inW samples) to outW x outH, horizontal pass first.
 * Only one source row exists at a time, so a large colour or 16-bit scan never becomes a full-size float plane.
 */
export function resizeRows(inW: number, inH: number, outW: number, outH: number, rowOf: (y: number, row: Float32Array) => Float32Array): Float32Array {
  const row = new Float32Array(inW);
  const horizontal = new Float32Array(outW * inH);
  const t = outW !== inW ? resizeTaps(inW, outW) : undefined;
  for (let y = 0; y < inH; y++) {
    const filled = rowOf(y, row);
    if (t) horizontalRowF(filled, outW, t, horizontal, y * outW);
    else horizontal.set(filled.subarray(0, inW), y * inW);
  }
  return vertical(horizontal, outW, inH, outH);
}

/**
 * Resizes one plane (row-major; float, or 8- or 16-bit samples read directly, 16-bit as 0..255 like greyRow) to
 * outW x outH: horizontal pass first, then vertical, as PIL does.
 */
export function resizePlane(src: Float32Array | Uint8Array | Uint8ClampedArray | Uint16Array, inW: number, inH: number, outW: number, outH: number): Float32Array {
  if (src.length < inW * inH) throw new RangeError(`plane has ${src.length} samples, expected ${inW}x${inH}`);
  if (src instanceof Float32Array) return resizeRows(inW, inH, outW, outH, (y) => src.subarray(y * inW, (y + 1) * inW));
  let horizontal: Float32Array;
  if (src instanceof Uint16Array) {
    horizontal = outW !== inW ? horizontal16(src, inW, inH, outW, resizeTaps(inW, outW)) : new Float32Array(src.subarray(0, inW * inH)).map((v) => v * (1 / 257));
  } else {
    const exact = resizeDecimate8(src, inW, inH, outW, outH, resizeTaps(inW, outW), resizeTaps(inH, outH));
    if (exact) return exact;
    horizontal = outW !== inW ? horizontal8(src, inW, inH, outW, resizeTaps(inW, outW)) : new Float32Array(src.subarray(0, inW * inH));
  }
  return vertical(horizontal, outW, inH, outH);
}
