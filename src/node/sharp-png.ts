// PNG encoding through sharp (libspng/zlib, off the event loop): same pixels as the core's encoder, several times faster.
import { loadSharp } from './sharp-decoder.js';

export async function encodePngSharp(rgba: Uint8ClampedArray, width: number, height: number): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const buf = await sharp(new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width, height, channels: 4 } })
    .removeAlpha()
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
