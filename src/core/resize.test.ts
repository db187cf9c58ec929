// Resize, normalisation and layout against hand-computed values on tiny literal images.
import { describe, expect, it } from 'vitest';
import type { Manifest } from './manifest.js';
import { bitDepthOf, greyPlane, greyWhenEqual, type RawImage } from './image.js';
import { preprocess } from './preprocess.js';
import { resizePlane, resizeRows, resizeTaps } from './resize.js';

describe('resizePlane (PIL bilinear, antialiased, float)', () => {
  it('halves 4 -> 2 with tent weights [1/8, 3/8, 3/8, 1/8]', () => {
    // scale 2, support 2: output 0 has centre 1.0, taps k=0..2 with weights tri((k - 0.5) / 2) = 0.75, 0.75, 0.25.
    const t = resizeTaps(4, 2);
    expect(t.start[0]).toBe(0);
    expect(t.count[0]).toBe(3);
    expect([...t.weights.subarray(0, 3)].map((w) => +w.toFixed(6))).toEqual([0.428571, 0.428571, 0.142857]);
    const out = resizePlane(Float32Array.from([0, 70, 140, 210]), 4, 1, 2, 1);
    expect(out[0]).toBeCloseTo(0 * 0.428571 + 70 * 0.428571 + 140 * 0.142857, 3);
  });

  it('keeps a constant image constant, in both directions', () => {
    const src = new Float32Array(7 * 5).fill(123.5);
    for (const [w, h] of [[3, 2], [14, 11], [7, 5], [1, 1]]) {
      const out = resizePlane(src, 7, 5, w, h);
      expect(out.length).toBe(w * h);
      for (const v of out) expect(v).toBeCloseTo(123.5, 4);
    }
  });

  it('upsamples 2 -> 4 like PIL (edge samples clamp, inner ones interpolate)', () => {
    const out = resizePlane(Float32Array.from([0, 100]), 2, 1, 4, 1);
    expect([...out].map((v) => +v.toFixed(3))).toEqual([0, 25, 75, 100]);
  });

  it('reads 16-bit samples directly to the same float32 numbers as resizing their grey plane (v / 257)', () => {
    let seed = 3;
    const data = new Uint16Array(61 * 47).map(() => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 65536);
    const image = { data, width: 61, height: 47, channels: 1 as const };
    for (const [w, h] of [[20, 16], [61, 47], [61, 20], [90, 70], [8, 8]]) {
      expect(Buffer.from(resizePlane(data, 61, 47, w, h).buffer)).toEqual(Buffer.from(resizePlane(greyPlane(image), 61, 47, w, h).buffer));
    }
  });

  it('gives 8-bit samples, taken four rows at a time, the same float32 numbers as their float plane taken row by row', () => {
    let seed = 5;
    const data = new Uint8Array(517 * 263).map(() => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256);
    for (const [w, h] of [[192, 192], [64, 64], [192, 98], [517, 131], [600, 400], [3, 5]]) {
      const blocked = resizePlane(data, 517, 263, w, h);
      const byRow = resizePlane(Float32Array.from(data), 517, 263, w, h);
      // A count, not a byte comparison: a failing diff of 240,000 floats takes minutes to print.
      expect({ size: `${w}x${h}`, differing: blocked.filter((v, i) => !Object.is(v, byRow[i])).length }).toEqual({ size: `${w}x${h}`, differing: 0 });
    }
  });

  it('gives decimations of 8-bit planes by 2, 4 and 8, taken in integers, the same float32 numbers as the float path', () => {
    let seed = 11;
    const data = new Uint8Array(1024 * 1024 + 4).map(() => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256);
    const cases: [number, number, number, number, number][] = [
      // [offset, inW, inH, outW, outH]: the gate's 512 -> 64; factors 4 and 2, mixed; an odd number of words per row;
      // the smallest plane it takes (3 outputs); then planes it leaves to the float path (16x, unaligned, a single pixel).
      [0, 512, 512, 64, 64],
      [0, 256, 256, 64, 64],
      [0, 128, 96, 64, 48],
      [0, 512, 256, 64, 64],
      [0, 256, 512, 128, 64],
      [0, 252, 504, 63, 63],
      [0, 24, 24, 3, 3],
      [0, 1024, 512, 64, 64],
      [1, 512, 512, 64, 64],
      [0, 8, 8, 1, 1],
    ];
    for (const [offset, inW, inH, outW, outH] of cases) {
      const plane = data.subarray(offset, offset + inW * inH);
      const exact = resizePlane(plane, inW, inH, outW, outH);
      const float = resizePlane(Float32Array.from(plane), inW, inH, outW, outH);
      const size = `${offset}:${inW}x${inH}->${outW}x${outH}`;
      expect({ size, differing: exact.filter((v, i) => !Object.is(v, float[i])).length }).toEqual({ size, differing: 0 });
    }
    // Extremes: all 255 (the largest lane sums) and a checkerboard of 0 and 255.
    for (const fill of [(_i: number) => 255, (i: number) => (((i >> 9) + i) & 1) * 255]) {
      const plane = new Uint8Array(512 * 512).map((_, i) => fill(i));
      const exact = resizePlane(plane, 512, 512, 64, 64);
      const float = resizePlane(Float32Array.from(plane), 512, 512, 64, 64);
      expect(exact.filter((v, i) => !Object.is(v, float[i])).length).toBe(0);
    }
  });

  it('gives 16-bit planes decimated by 2, 4 and 8 (tent sums, not weights) the same float32 numbers as the float path', () => {
    let seed = 13;
    const random = new Uint16Array(512 * 512).map(() => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 65536);
    // Dark with isolated 1s beside the brightest value: the widest spread of exponents the exact sums must hold.
    const sparse = new Uint16Array(512 * 512).map((_, i) => (i % 7 === 0 ? 1 : i % 11 === 0 ? 65535 : 0));
    for (const data of [random, sparse]) {
      for (const [inW, inH, outW, outH] of [[512, 512, 64, 64], [256, 256, 64, 64], [128, 64, 64, 32], [512, 256, 64, 192], [24, 7, 3, 7], [64, 30, 8, 10]]) {
        const image = { data: data.subarray(0, inW * inH), width: inW, height: inH, channels: 1 as const };
        const direct = resizePlane(image.data, inW, inH, outW, outH);
        const float = resizePlane(greyPlane(image), inW, inH, outW, outH);
        const size = `${inW}x${inH}->${outW}x${outH}`;
        expect({ size, differing: direct.filter((v, i) => !Object.is(v, float[i])).length }).toEqual({ size, differing: 0 });
      }
    }
  });

  it('does the horizontal pass first: a vertical ramp is untouched by a width-only resize', () => {
    const src = Float32Array.from([10, 10, 10, 10, 50, 50, 50, 50]);
    expect([...resizePlane(src, 4, 2, 2, 2)]).toEqual([10, 10, 50, 50]);
  });
});

