// Recognises file formats by their content, so a wrong extension or content type cannot fool the decoders.
import { gzipHoldsNifti } from './nifti-decoder.js';

/** A format the service may meet; which of them a runtime decodes is its decoder registry's business. */
export type SniffedFormat =
  | 'jpeg'
  | 'png'
  | 'webp'
  | 'gif'
  | 'tiff'
  | 'bmp'
  | 'avif'
  | 'heic'
  | 'jp2'
  | 'jxl'
  | 'svg'
  | 'dicom'
  | 'nifti'
  | 'gzip';

/** Human names for messages ("HEIC is not supported here"). */
export const FORMAT_NAMES: Record<SniffedFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  tiff: 'TIFF',
  bmp: 'BMP',
  avif: 'AVIF',
  heic: 'HEIC/HEIF',
  jp2: 'JPEG 2000',
  jxl: 'JPEG XL',
  svg: 'SVG',
  dicom: 'DICOM',
  nifti: 'NIfTI',
  gzip: 'gzip',
};

function at(b: Uint8Array, sig: readonly number[], offset = 0): boolean {
  if (b.length < offset + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[offset + i] !== sig[i]) return false;
  return true;
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

function u32le(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
}

function u32be(b: Uint8Array, o: number): number {
  return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}

/**
 * A DICOM file without the 128-byte preamble (as some PACS exports and pydicom's "no meta" files are): the first element
 * is a group 0x0002 or 0x0008 tag, little endian, with an explicit VR or a plausible implicit length.
 */
function dicomWithoutPreamble(b: Uint8Array): boolean {
  if (b.length < 16) return false;
  const group = b[0] | (b[1] << 8);
  if (group !== 0x0002 && group !== 0x0008) return false;
  const vr = String.fromCharCode(b[4], b[5]);
  if (/^(AE|AS|AT|CS|DA|DS|DT|FD|FL|IS|LO|LT|OB|OD|OF|OL|OW|PN|SH|SL|SQ|SS|ST|TM|UC|UI|UL|UN|UR|US|UT)$/.test(vr)) return true;
  const length = u32le(b, 4);
  return length > 0 && length < 256 && 8 + length <= b.length;
}

/** NIfTI-1 (348-byte header) or NIfTI-2 (540), either byte order, with the magic string in place. */
function isNifti(b: Uint8Array): boolean {
  if (b.length < 348) return false;
  const n1 = u32le(b, 0) === 348 || u32be(b, 0) === 348;
  if (n1 && (at(b, ascii('n+1\0'), 344) || at(b, ascii('ni1\0'), 344))) return true;
  const n2 = u32le(b, 0) === 540 || u32be(b, 0) === 540;
  return n2 && (at(b, ascii('n+2\0'), 4) || at(b, ascii('ni2\0'), 4));
}

function isSvg(b: Uint8Array): boolean {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, 512)).trimStart().toLowerCase();
  return head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'));
}

/** The format the bytes actually are, or undefined when they are none we know. */
export function sniffFormat(b: Uint8Array): SniffedFormat | undefined {
  if (at(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (at(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (at(b, ascii('DICM'), 128)) return 'dicom';
  if (at(b, ascii('RIFF')) && at(b, ascii('WEBP'), 8)) return 'webp';
  if (at(b, ascii('GIF8'))) return 'gif';
  // A TIFF-like start is also how some DICOM preambles look; the DICM check above already ran.
  if (at(b, [0x49, 0x49, 0x2a, 0x00]) || at(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  // .nii.gz: the gzip stream is opened far enough to read the NIfTI header.
  if (at(b, [0x1f, 0x8b])) return gzipHoldsNifti(b) ? 'nifti' : 'gzip';
  if (at(b, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...b.subarray(8, 12));
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (/^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(brand)) return 'heic';
  }
  if (at(b, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || at(b, [0xff, 0x4f, 0xff, 0x51])) return 'jp2';
  if (at(b, [0xff, 0x0a]) || at(b, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'jxl';
  if (at(b, ascii('BM')) && b.length > 26) return 'bmp';
  if (isNifti(b)) return 'nifti';
  if (dicomWithoutPreamble(b)) return 'dicom';
  if (b[0] === 0x3c || b[0] === 0xef || b[0] === 0x20 || b[0] === 0x0a || b[0] === 0x0d || b[0] === 0x09) {
    if (isSvg(b)) return 'svg';
  }
  return undefined;
}
