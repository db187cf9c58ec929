// One DICOM frame to samples: extracts the frame (native or encapsulated), runs its codec, then applies bits stored,
// sign, planar configuration, YBR to RGB and the modality LUT, giving the Slice that windowing turns into pixels.
import * as parserModule from 'dicom-parser';
import type { ByteArray } from 'dicom-parser';
import type { RawImage } from '../image.js';
import { ImageInputError } from '../errors.js';
import type { DicomImage } from './dicom-dataset.js';
import { CodecError, type CodecFrame, type DicomCodecs } from './dicom-codecs.js';
import { JpegDataError } from './jpeg-turbo.js';
import { jpegFrameInfo } from './jpeg12.js';
import { decodeRle, RleError } from './rle.js';
import type { TransferSyntax } from './transfer-syntax.js';
import { lookUp, type CodedValues, type Slice } from './window.js';

const dicomParser = ((parserModule as unknown as { default?: typeof parserModule }).default ?? parserModule) as typeof parserModule;

const corrupt = (detail: string): ImageInputError =>
  new ImageInputError('corrupt_image', `The DICOM pixel data is damaged or truncated (${detail}). Export the scan again from the scanner or PACS.`);

/** Stored samples of one frame, interleaved, already masked to bits stored and sign-extended. */
export type Samples = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

export interface DecodedFrame {
  samples: Samples;
  /** Samples per pixel after decoding (1 grey, 3 colour). */
  channels: number;
  /** Photometric interpretation of the samples: a codec that converted YCbCr to RGB says RGB here. */
  photometric: string;
}

/** Bytes one native frame takes (YBR_FULL_422 stores two samples per pixel; 1-bit data is packed). */
export function nativeFrameBits(img: DicomImage): number {
  const pixels = img.rows * img.columns;
  const samples = img.photometric === 'YBR_FULL_422' && img.samplesPerPixel === 3 ? pixels * 2 : pixels * img.samplesPerPixel;
  return samples * img.bitsAllocated;
}

function encapsulatedFrame(img: DicomImage, index: number): Uint8Array {
  const { dataSet, pixelData } = img;
  const el = pixelData!;
  const fragments = el.fragments ?? [];
  if (fragments.length === 0) throw corrupt('the encapsulated pixel data has no fragments');
  for (const f of fragments) {
    if (f.position + f.length > dataSet.byteArray.length) throw corrupt('a pixel data fragment runs past the end of the file');
  }
  try {
    let frame: ByteArray;
    if (el.basicOffsetTable && el.basicOffsetTable.length > 0) frame = dicomParser.readEncapsulatedImageFrame(dataSet, el, index);
    else if (img.frames === 1) frame = dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, el, 0, fragments.length);
    else if (fragments.length === img.frames) frame = dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, el, index, 1);
    else frame = dicomParser.readEncapsulatedImageFrame(dataSet, el, index, dicomParser.createJPEGBasicOffsetTable(dataSet, el));
    return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  } catch (error) {
    throw corrupt(typeof error === 'string' ? error.replace(/^dicomParser\.[A-Za-z]+: /, '') : (error as Error).message);
  }
}

/** Reads little- or big-endian samples of bitsAllocated width into a typed array (copying only when it must). */
function readNative(bytes: Uint8Array, count: number, bitsAllocated: number, bigEndian: boolean, signed: boolean): Samples {
  if (bitsAllocated === 8) return signed ? new Int8Array(bytes.buffer, bytes.byteOffset, count) : bytes.subarray(0, count);
  const size = bitsAllocated / 8;
  const aligned = (bytes.byteOffset % size === 0 ? bytes : bytes.slice(0, count * size)) as Uint8Array;
  if (!bigEndian) {
    if (bitsAllocated === 16) return signed ? new Int16Array(aligned.buffer, aligned.byteOffset, count) : new Uint16Array(aligned.buffer, aligned.byteOffset, count);
    return signed ? new Int32Array(aligned.buffer, aligned.byteOffset, count) : new Uint32Array(aligned.buffer, aligned.byteOffset, count);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * size);
  if (bitsAllocated === 16) {
    const out = signed ? new Int16Array(count) : new Uint16Array(count);
    for (let i = 0; i < count; i++) out[i] = signed ? view.getInt16(i * 2) : view.getUint16(i * 2);
    return out;
  }
  const out = signed ? new Int32Array(count) : new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = signed ? view.getInt32(i * 4) : view.getUint32(i * 4);
  return out;
}

