// Turns a decoded image into the model's input tensor exactly as docs/contracts.md ("Preprocessing") defines it.
import { bitDepthOf, channelRow, greyRow, type RawImage } from './image.js';
import type { Manifest } from './manifest.js';
import { resizePlane, resizeRows } from './resize.js';

export interface InputTensor {
  data: Float32Array;
  dims: number[];
}

/** The full pipeline: grey or RGB (steps 1, 2), resize (3), scale/mean/std (4), layout (5). Returns a batch of one. */
export function preprocess(image: RawImage, manifest: Manifest): InputTensor {
  const p = manifest.preprocessing;
  const { width: W, height: H } = p.resize;
  const { width: w, height: h } = image;
  if (image.data.length < w * h * image.channels) throw new RangeError(`image data has ${image.data.length} samples, expected ${w * h * image.channels}`);
  let planes: Float32Array[];
  if (p.color === 'rgb' && image.channels >= 3) {
    planes = [0, 1, 2].map((c) => resizeRows(w, h, W, H, (y, row) => channelRow(image, c, y, row)));
  } else {
    // One plane: grey feeds the resize directly (steps 1 and 2 are the identity; 16-bit samples are read as greyRow
    // reads them); anything else through its luma (grayscale) or its first channel (grey+alpha for an RGB model).
    const grey =
      image.channels === 1
        ? resizePlane(bitDepthOf(image) === 16 ? (image.data as Uint16Array) : (image.data as Uint8Array), w, h, W, H)
        : resizeRows(w, h, W, H, (y, row) => (p.color === 'grayscale' ? greyRow(image, y, row) : channelRow(image, 0, y, row)));
    planes = p.color === 'grayscale' ? [grey] : [grey, grey, grey];
  }
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
    if (nchw && c > 0 && plane === planes[0] && mean === p.mean[0] && std === p.std[0]) {
      // Grey fed to an RGB model (the gate): the same plane under the same normalisation, so copy channel 0.
      data.copyWithin(c * H * W, 0, H * W);
    } else if (nchw) {
      const off = c * H * W;
      for (let i = 0; i < H * W; i++) data[off + i] = plane[i] * a - b;
    } else {
      for (let i = 0; i < H * W; i++) data[i * C + c] = plane[i] * a - b;
    }
  }
  return { data, dims: nchw ? [1, C, H, W] : [1, H, W, C] };
}
