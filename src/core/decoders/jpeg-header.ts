// Reads a JPEG's frame header (SOFn) without decoding pixels, so size limits apply before any allocation.
import { ImageInputError } from '../errors.js';

export interface JpegHeader {
  width: number;
  height: number;
  components: number;
  /** Sample precision in bits (8 for every JPEG a camera or PACS export writes; 12 for some medical ones). */
  precision: number;
  /** SOF marker low byte: 0xc0 baseline, 0xc1 extended, 0xc2 progressive, others lossless/arithmetic. */
  sof: number;
  /** EXIF orientation 1..8 (1 when absent), applied after decoding as Node's sharp().rotate() does. */
  orientation: number;
}

/** Orientation tag (0x0112) of an APP1 "Exif" segment; 1 when absent or unreadable (a broken EXIF block is not a broken image). */
export function exifOrientation(segment: Uint8Array): number {
  if (segment.length < 14 || String.fromCharCode(...segment.subarray(0, 6)) !== 'Exif\0\0') return 1;
  const tiff = segment.subarray(6);
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return 1;
  const u16 = (at: number) => (little ? tiff[at] | (tiff[at + 1] << 8) : (tiff[at] << 8) | tiff[at + 1]);
  const u32 = (at: number) => (little ? (u16(at) | (u16(at + 2) << 16)) >>> 0 : ((u16(at) << 16) | u16(at + 2)) >>> 0);
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return 1;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

const SOF_NAMES: Record<number, string> = {
  0xc3: 'lossless',
  0xc5: 'differential sequential',
  0xc6: 'differential progressive',
  0xc7: 'differential lossless',
  0xc9: 'arithmetic-coded sequential',
  0xca: 'arithmetic-coded progressive',
  0xcb: 'arithmetic-coded lossless',
  0xcd: 'differential arithmetic-coded sequential',
  0xce: 'differential arithmetic-coded progressive',
  0xcf: 'differential arithmetic-coded lossless',
};

function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function corrupt(detail: string): ImageInputError {
  return new ImageInputError('corrupt_image', `The JPEG file is damaged or truncated (${detail}). Re-export the scan as a baseline or progressive JPEG, or as PNG.`);
}

/** Walks marker segments up to the first frame header. Throws ImageInputError for damaged or unsupported files. */
export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw corrupt('no start-of-image marker');
  let offset = 2;
  let orientation = 1;
  while (offset < bytes.length) {
    if (bytes[offset] !== 0xff) throw corrupt(`expected a marker at byte ${offset}`);
    while (offset < bytes.length && bytes[offset] === 0xff) offset++; // fill bytes
    if (offset >= bytes.length) break;
    const marker = bytes[offset++];
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // standalone markers carry no length
    if (marker === 0xd9 || marker === 0xda) throw corrupt('image data before the frame header');
    if (offset + 2 > bytes.length) break;
    const length = (bytes[offset] << 8) | bytes[offset + 1];
    if (length < 2 || offset + length > bytes.length) throw corrupt('a marker segment runs past the end of the file');
    if (isSof(marker)) {
      if (length < 8) throw corrupt('short frame header');
      const header: JpegHeader = {
        precision: bytes[offset + 2],
        height: (bytes[offset + 3] << 8) | bytes[offset + 4],
        width: (bytes[offset + 5] << 8) | bytes[offset + 6],
        components: bytes[offset + 7],
        sof: marker,
        orientation,
      };
      if (SOF_NAMES[marker]) {
        throw new ImageInputError('unsupported_type', `This is a ${SOF_NAMES[marker]} JPEG, which is not supported. Accepted: baseline or progressive JPEG (8-bit), PNG.`);
      }
      if (header.precision !== 8) {
        throw new ImageInputError('unsupported_type', `This JPEG has ${header.precision}-bit samples; only 8-bit JPEG is supported. Export the scan as 16-bit PNG to keep its full depth.`);
      }
      if (header.width === 0 || header.height === 0) throw corrupt('zero width or height in the frame header');
      if (header.components !== 1 && header.components !== 3) {
        throw new ImageInputError('unsupported_type', `This JPEG has ${header.components} colour components (CMYK or unusual); accepted are greyscale or RGB JPEG, or PNG.`);
      }
      return header;
    }
    if (marker === 0xe1 && orientation === 1) orientation = exifOrientation(bytes.subarray(offset + 2, offset + length));
    offset += length;
  }
  throw corrupt('no frame header');
}
