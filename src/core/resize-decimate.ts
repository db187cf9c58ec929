// Decimation by 2, 4 or 8 (the gate's 512 -> 64) by the tent's shape instead of its weights, bit-identical to resize.ts.
import type { ResizeTaps } from './resize.js';

const factors = new WeakMap<ResizeTaps, number>();

/**
 * The factor f when `t` is PIL's tent for a decimation by f = 2, 4 or 8: every output away from the edges starts at
 * f * i - f / 2 and weighs its 2f samples (1, 3, ..., 2f - 1, 2f - 1, ..., 3, 1) / 2f². 0 when it is anything else.
 */
function tentFactor(t: ResizeTaps, inSize: number, outSize: number): number {
  const hit = factors.get(t);
  if (hit !== undefined) return hit;
  const f = inSize / outSize;
  let ok = (f === 2 || f === 4 || f === 8) && outSize >= 3;
  for (let i = 1; ok && i < outSize - 1; i++) {
    ok = t.start[i] === f * i - f / 2 && t.count[i] >= 2 * f;
    for (let k = 0; ok && k < t.count[i]; k++) {
      const n = k < f ? 2 * k + 1 : k < 2 * f ? 4 * f - 1 - 2 * k : 0;
      ok = t.weights[i * t.maxTaps + k] * (2 * f * f) === n;
    }
  }
  factors.set(t, ok ? f : 0);
  return ok ? f : 0;
}

/**
 * Resizes like resizePlane's float path, to the same float32 numbers, or returns undefined where this path does not
 * apply. The numbers are the same because with weights n / 2f² and 8-bit samples every product and partial sum of the
 * float path is exact in float64 (each horizontal value exact in float32), so its result is the exact sum rounded once
 * to float32, and integers give that sum in any order. That frees the order: the vertical pass runs first, on four
 * samples per 32-bit word, and both passes use the tent's shape instead of multiplying by its weights (see blockRows).
 * The gate's 512 -> 64 took 0.27 ms against the 8-bit float path's 0.62 (in one process). Edge outputs, whose clipped
 * taps are renormalised by other sums, are computed the float path's way.
 */
export function resizeDecimate8(
  src: Uint8Array | Uint8ClampedArray,
  inW: number,
  inH: number,
  outW: number,
  outH: number,
  tx: ResizeTaps,
  ty: ResizeTaps,
): Float32Array | undefined {
  if (inW % 4 !== 0 || src.byteOffset % 4 !== 0) return undefined;
  const fx = tentFactor(tx, inW, outW);
  const fy = tentFactor(ty, inH, outH);
  if (fx === 0 || fy === 0) return undefined;
  const words = new Uint32Array(src.buffer, src.byteOffset, (inW * inH) >> 2);
  const stride = inW >> 2;
  const out = new Float32Array(outW * outH);
  const scale = 1 / (2 * fx * fx * 2 * fy * fy);
  const rising = new Int32Array(2 * stride);
  const column = new Int32Array(inW);
  // Edge outputs: their clipped taps are renormalised by sums that are not powers of two, so they take the float path's
  // arithmetic, from the horizontal values of the outer output columns for every row.
  const left = edgeColumn(src, inW, inH, tx, 0);
  const right = edgeColumn(src, inW, inH, tx, outW - 1);
  for (const y of [0, outH - 1]) edgeRow(src, inW, outW, fx, tx, ty, y, left, right, column, out);
  // Block b holds rows fy * b - fy / 2 onwards: output row y takes the rising half of block y, the falling half of y + 1.
  for (let b = 1; b < outH; b++) {
    blockRows(words, stride, (fy * b - fy / 2) * stride, fy, rising, b > 1 ? column : undefined);
    if (b === 1) continue;
    const y = b - 1;
    const o = y * outW;
    out[o] = verticalAt(left, ty, y);
    out[o + outW - 1] = verticalAt(right, ty, y);
    blockColumns(column, fx, outW, out, o, scale);
  }
  return out;
}

