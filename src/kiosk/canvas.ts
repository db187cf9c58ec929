// Draws decoded scans and RGBA overlays onto canvases; the scan keeps its full resolution, CSS scales it.
import { bitDepthOf, type RawImage } from '../core/image.js';

/** RGBA bytes for display: 16-bit samples divided by 257 as in preprocessing, grey replicated, alpha ignored. */
export function toDisplayRgba(image: RawImage): Uint8ClampedArray {
  const { data, width, height, channels } = image;
  const k = bitDepthOf(image) === 16 ? 1 / 257 : 1;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, p = 0, o = 0; i < width * height; i++, p += channels, o += 4) {
    if (channels >= 3) {
      out[o] = data[p] * k;
      out[o + 1] = data[p + 1] * k;
      out[o + 2] = data[p + 2] * k;
    } else {
      out[o] = out[o + 1] = out[o + 2] = data[p] * k;
    }
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

