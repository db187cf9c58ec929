// PNG encoding through sharp (libspng/zlib, off the event loop): same pixels as the core's encoder, several times faster.
import type { RgbaImage } from '../core/image.js';
import { loadSharp } from './sharp-formats.js';

export async function encodePngSharp(image: RgbaImage): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const { data, width, height } = image;
  const buf = await sharp(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 4 } })
    .removeAlpha()
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
