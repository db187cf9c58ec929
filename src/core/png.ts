// PNG encoding for saliency images: a minimal RGB writer over fflate's deflate, runnable in Node, Workers and browsers.
import { decode } from 'fast-png';
import { zlibSync } from 'fflate';
import { concatBytes } from './bytes.js';

// Written here rather than with fast-png's encoder: for a 512x512 overlay fast-png took ~64 ms, this (RGB, "Sub" filter,
// deflate level 1) ~20 ms with half the output size; the container itself is four fixed chunks.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** Encodes opaque 8-bit RGBA pixels as an RGB PNG (alpha is dropped: saliency images are always opaque). */
export function encodePng(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Uint8Array {
  if (rgba.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} RGBA bytes, got ${rgba.length}`);
  const stride = width * 3;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    let o = y * (stride + 1);
    raw[o++] = 1; // filter "Sub": neighbouring pixels are similar, which deflate rewards
    let p = y * width * 4;
    let r = 0;
    let g = 0;
    let b = 0;
    for (let x = 0; x < width; x++, p += 4) {
      raw[o++] = rgba[p] - r;
      raw[o++] = rgba[p + 1] - g;
      raw[o++] = rgba[p + 2] - b;
      r = rgba[p];
      g = rgba[p + 1];
      b = rgba[p + 2];
    }
  }
  return pngContainer(width, height, 8, 2, zlibSync(raw, { level: 1 })); // colour type 2 = RGB
}

/** Wraps already-deflated scanlines in the PNG signature, IHDR, IDAT and IEND (no interlace). */
export function pngContainer(width: number, height: number, depth: number, colourType: number, idat: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([depth, colourType, 0, 0, 0], 8);
  return concatBytes([Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

/** Decodes a PNG to its pixels (tests and round trips). */
export function decodePngPixels(bytes: Uint8Array): { width: number; height: number; channels: number; depth: number; data: Uint8Array | Uint16Array } {
  const png = decode(bytes);
  return { width: png.width, height: png.height, channels: png.channels, depth: png.depth, data: png.data as Uint8Array | Uint16Array };
}

/** `data:image/png;base64,...` without Node's Buffer. */
export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${base64(png)}`;
}

const B64 = new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const ascii = new TextDecoder();

/**
 * Base64 through a byte table and one ASCII decode: an overlay PNG is about 0.5 to 0.8 MB, which btoa over a binary
 * string turned into 66 ms of a 20 ms request (Buffer, 1 ms, is Node-only; Uint8Array.toBase64 is not in Node 20).
 */
export function base64(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = B64[v >> 18];
    out[o++] = B64[(v >> 12) & 63];
    out[o++] = B64[(v >> 6) & 63];
    out[o++] = B64[v & 63];
  }
  if (i < n) {
    const v = (bytes[i] << 16) | (i + 1 < n ? bytes[i + 1] << 8 : 0);
    out[o++] = B64[v >> 18];
    out[o++] = B64[(v >> 12) & 63];
    out[o++] = i + 1 < n ? B64[(v >> 6) & 63] : 61;
    out[o++] = 61;
  }
  return ascii.decode(out);
}

/** RGB of every pixel of decoded PNG data (drops alpha), for comparing encoders. */
export function rgbOf(data: ArrayLike<number>, channels: number): Uint8Array {
  const n = data.length / channels;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = data[i * channels + (channels >= 3 ? c : 0)];
  return out;
}