const manifest = (over: Partial<Manifest['input']> = {}, color: 'grayscale' | 'rgb' = 'grayscale'): Manifest =>
  ({
    input: { name: 'image', shape: [null, 1, 2, 2], layout: 'NCHW', dtype: 'float32', channels: color === 'rgb' ? 3 : 1, ...over },
    preprocessing: { resize: { width: 2, height: 2, filter: 'bilinear-antialias' }, color, scale: 1 / 255, mean: [0.5, 0.25, 0], std: [0.5, 0.25, 1] },
  }) as unknown as Manifest;

describe('preprocess', () => {
  it('converts RGB to Rec.601 luma in float and ignores alpha', () => {
    const g = greyPlane({ data: Uint8Array.from([255, 0, 0, 9, 0, 255, 0, 9, 0, 0, 255, 9, 10, 20, 30, 9]), width: 2, height: 2, channels: 4 });
    expect([...g].map((v) => +v.toFixed(4))).toEqual([76.245, 149.685, 29.07, 0.299 * 10 + 0.587 * 20 + 0.114 * 30].map((v) => +v.toFixed(4)));
  });

  it('keeps 16-bit depth: divides by 257 without rounding', () => {
    const g = greyPlane({ data: Uint16Array.from([65535, 257, 1000, 0]), width: 2, height: 2, channels: 1 });
    expect(g[0]).toBe(255);
    expect(g[1]).toBe(1);
    expect(g[2]).toBeCloseTo(1000 / 257, 5);
  });

  it('applies scale, mean and std: x = (v * scale - mean) / std', () => {
    const t = preprocess({ data: Uint8Array.from([0, 255, 51, 204]), width: 2, height: 2, channels: 1 }, manifest());
    expect(t.dims).toEqual([1, 1, 2, 2]);
    expect([...t.data].map((v) => +v.toFixed(5))).toEqual([-1, 1, -0.6, 0.6]);
  });

  it('lays out rgb as NCHW planes or NHWC interleaved', () => {
    const image = { data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]), width: 2, height: 2, channels: 3 as const };
    const nchw = preprocess(image, manifest({ shape: [null, 3, 2, 2] }, 'rgb'));
    expect(nchw.dims).toEqual([1, 3, 2, 2]);
    // channel 0 (R): mean 0.5 std 0.5 -> 255 -> 1, 0 -> -1
    expect([...nchw.data.subarray(0, 4)].map((v) => +v.toFixed(4))).toEqual([1, -1, -1, 1]);
    const nhwc = preprocess(image, manifest({ shape: [null, 2, 2, 3], layout: 'NHWC' }, 'rgb'));
    expect(nhwc.dims).toEqual([1, 2, 2, 3]);
    for (let c = 0; c < 3; c++) for (let i = 0; i < 4; i++) expect(nhwc.data[i * 3 + c]).toBeCloseTo(nchw.data[c * 4 + i], 6);
  });

  it('replicates grey into three channels for an rgb model', () => {
    const t = preprocess({ data: Uint8Array.from([255, 255, 255, 255]), width: 2, height: 2, channels: 1 }, manifest({ shape: [null, 3, 2, 2] }, 'rgb'));
    expect([...t.data].map((v) => +v.toFixed(4))).toEqual([1, 1, 1, 1, 3, 3, 3, 3, 1, 1, 1, 1]);
  });

  const sized = (width: number, height: number, color: 'grayscale' | 'rgb'): Manifest =>
    ({
      input: { name: 'image', shape: [null, color === 'rgb' ? 3 : 1, height, width], layout: 'NCHW', dtype: 'float32', channels: color === 'rgb' ? 3 : 1 },
      preprocessing: { resize: { width, height, filter: 'bilinear-antialias' }, color, scale: 1 / 255, mean: [0.2], std: [0.25] },
    }) as unknown as Manifest;
  let seed = 11;
  const noise = (n: number): Uint8Array => new Uint8Array(n).map(() => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256);

  it('greyWhenEqual reads a grey scan saved as RGB as grey, and both give the same tensor bit for bit, for grey and RGB models', () => {
    const grey = { data: noise(90 * 70), width: 90, height: 70, channels: 1 as const };
    const rgba = { ...grey, data: new Uint8Array(90 * 70 * 4).map((_, i) => (i % 4 === 3 ? 255 : grey.data[i >> 2])), channels: 4 as const };
    expect(greyWhenEqual(rgba)).toEqual({ ...grey, bitDepth: 8 });
    const colour = { ...rgba, data: rgba.data.map((v, i) => (i === 4 * 100 + 1 ? v ^ 1 : v)) };
    expect(greyWhenEqual(colour)).toBe(colour);
    const deep = { data: new Uint16Array(3 * 4).map((_, i) => [0, 65535, 1000, 257][Math.floor(i / 3)]), width: 2, height: 2, channels: 3 as const };
    expect(greyWhenEqual(deep)).toEqual({ data: Uint16Array.from([0, 65535, 1000, 257]), width: 2, height: 2, channels: 1, bitDepth: 16 });
    for (const m of [sized(24, 24, 'grayscale'), sized(16, 16, 'rgb')]) {
      expect(Buffer.from(preprocess(rgba, m).data.buffer)).toEqual(Buffer.from(preprocess(grey, m).data.buffer));
    }
  });

  it('resizes each colour channel to the same float32 numbers as its float rows would give: 8- and 16-bit; RGB, RGBA, grey+alpha', () => {
    // The reference is the definition (docs/contracts.md): channel c's samples as floats, 16-bit ones as v / 257 in
    // float32 like greyRow's, a grey image's grey for every channel, resized row by row.
    const channelRow = (image: RawImage, c: number, y: number, out: Float32Array): Float32Array => {
      const { data, width, channels } = image;
      const k = bitDepthOf(image) === 16 ? 1 / 257 : 1;
      const offset = channels >= 3 ? c : 0;
      for (let x = 0, p = y * width * channels + offset; x < width; x++, p += channels) out[x] = data[p] * k;
      return out;
    };
    const rows = (image: RawImage, c: number, W: number, H: number): Float32Array =>
      resizeRows(image.width, image.height, W, H, (y, row) => channelRow(image, c, y, row));
    const images: RawImage[] = [
      { data: noise(512 * 512 * 3), width: 512, height: 512, channels: 3 },
      { data: noise(97 * 61 * 4), width: 97, height: 61, channels: 4 },
      { data: noise(80 * 64 * 2), width: 80, height: 64, channels: 2 },
      { data: new Uint16Array(128 * 96 * 3).map(() => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 65536), width: 128, height: 96, channels: 3, bitDepth: 16 },
    ];
    for (const image of images) {
      for (const [W, H] of [[64, 64], [24, 16], [image.width, image.height], [130, 70]]) {
        const m = sized(W, H, 'rgb');
        m.preprocessing.mean = [0];
        m.preprocessing.std = [1];
        m.preprocessing.scale = 1;
        const t = preprocess(image, m);
        for (let c = 0; c < 3; c++) {
          // Grey plus alpha gives its grey to all three.
          const reference = rows(image, image.channels >= 3 ? c : 0, W, H);
          const same = Buffer.from(t.data.slice(c * W * H, (c + 1) * W * H).buffer).equals(Buffer.from(reference.buffer));
          expect(same, `${image.width}x${image.height}x${image.channels} -> ${W}x${H}, channel ${c}`).toBe(true);
        }
      }
    }
  });

  it('the luma of equal channels is the value itself in float32, for every 8- and 16-bit value', () => {
    const v8 = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect([...greyPlane({ data: new Uint8Array(768).map((_, i) => v8[Math.floor(i / 3)]), width: 256, height: 1, channels: 3 })]).toEqual([...v8]);
    const v16 = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const rgb16 = greyPlane({ data: new Uint16Array(65536 * 3).map((_, i) => Math.floor(i / 3)), width: 65536, height: 1, channels: 3 });
    expect(Buffer.from(rgb16.buffer).equals(Buffer.from(greyPlane({ data: v16, width: 65536, height: 1, channels: 1 }).buffer))).toBe(true);
  });
});
