// Turns a decoded image into the model's input tensor exactly as docs/contracts.md ("Preprocessing") defines it.
import { bitDepthOf, channelRow, greyRow, type RawImage } from './image.js';
import type { Manifest } from './manifest.js';
import { resizePlane, resizeRows } from './resize.js';

export interface InputTensor {
  data: Float32Array;
  dims: number[];
}

type Color = Manifest['preprocessing']['color'];

/**
 * Resized planes per image object and size. The classifier and the gate both start from the scan resized to the
 * classifier's size (the gate's `resize.via`), so a grey scan is resized once per request, not once per model. Keyed on
 * the image object: it goes with the image, and a RawImage is never changed after decoding.
 */
const resized = new WeakMap<RawImage, Map<string, Float32Array[]>>();

/**
 * Steps 1 to 3: grey or RGB planes (0..255 floats) at width x height. A one-channel image has one plane for either
 * colour rule (its luma is its value), returned once.
 */
export function resizedPlanes(image: RawImage, width: number, height: number, color: Color): Float32Array[] {
  const { width: w, height: h } = image;
  if (image.data.length < w * h * image.channels) throw new RangeError(`image data has ${image.data.length} samples, expected ${w * h * image.channels}`);
  const grey = image.channels === 1 ? image : greyInColour(image);
  const key = `${grey ? 'one' : color}:${width}x${height}`;
  let byKey = resized.get(image);
  const hit = byKey?.get(key);
  if (hit) return hit;
  let planes: Float32Array[];
  if (grey) {
    // Grey feeds the resize directly (steps 1 and 2 are the identity; 16-bit samples are read as greyRow reads them).
    planes = [resizePlane(bitDepthOf(grey) === 16 ? (grey.data as Uint16Array) : (grey.data as Uint8Array), w, h, width, height)];
  } else if (color === 'grayscale' || image.channels < 3) {
    planes = [resizeRows(w, h, width, height, (y, row) => (color === 'grayscale' ? greyRow(image, y, row) : channelRow(image, 0, y, row)))];
  } else {
    planes = [0, 1, 2].map((c) => resizeRows(w, h, width, height, (y, row) => channelRow(image, c, y, row)));
  }
  if (!byKey) resized.set(image, (byKey = new Map()));
  byKey.set(key, planes);
  return planes;
}

/**
 * A colour image whose red, green and blue are equal everywhere (a grey scan saved as RGB, as many PACS exports are),
 * as one channel; otherwise undefined. Its luma is then exactly that value (0.299 + 0.587 + 0.114 = 1, and the float32
 * rounding of greyRow lands on the integer), so grey and RGB models can share one resized plane.
 */
function greyInColour(image: RawImage): RawImage | undefined {
  const { data, width, height, channels } = image;
  if (channels < 3) return undefined;
  const n = width * height;
  for (let i = 0, p = 0; i < n; i++, p += channels) if (data[p] !== data[p + 1] || data[p] !== data[p + 2]) return undefined;
  const one = data instanceof Uint16Array ? new Uint16Array(n) : new Uint8Array(n);
  for (let i = 0, p = 0; i < n; i++, p += channels) one[i] = data[p];
  return { data: one, width, height, channels: 1, bitDepth: bitDepthOf(image) };
}

/** The planes a manifest's model takes: resized (through `resize.via` first when the manifest says so), one per channel. */
export function modelPlanes(image: RawImage, manifest: Manifest): Float32Array[] {
  const p = manifest.preprocessing;
  const { width: W, height: H, via } = p.resize;
  let planes = via ? resizedPlanes(image, via.width, via.height, p.color).map((plane) => resizePlane(plane, via.width, via.height, W, H)) : resizedPlanes(image, W, H, p.color);
  if (planes.length === 1 && p.color === 'rgb') planes = [planes[0], planes[0], planes[0]];
  if (planes.length !== manifest.input.channels) {
    throw new Error(`manifest preprocessing.color "${p.color}" gives ${planes.length} channel(s) but input.channels is ${manifest.input.channels}`);
  }
  return planes;
}

/** The full pipeline: grey or RGB (steps 1, 2), resize (3), scale/mean/std (4), layout (5). Returns a batch of one. */
export function preprocess(image: RawImage, manifest: Manifest): InputTensor {
  const p = manifest.preprocessing;
  const { width: W, height: H } = p.resize;
  const planes = modelPlanes(image, manifest);
  const C = planes.length;
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
