// Draws decoded scans and RGBA overlays onto canvases; the scan keeps its full resolution, CSS scales it.
import { bitDepthOf, greyPlane, type RawImage } from '../core/image.js';

/** RGBA bytes for display: grey scans through the core's grey conversion (what the model sees), colour as it is. */
export function toDisplayRgba(image: RawImage): Uint8ClampedArray {
  const { data, width, height, channels } = image;
  const n = width * height;
  const out = new Uint8ClampedArray(n * 4);
  if (channels === 1 && bitDepthOf(image) === 8) {
    // The common case, a pixel per 32-bit word: an 8-bit grey sample is its own display value (what greyPlane gives
    // too). Little-endian words (every browser platform) put red in the low byte.
    const words = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) words[i] = 0xff000000 | (data[i] * 0x010101);
    return out;
  }
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
  // ImageData takes the array as it is when it is exactly the canvas's pixels and not shared memory; putImageData
  // copies them into the canvas either way.
  const own = rgba.length === width * height * 4 && !(typeof SharedArrayBuffer !== 'undefined' && rgba.buffer instanceof SharedArrayBuffer);
  ctx.putImageData(new ImageData(own ? (rgba as Uint8ClampedArray<ArrayBuffer>) : new Uint8ClampedArray(rgba), width, height), 0, 0);
}

export function clearCanvas(canvas: HTMLCanvasElement): void {
  // Shrinking to 0x0 frees the pixels, so nothing of the last patient stays in memory longer than needed.
  canvas.width = 0;
  canvas.height = 0;
}

