// Draws decoded scans and RGBA overlays onto canvases; the scan keeps its full resolution, CSS scales it.
import { bitDepthOf, greyPlane, type RawImage } from '../core/image.js';

/** RGBA bytes for display: grey scans through the core's grey conversion (what the model sees), colour as it is. */
export function toDisplayRgba(image: RawImage): Uint8ClampedArray {
  const { data, width, height, channels } = image;
  const n = width * height;
  const out = new Uint8ClampedArray(n * 4);
  if (channels < 3) {
    const grey = greyPlane(image);
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      out[o] = out[o + 1] = out[o + 2] = grey[i];
      out[o + 3] = 255;
    }
    return out;
  }
  const k = bitDepthOf(image) === 16 ? 1 / 257 : 1;
  for (let i = 0, p = 0, o = 0; i < n; i++, p += channels, o += 4) {
    out[o] = data[p] * k;
    out[o + 1] = data[p + 1] * k;
    out[o + 2] = data[p + 2] * k;
    out[o + 3] = 255;
  }
  return out;
}

export function drawRgba(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, width: number, height: number): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw on a canvas');
  ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
}

export function clearCanvas(canvas: HTMLCanvasElement): void {
  // Shrinking to 0x0 frees the pixels, so nothing of the last patient stays in memory longer than needed.
  canvas.width = 0;
  canvas.height = 0;
}