/**
 * One block of f rows, two lanes of each 32-bit word at a time (bytes 0 and 2 in one register, 1 and 3 in another;
 * little-endian, as every target is). A block's tent halves need no multiplications: with A = Σ x_k and Q = Σ P_m, the
 * running sums of the running sums (= Σ (f - k) x_k), the rising half Σ (2k + 1) x_k is (2f + 1) A - 2Q and the falling
 * half Σ (2f - 1 - 2k) x_k is 2Q - A. Each row is read once, where the tent's overlap reads it twice. Every lane stays
 * in 0..(2f + 1) * 255 * f < 65536 for f <= 8, so lanes never carry into each other. Writes the previous block's rising
 * half plus this block's falling half into `column` (when given) and keeps this block's rising half in `rising`.
 * One word per step: two per step measured 2 to 4 % faster for 512 -> 64, not worth a second copy of the loop.
 */
function blockRows(words: Uint32Array, stride: number, r0: number, f: number, rising: Int32Array, column: Int32Array | undefined): void {
  const up = 2 * f + 1;
  for (let c = 0; c < stride; c++) {
    let ae = 0;
    let qe = 0;
    let ad = 0;
    let qd = 0;
    for (let k = 0, r = r0 + c; k < f; k++, r += stride) {
      const v = words[r];
      ae = (ae + (v & 0x00ff00ff)) | 0;
      qe = (qe + ae) | 0;
      ad = (ad + ((v >>> 8) & 0x00ff00ff)) | 0;
      qd = (qd + ad) | 0;
    }
    const i = 2 * c;
    if (column) unpack(column, 4 * c, (rising[i] + 2 * qe - ae) | 0, (rising[i + 1] + 2 * qd - ad) | 0);
    rising[i] = (up * ae - 2 * qe) | 0;
    rising[i + 1] = (up * ad - 2 * qd) | 0;
  }
}

function unpack(column: Int32Array, x: number, even: number, odd: number): void {
  column[x] = even & 0xffff;
  column[x + 1] = odd & 0xffff;
  column[x + 2] = even >>> 16;
  column[x + 3] = odd >>> 16;
}

/** The horizontal pass over one row of column sums, with blockRows' rising and falling halves, for outputs 1..outW-2. */
function blockColumns(column: Int32Array, f: number, outW: number, out: Float32Array, o: number, scale: number): void {
  const up = 2 * f + 1;
  let prev = 0;
  for (let b = 1, s = f / 2; b < outW; b++, s += f) {
    let a = 0;
    let q = 0;
    for (let k = 0; k < f; k++) {
      a += column[s + k];
      q += a;
    }
    if (b > 1) out[o + b - 1] = (prev + 2 * q - a) * scale;
    prev = up * a - 2 * q;
  }
}

/**
 * The horizontal pass of a decimation by 2, 4 or 8 over 16-bit samples read as `value[v]` (v / 257 in float32), or
 * undefined where it does not apply. Not integers here, but still exact: every sample is a float32 in 0..255 whose
 * last bit is at least 2^-32, so the float path's float64 sum of sample times weight (n / 2f²) is exact, and so are
 * blockRows' sums A and Q, which then give the same sum with one read and two additions per sample. Each value is
 * stored as float32 like the float path's; the vertical pass stays the float path's own, since those sums are not
 * always exact. A 16-bit 512 -> 64 took 0.45 ms against 0.83 (in one process).
 */