/** Keeps bits stored (below high bit) and sign-extends them; a no-op for the usual files where they fill the sample. */
function maskBits(samples: Samples, img: DicomImage, width: number): Samples {
  const stored = img.bitsStored;
  const shift = Math.max(0, img.highBit + 1 - stored);
  if (stored >= width && shift === 0) return samples;
  const n = samples.length;
  if (width <= 16 && stored < 32) {
    // 32-bit integer arithmetic is exact here, and much faster than the general path below.
    const mask = (1 << stored) - 1;
    const up = 32 - stored;
    if (img.signed) {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = (((samples[i] >> shift) & mask) << up) >> up;
      return out;
    }
    const out = new Uint16Array(n);
    for (let i = 0; i < n; i++) out[i] = (samples[i] >> shift) & mask;
    return out;
  }
  const mask = stored >= 32 ? 0xffffffff : 2 ** stored - 1;
  const sign = 2 ** (stored - 1);
  const out = img.signed ? new Int32Array(n) : new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let v = (Math.floor((samples[i] >>> 0) / 2 ** shift) & mask) >>> 0;
    if (img.signed && v >= sign) v -= 2 ** stored;
    out[i] = v;
  }
  return out;
}

function fromCodec(frame: CodecFrame, img: DicomImage): Samples {
  const count = frame.width * frame.height * frame.components;
  if (frame.width !== img.columns || frame.height !== img.rows) {
    throw corrupt(`the codestream is ${frame.width} x ${frame.height}, the header says ${img.columns} x ${img.rows}`);
  }
  if (frame.bitsPerSample <= 8) {
    if (frame.data.length < count) throw corrupt('the codec returned fewer samples than the frame holds');
    return saturated(img.signed ? new Int8Array(frame.data.buffer, frame.data.byteOffset, count) : frame.data.subarray(0, count), img, frame);
  }
  if (frame.data.length < count * 2) throw corrupt('the codec returned fewer samples than the frame holds');
  const aligned = frame.data.byteOffset % 2 === 0 ? frame.data : frame.data.slice();
  // The header's pixel representation decides the sign, whatever the codestream says (maskBits then extends from bits stored).
  return saturated(img.signed ? new Int16Array(aligned.buffer, aligned.byteOffset, count) : new Uint16Array(aligned.buffer, aligned.byteOffset, count), img, frame);
}

/**
 * A lossy codec (JPEG 2000, JPEG-LS near-lossless, lossy JPEG) reconstructs values a little outside bits stored: a
 * 12-bit scan's brightest pixels come back as 4096..4130. Masking them to 12 bits, as native data is masked, would wrap
 * them to black, so a codec's samples are clamped to the stored range instead (OpenJPEG's own tools clip the same way).
 * Only where the codestream agrees with the header on the sign: a codestream that calls two's-complement samples
 * unsigned (pydicom's J2K_pixelrep_mismatch) holds raw bits, which masking and sign extension read correctly.
 */
function saturated(samples: Samples, img: DicomImage, frame: CodecFrame): Samples {
  const stored = img.bitsStored;
  if (stored >= samples.BYTES_PER_ELEMENT * 8 || img.highBit + 1 !== stored || (frame.signed ?? false) !== img.signed) return samples;
  const lo = img.signed ? -(2 ** (stored - 1)) : 0;
  const hi = img.signed ? 2 ** (stored - 1) - 1 : 2 ** stored - 1;
  let out: Samples | undefined;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (v < lo || v > hi) {
      out ??= samples.slice();
      out[i] = v < lo ? lo : hi;
    }
  }
  return out ?? samples;
}

