// Turns a decoded image into the model's input tensor exactly as docs/contracts.md ("Preprocessing") defines it.
import { bitDepthOf, greyPlane, type RawImage } from './image.js';
import type { Manifest } from './manifest.js';
import { resizePlane } from './resize.js';

export interface InputTensor {
  data: Float32Array;
  dims: number[];
}

/** Channel planes at the source size in 0..255 float: 1 plane for grayscale, 3 for rgb (steps 1 and 2). */
export function toPlanes(image: RawImage, color: 'grayscale' | 'rgb'): Float32Array[] {
  if (color === 'grayscale' || image.channels < 3) {
    const g = greyPlane(image);
    return color === 'grayscale' ? [g] : [g, g, g];
  }
  const { data, width, height, channels } = image;
  const n = width * height;
  if (data.length < n * channels) throw new RangeError(`image data has ${data.length} samples, expected ${n * channels}`);
  const k = bitDepthOf(image) === 16 ? 1 / 257 : 1;
  const planes = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    planes[0][i] = data[p] * k;
    planes[1][i] = data[p + 1] * k;
    planes[2][i] = data[p + 2] * k;
  }
  return planes;
}

/** The full pipeline: planes, resize, scale/mean/std, layout. Returns a batch of one. */
export function preprocess(image: RawImage, manifest: Manifest): InputTensor {
  const p = manifest.preprocessing;
  const { width: W, height: H } = p.resize;
  // 8-bit grey feeds the resize directly: no float copy of the full-size image.
  const direct = p.color === 'grayscale' && image.channels === 1 && bitDepthOf(image) === 8;
  const sources: (Float32Array | Uint8Array | Uint8ClampedArray)[] = direct ? [image.data as Uint8Array] : toPlanes(image, p.color);
  const planes = sources.map((plane) => resizePlane(plane, image.width, image.height, W, H));
  const C = planes.length;
  if (C !== manifest.input.channels) {
    throw new Error(`manifest preprocessing.color "${p.color}" gives ${C} channel(s) but input.channels is ${manifest.input.channels}`);
  }
  const data = new Float32Array(C * H * W);
  const nchw = manifest.input.layout === 'NCHW';
  for (let c = 0; c < C; c++) {
    const mean = p.mean[c] ?? p.mean[0];
    const std = p.std[c] ?? p.std[0];
    const a = p.scale / std;
    const b = mean / std;
    const plane = planes[c];
    if (nchw) {
      const off = c * H * W;
      for (let i = 0; i < H * W; i++) data[off + i] = plane[i] * a - b;
    } else {
      for (let i = 0; i < H * W; i++) data[i * C + c] = plane[i] * a - b;
    }
  }
  return { data, dims: nchw ? [1, C, H, W] : [1, H, W, C] };
}
