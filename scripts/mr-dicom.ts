// Writes MR DICOM files (explicit VR little endian, uncompressed) from a fixture slice: for `npm run bench` and the
// transfer-syntax tests, which compress them further with dcmtk and GDCM. Not a general DICOM writer (dcmjs is that).
import { readFileSync } from 'node:fs';
import sharp from 'sharp';

export interface MrDicomOptions {
  /** Fixture image (any format sharp reads); default test/fixtures/images/glioma-1.jpg. */
  fixture?: string;
  /** Side of the square slice in pixels (the fixture is resized); default 512. */
  size?: number;
  /** 8 (bits stored 8) or 16 (bits allocated 16, bits stored `bitsStored`); default 16. */
  bitsAllocated?: 8 | 16;
  /** Default 12: grey 0..255 becomes 0..4080, as a 12-bit scanner stores it. */
  bitsStored?: number;
  /** (0028,1050/1051); omit for a file without a window (the decoder's automatic window then applies). */
  window?: { center: number; width: number };
  rescale?: { slope: number; intercept: number };
  /** Frames: the same slice repeated (a multi-frame MR); default 1. */
  frames?: number;
  instanceNumber?: number;
  /** z of ImagePositionPatient (axial slices, orientation 1\0\0\0\1\0). */
  position?: number;
  seriesUid?: string;
}

const ROOT = new URL('..', import.meta.url);

function element(group: number, el: number, vr: string, value: Uint8Array): Uint8Array {
  const long = ['OB', 'OW', 'SQ', 'UN', 'UT', 'UC', 'UR'].includes(vr);
  const padded = value.length % 2 ? Uint8Array.from([...value, vr === 'UI' || vr === 'OB' ? 0 : 0x20]) : value;
  const head = new Uint8Array(long ? 12 : 8);
  const view = new DataView(head.buffer);
  view.setUint16(0, group, true);
  view.setUint16(2, el, true);
  head[4] = vr.charCodeAt(0);
  head[5] = vr.charCodeAt(1);
  if (long) view.setUint32(8, padded.length, true);
  else view.setUint16(6, padded.length, true);
  const out = new Uint8Array(head.length + padded.length);
  out.set(head);
  out.set(padded, head.length);
  return out;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const us = (n: number): Uint8Array => new Uint8Array(new Uint16Array([n]).buffer);
const ul = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Grey pixels of the fixture at size x size (sharp: PIL-like bilinear resize). */
export async function fixtureGrey(fixture: string, size: number): Promise<Uint8Array> {
  const path = fixture.startsWith('/') ? fixture : new URL(fixture, ROOT).pathname;
  const raw = await sharp(readFileSync(path)).greyscale().resize(size, size, { fit: 'fill' }).raw().toBuffer();
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
}

/** The DICOM file's bytes. Pixel values: grey * (2^bitsStored - 1) / 255, rounded. */
export async function mrDicom(options: MrDicomOptions = {}): Promise<Uint8Array> {
  const size = options.size ?? 512;
  const bitsAllocated = options.bitsAllocated ?? 16;
  const bitsStored = bitsAllocated === 8 ? 8 : (options.bitsStored ?? 12);
  const frames = options.frames ?? 1;
  const grey = await fixtureGrey(options.fixture ?? 'test/fixtures/images/glioma-1.jpg', size);
  const scale = (2 ** bitsStored - 1) / 255;
  const frame = bitsAllocated === 8 ? grey : new Uint8Array(Uint16Array.from(grey, (v) => Math.round(v * scale)).buffer);
  const pixels = new Uint8Array(frame.length * frames);
  for (let f = 0; f < frames; f++) pixels.set(frame, f * frame.length);
  const sop = `2.25.${BigInt(size) * 1000003n + BigInt(options.instanceNumber ?? 1)}`;
  const series = options.seriesUid ?? '2.25.424242';
  const dataset: Uint8Array[] = [
    element(0x0008, 0x0016, 'UI', text('1.2.840.10008.5.1.4.1.1.4')),
    element(0x0008, 0x0018, 'UI', text(sop)),
    element(0x0008, 0x0060, 'CS', text('MR')),
    element(0x0020, 0x000e, 'UI', text(series)),
    element(0x0020, 0x0013, 'IS', text(String(options.instanceNumber ?? 1))),
    element(0x0020, 0x0032, 'DS', text(`0\\0\\${options.position ?? 0}`)),
    element(0x0020, 0x0037, 'DS', text('1\\0\\0\\0\\1\\0')),
    element(0x0028, 0x0002, 'US', us(1)),
    element(0x0028, 0x0004, 'CS', text('MONOCHROME2')),
    ...(frames > 1 ? [element(0x0028, 0x0008, 'IS', text(String(frames)))] : []),
    element(0x0028, 0x0010, 'US', us(size)),
    element(0x0028, 0x0011, 'US', us(size)),
    element(0x0028, 0x0100, 'US', us(bitsAllocated)),
    element(0x0028, 0x0101, 'US', us(bitsStored)),
    element(0x0028, 0x0102, 'US', us(bitsStored - 1)),
    element(0x0028, 0x0103, 'US', us(0)),
    ...(options.window ? [element(0x0028, 0x1050, 'DS', text(String(options.window.center))), element(0x0028, 0x1051, 'DS', text(String(options.window.width)))] : []),
    ...(options.rescale ? [element(0x0028, 0x1052, 'DS', text(String(options.rescale.intercept))), element(0x0028, 0x1053, 'DS', text(String(options.rescale.slope)))] : []),
    element(0x7fe0, 0x0010, bitsAllocated === 8 ? 'OB' : 'OW', pixels),
  ];
  const metaBody = concat([
    element(0x0002, 0x0001, 'OB', Uint8Array.from([0, 1])),
    element(0x0002, 0x0002, 'UI', text('1.2.840.10008.5.1.4.1.1.4')),
    element(0x0002, 0x0003, 'UI', text(sop)),
    element(0x0002, 0x0010, 'UI', text('1.2.840.10008.1.2.1')),
    element(0x0002, 0x0012, 'UI', text('2.25.1')),
  ]);
  const preamble = new Uint8Array(132);
  preamble.set(text('DICM'), 128);
  return concat([preamble, element(0x0002, 0x0000, 'UL', ul(metaBody.length)), metaBody, ...dataset]);
}

/** The bench's case: 512 x 512, 16-bit allocated, 12 stored, with a window, from glioma-1. */
export const benchMrDicom = (): Promise<Uint8Array> => mrDicom({ size: 512, bitsAllocated: 16, bitsStored: 12, window: { center: 2040, width: 4080 } });