async function decodeCompressed(img: DicomImage, syntax: TransferSyntax, index: number, codecs: DicomCodecs): Promise<DecodedFrame> {
  const bytes = encapsulatedFrame(img, index);
  const pixels = img.rows * img.columns;
  try {
    switch (syntax.codec) {
      case 'rle': {
        const bytesPerSample = img.bitsAllocated / 8;
        if (![1, 2, 4].includes(bytesPerSample)) throw corrupt(`RLE with ${img.bitsAllocated} bits allocated`);
        const native = decodeRle(bytes, pixels, img.samplesPerPixel, bytesPerSample);
        // RLE stores colour by plane regardless of planar configuration; decodeRle interleaves it.
        return { samples: readNative(native, pixels * img.samplesPerPixel, img.bitsAllocated, false, img.signed), channels: img.samplesPerPixel, photometric: img.photometric };
      }
      case 'jpeg-turbo':
      case 'jpeg12': {
        const info = jpegFrameInfo(bytes);
        if (!info) throw corrupt('the JPEG codestream has no frame header');
        if (info.precision > 8) {
          const frame = await codecs.jpeg12(bytes);
          return { samples: fromCodec(frame, img), channels: frame.components, photometric: img.photometric };
        }
        const channels = info.components === 1 ? 1 : 3;
        const codestream = channels === 3 && img.photometric === 'RGB' ? withoutColourTransform(bytes) : bytes;
        const decoded = await codecs.turbo.decode(codestream, channels, info);
        if (decoded.warning) throw corrupt('libjpeg reports corrupt or missing image data');
        const frame: CodecFrame = { data: decoded.data, width: decoded.width, height: decoded.height, components: channels, bitsPerSample: 8 };
        // libjpeg converted YCbCr to RGB when the codestream said so.
        return { samples: fromCodec(frame, img), channels, photometric: channels === 3 ? 'RGB' : img.photometric };
      }
      case 'jpeg-lossless': {
        const frame = await codecs.jpegLossless(bytes, img.bitsAllocated > 8 ? 2 : 1);
        return { samples: fromCodec(frame, img), channels: frame.components, photometric: img.photometric };
      }
      case 'jpeg-ls': {
        const frame = await codecs.jpegLs(bytes);
        return { samples: fromCodec(frame, img), channels: frame.components, photometric: img.photometric };
      }
      case 'jpeg2000': {
        const frame = await codecs.jpeg2000(bytes);
        // OpenJPEG applies the inverse component transform: YBR_RCT / YBR_ICT come out as RGB.
        const photometric = frame.components === 3 && img.photometric.startsWith('YBR_') && img.photometric !== 'YBR_FULL' ? 'RGB' : img.photometric;
        return { samples: fromCodec(frame, img), channels: frame.components, photometric };
      }
      default:
        throw corrupt(`no codec for ${syntax.name}`);
    }
  } catch (error) {
    if (error instanceof ImageInputError) throw error;
    if (error instanceof CodecError || error instanceof RleError || error instanceof JpegDataError) throw corrupt(error.message);
    throw error;
  }
}

/**
 * Photometric RGB says the JPEG holds RGB samples, untransformed (PS3.5 8.2.1). libjpeg would still convert them from
 * YCbCr when the codestream has a JFIF marker or component IDs 1, 2, 3; this copy renames the JFIF segment and labels
 * the components 'R', 'G', 'B', which is how libjpeg recognises RGB (an Adobe marker already decides on its own).
 */
export function withoutColourTransform(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  let at = 2;
  while (at + 4 <= out.length && out[at] === 0xff) {
    const marker = out[at + 1];
    const length = (out[at + 2] << 8) | out[at + 3];
    if (marker === 0xee && String.fromCharCode(...out.subarray(at + 4, at + 9)) === 'Adobe') return bytes;
    if (marker === 0xe0 && String.fromCharCode(...out.subarray(at + 4, at + 8)) === 'JFIF') out[at + 1] = 0xef;
    if (marker >= 0xc0 && marker <= 0xc3 && out[at + 9] === 3) {
      for (let c = 0; c < 3; c++) out[at + 10 + c * 3] = [0x52, 0x47, 0x42][c];
    }
    if (marker === 0xda) {
      const n = out[at + 4];
      if (n === 3) for (let c = 0; c < 3; c++) out[at + 5 + c * 2] = [0x52, 0x47, 0x42][c];
      else return bytes; // non-interleaved scans name components by id; leave such files to libjpeg's own choice
      break;
    }
    at += 2 + length;
  }
  return out;
}

function unpackBits(bytes: Uint8Array, bitOffset: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const bit = bitOffset + i;
    out[i] = (bytes[bit >> 3] >> (bit & 7)) & 1;
  }
  return out;
}