export function horizontalDecimate16(src: Uint16Array, inW: number, inH: number, outW: number, t: ResizeTaps, value: Float32Array): Float32Array | undefined {
  const f = tentFactor(t, inW, outW);
  if (f === 0) return undefined;
  const h = new Float32Array(outW * inH);
  const up = 2 * f + 1;
  const scale = 1 / (2 * f * f);
  for (let y = 0; y < inH; y++) {
    h[y * outW] = edgeSum16(src, y * inW, t, 0, value);
    h[y * outW + outW - 1] = edgeSum16(src, y * inW, t, outW - 1, value);
  }
  // Four rows at a time, for the reason resize.ts's horizontal passes take four: independent sums keep the adder busy.
  let y = 0;
  for (; y + 3 < inH; y += 4) {
    const o = y * outW;
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    let p3 = 0;
    for (let b = 1, s = y * inW + f / 2; b < outW; b++, s += f) {
      let a0 = 0;
      let q0 = 0;
      let a1 = 0;
      let q1 = 0;
      let a2 = 0;
      let q2 = 0;
      let a3 = 0;
      let q3 = 0;
      for (let k = 0, i = s; k < f; k++, i++) {
        a0 += value[src[i]];
        q0 += a0;
        a1 += value[src[i + inW]];
        q1 += a1;
        a2 += value[src[i + 2 * inW]];
        q2 += a2;
        a3 += value[src[i + 3 * inW]];
        q3 += a3;
      }
      if (b > 1) {
        h[o + b - 1] = (p0 + 2 * q0 - a0) * scale;
        h[o + outW + b - 1] = (p1 + 2 * q1 - a1) * scale;
        h[o + 2 * outW + b - 1] = (p2 + 2 * q2 - a2) * scale;
        h[o + 3 * outW + b - 1] = (p3 + 2 * q3 - a3) * scale;
      }
      p0 = up * a0 - 2 * q0;
      p1 = up * a1 - 2 * q1;
      p2 = up * a2 - 2 * q2;
      p3 = up * a3 - 2 * q3;
    }
  }
  for (; y < inH; y++) {
    let prev = 0;
    for (let b = 1, s = y * inW + f / 2; b < outW; b++, s += f) {
      let a = 0;
      let q = 0;
      for (let k = 0; k < f; k++) {
        a += value[src[s + k]];
        q += a;
      }
      if (b > 1) h[y * outW + b - 1] = (prev + 2 * q - a) * scale;
      prev = up * a - 2 * q;
    }
  }
  return h;
}

/** An edge output's horizontal sum over one row of 16-bit samples, in the float path's order. */
function edgeSum16(src: Uint16Array, row: number, t: ResizeTaps, x: number, value: Float32Array): number {
  const s = row + t.start[x];
  const wo = x * t.maxTaps;
  let acc = 0;
  for (let k = 0, n = t.count[x]; k < n; k++) acc += value[src[s + k]] * t.weights[wo + k];
  return acc;
}

/** The float path's horizontal value (float64 sum, stored as float32) of output column x, for every input row. */
function edgeColumn(src: Uint8Array | Uint8ClampedArray, inW: number, inH: number, tx: ResizeTaps, x: number): Float32Array {
  const h = new Float32Array(inH);
  const s = tx.start[x];
  const n = tx.count[x];
  const wo = x * tx.maxTaps;
  for (let r = 0; r < inH; r++) {
    let acc = 0;
    for (let k = 0, i = r * inW + s; k < n; k++, i++) acc += src[i] * tx.weights[wo + k];
    h[r] = acc;
  }
  return h;
}

/** The float path's vertical sum for output row y over one column of horizontal values, in its order. */
function verticalAt(h: Float32Array, ty: ResizeTaps, y: number): number {
  const s = ty.start[y];
  const wo = y * ty.maxTaps;
  let acc = 0;
  for (let k = 0, n = ty.count[y]; k < n; k++) acc += h[s + k] * ty.weights[wo + k];
  return acc;
}

/**
 * Output row y (the top or bottom one) the float path's way. Its rows' horizontal values away from the edges are exact
 * (integers over 2fx²), so blockColumns gives them; the outer two come from the edge columns.
 */
function edgeRow(
  src: Uint8Array | Uint8ClampedArray,
  inW: number,
  outW: number,
  fx: number,
  tx: ResizeTaps,
  ty: ResizeTaps,
  y: number,
  left: Float32Array,
  right: Float32Array,
  column: Int32Array,
  out: Float32Array,
): void {
  const h = new Float32Array(outW);
  const acc = new Float64Array(outW);
  const wo = y * ty.maxTaps;
  for (let k = 0, n = ty.count[y]; k < n; k++) {
    const r = ty.start[y] + k;
    column.set(src.subarray(r * inW, (r + 1) * inW));
    blockColumns(column, fx, outW, h, 0, 1 / (2 * fx * fx));
    h[0] = left[r];
    h[outW - 1] = right[r];
    const w = ty.weights[wo + k];
    for (let x = 0; x < outW; x++) acc[x] += h[x] * w;
  }
  out.set(acc, y * outW);
}