/** Decodes frame `index` (0-based) to stored samples. Throws ImageInputError. */
export async function decodeFrameSamples(img: DicomImage, syntax: TransferSyntax, index: number, codecs: DicomCodecs): Promise<DecodedFrame> {
  const el = img.pixelData!;
  if (el.encapsulatedPixelData) return decodeCompressed(img, syntax, index, codecs);
  const { byteArray } = img.dataSet;
  const bits = nativeFrameBits(img);
  const start = el.dataOffset * 8 + index * bits;
  const available = Math.min(el.length, byteArray.length - el.dataOffset) * 8;
  if (index * bits + bits > available) {
    throw corrupt(`frame ${index + 1} needs ${Math.ceil(bits / 8)} bytes of pixel data, the file holds ${Math.max(0, Math.floor((available - index * bits) / 8))}`);
  }
  const bytes = new Uint8Array(byteArray.buffer, byteArray.byteOffset, byteArray.length);
  const pixels = img.rows * img.columns;
  if (img.bitsAllocated === 1) return { samples: unpackBits(bytes, start, pixels * img.samplesPerPixel), channels: img.samplesPerPixel, photometric: img.photometric };
  const frameBytes = bytes.subarray(start / 8, start / 8 + bits / 8);
  // Explicit VR big endian swaps 16-bit words even of 8-bit samples stored as OW.
  const bigEndian = syntax.bigEndian;
  let source = frameBytes;
  if (bigEndian && img.bitsAllocated === 8 && el.vr === 'OW') {
    source = frameBytes.slice();
    for (let i = 0; i + 1 < source.length; i += 2) [source[i], source[i + 1]] = [source[i + 1], source[i]];
  }
  const count = bits / img.bitsAllocated;
  const samples = readNative(source, count, img.bitsAllocated, bigEndian, img.signed);
  if (img.photometric === 'YBR_FULL_422' && img.samplesPerPixel === 3) {
    return { samples: expand422(samples as Uint8Array, pixels), channels: 3, photometric: 'YBR_FULL' };
  }
  if (img.samplesPerPixel > 1 && img.planarConfiguration === 1) {
    return { samples: interleave(samples, pixels, img.samplesPerPixel), channels: img.samplesPerPixel, photometric: img.photometric };
  }
  return { samples, channels: img.samplesPerPixel, photometric: img.photometric };
}

function expand422(s: Uint8Array | Samples, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let p = 0, i = 0; p + 1 < pixels + 1 && i + 3 < s.length; p += 2, i += 4) {
    const cb = s[i + 2];
    const cr = s[i + 3];
    out.set([s[i], cb, cr], p * 3);
    if (p + 1 < pixels) out.set([s[i + 1], cb, cr], (p + 1) * 3);
  }
  return out;
}

function interleave(s: Samples, pixels: number, n: number): Samples {
  const out = new (s.constructor as new (length: number) => Samples)(pixels * n);
  for (let c = 0; c < n; c++) for (let i = 0; i < pixels; i++) out[i * n + c] = s[c * pixels + i];
  return out;
}

/** YBR_FULL to RGB (PS3.3 C.7.6.3.1.2), for 8-bit samples; rounded and clamped. */
function ybrToRgb(s: Samples, pixels: number, max: number): Samples {
  const out = max > 255 ? new Uint16Array(pixels * 3) : new Uint8Array(pixels * 3);
  const mid = (max + 1) / 2;
  for (let i = 0, p = 0; i < pixels; i++, p += 3) {
    const y = s[p];
    const cb = s[p + 1] - mid;
    const cr = s[p + 2] - mid;
    const clamp = (v: number): number => (v < 0 ? 0 : v > max ? max : Math.round(v));
    out[p] = clamp(y + 1.402 * cr);
    out[p + 1] = clamp(y - (0.114 * 1.772 / 0.587) * cb - (0.299 * 1.402 / 0.587) * cr);
    out[p + 2] = clamp(y + 1.772 * cb);
  }
  return out;
}

/** Modality values of a grey frame: stored samples through the modality LUT or rescale slope/intercept. */
export function modalityValues(samples: Samples, img: DicomImage, index: number): Float32Array {
  const out = new Float32Array(samples.length);
  if (img.modalityLut) {
    const { first, data } = img.modalityLut;
    const last = data.length - 1;
    for (let i = 0; i < samples.length; i++) {
      const k = samples[i] - first;
      out[i] = data[k < 0 ? 0 : k > last ? last : k];
    }
    return out;
  }
  const { slope, intercept } = img.frameVoi(index).rescale;
  if (slope === 1 && intercept === 0) {
    out.set(samples);
    return out;
  }
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] * slope + intercept;
  return out;
}

/** A decoded frame as a Slice: grey with its VOI attributes, or colour as RGB. */
export function toSlice(img: DicomImage, frame: DecodedFrame, index: number): Slice {
  const width = img.columns;
  const height = img.rows;
  const pixels = width * height;
  if (frame.channels === 1) {
    const voi = img.frameVoi(index);
    const coded = codedValues(img, frame.samples, index);
    let values: Float32Array | undefined;
    return {
      kind: 'grey',
      width,
      height,
      // Made on first use: windowing goes through the table; the automatic window's histogram reads every value.
      get values() {
        return (values ??= coded ? lookUp(coded, coded.table, new Float32Array(coded.samples.length)) : modalityValues(maskedSamples(img, frame), img, index));
      },
      ...(coded ? { coded } : {}),
      voiFunction: voi.voiFunction,
      fileWindow: voi.window,
      lut: voi.window ? undefined : img.voiLut,
      invert: img.photometric === 'MONOCHROME1',
    };
  }
  const rgb = rgbSamples(img, frame, maskedSamples(img, frame));
  return { kind: 'colour', width, height, image: { ...colourImage(rgb, pixels, frame.channels, img.bitsStored), width, height } };
}

/**
 * Grey samples of up to 16 bits in table form (see CodedValues), when the table is no larger than the frame. The bit
 * patterns read as maskBits reads them: masked to bits stored and sign-extended by the header's pixel representation,
 * or, when bits stored fill the sample, taken as the sample array holds them.
 */
function codedValues(img: DicomImage, samples: Samples, index: number): CodedValues | undefined {
  if (!(samples instanceof Uint8Array || samples instanceof Int8Array || samples instanceof Uint16Array || samples instanceof Int16Array)) return undefined;
  const width = img.bitsAllocated === 1 ? 1 : Math.min(img.bitsAllocated, samples.BYTES_PER_ELEMENT * 8);
  const stored = img.bitsStored;
  const shift = Math.max(0, img.highBit + 1 - stored);
  const whole = stored >= width && shift === 0;
  const bits = whole ? samples.BYTES_PER_ELEMENT * 8 : stored;
  if (bits > 16 || 2 ** bits > samples.length) return undefined;
  const signed = whole ? samples instanceof Int8Array || samples instanceof Int16Array : img.signed;
  const up = 32 - bits;
  const patterns = new Int32Array(2 ** bits);
  for (let b = 0; b < patterns.length; b++) patterns[b] = signed ? (b << up) >> up : b;
  return { samples, shift, mask: patterns.length - 1, table: modalityValues(patterns, img, index) };
}

/** Colour samples as RGB at their stored depth (YBR converted), interleaved. */
export function rgbSamples(img: DicomImage, frame: DecodedFrame, masked: Samples): Samples {
  const max = 2 ** Math.min(img.bitsStored, 32) - 1;
  if (frame.photometric === 'YBR_FULL' || frame.photometric === 'YBR_FULL_422') return ybrToRgb(masked, img.rows * img.columns, max);
  return masked;
}

/** Stored samples masked to bits stored and sign-extended. */
export function maskedSamples(img: DicomImage, frame: DecodedFrame): Samples {
  return maskBits(frame.samples, img, img.bitsAllocated === 1 ? 1 : Math.min(img.bitsAllocated, frame.samples.BYTES_PER_ELEMENT * 8));
}

/** RGB samples of any depth to an 8- or 16-bit RGB RawImage (8-bit stays 8-bit; deeper is scaled to 16). */
function colourImage(s: Samples, pixels: number, channels: number, bitsStored: number): RawImage {
  if (bitsStored <= 8) {
    const data = new Uint8Array(pixels * 3);
    for (let i = 0, p = 0, o = 0; i < pixels; i++, p += channels, o += 3) {
      data[o] = s[p];
      data[o + 1] = s[p + 1];
      data[o + 2] = s[p + 2];
    }
    return { data, width: 0, height: 0, channels: 3, bitDepth: 8 };
  }
  const k = 65535 / (2 ** Math.min(bitsStored, 32) - 1);
  const data = new Uint16Array(pixels * 3);
  for (let i = 0, p = 0, o = 0; i < pixels; i++, p += channels, o += 3) {
    data[o] = Math.round(s[p] * k);
    data[o + 1] = Math.round(s[p + 1] * k);
    data[o + 2] = Math.round(s[p + 2] * k);
  }
  return { data, width: 0, height: 0, channels: 3, bitDepth: 16 };
}
