// Reads a DICOM Part 10 file (with or without preamble and meta header) into the image attributes the decoder needs.
//
// dicom-parser walks the dataset; this module picks out the image pixel module, the modality LUT, the VOI attributes
// (also from enhanced MR functional groups) and what a series viewer sorts by. It never reads patient or study
// identifiers: nothing here can leak a name, ID, birth date or accession number.
import * as parserModule from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { ImageInputError } from '../errors.js';
import { inflateLimited } from './inflate.js';
import { EXPLICIT_LITTLE, IMPLICIT_LITTLE } from './transfer-syntax.js';
import type { VoiFunction, VoiLut, Window } from './window.js';

// dicom-parser is a UMD bundle: Node's ESM loader gives it as the default export, bundlers as named exports.
const dicomParser = ((parserModule as unknown as { default?: typeof parserModule }).default ?? parserModule) as typeof parserModule;

export interface Rescale {
  slope: number;
  intercept: number;
}

export interface FrameVoi {
  rescale: Rescale;
  window?: Window;
  voiFunction: VoiFunction;
}

export interface DicomImage {
  dataSet: DataSet;
  transferSyntax: string;
  /** (0008,0060), upper case; undefined when absent. */
  modality?: string;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  photometric: string;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  planarConfiguration: number;
  frames: number;
  pixelData?: Element;
  modalityLut?: VoiLut;
  voiLut?: VoiLut;
  /** Rescale and window of one frame (0-based): per-frame functional group, then shared, then the top level. */
  frameVoi(index: number): FrameVoi;
  /** For sorting a series: (0020,0013) and the position along the slice normal, when present. */
  instanceNumber?: number;
  slicePosition?: number;
  /** (0020,000E), only to tell whether files belong to one series; never returned to clients. */
  seriesUid?: string;
}

const corrupt = (detail: string): ImageInputError =>
  new ImageInputError('corrupt_image', `The DICOM file is damaged or truncated (${detail}). Export it again from the scanner or PACS.`);

const VR = /^(AE|AS|AT|CS|DA|DS|DT|FD|FL|IS|LO|LT|OB|OD|OF|OL|OV|OW|PN|SH|SL|SQ|SS|ST|SV|TM|UC|UI|UL|UN|UR|US|UT|UV)$/;

/** dicom-parser throws strings, Errors, or { exception, dataSet }; this says what happened. */
function parserMessage(error: unknown): string {
  const e = (error as { exception?: unknown })?.exception ?? error;
  const text = typeof e === 'string' ? e : ((e as Error)?.message ?? String(e));
  return text.replace(/^dicomParser\.[A-Za-z0-9]+: /, '');
}

/**
 * Parses the file. Files that start with the meta group but no preamble get one; files without a meta header (group
 * 0008 first) are read as explicit or implicit VR little endian, whichever the first element looks like.
 */
function parse(bytes: Uint8Array, maxInflatedBytes: number): DataSet {
  let input = bytes;
  let assumed: string | undefined;
  const hasPreamble = bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
  if (!hasPreamble) {
    const group = bytes[0] | (bytes[1] << 8);
    if (group === 0x0002) {
      input = new Uint8Array(132 + bytes.length);
      input.set([0x44, 0x49, 0x43, 0x4d], 128);
      input.set(bytes, 132);
    } else {
      assumed = VR.test(String.fromCharCode(bytes[4], bytes[5])) ? EXPLICIT_LITTLE : IMPLICIT_LITTLE;
    }
  }
  try {
    return dicomParser.parseDicom(input, {
      ...(assumed ? { TransferSyntaxUID: assumed } : {}),
      // Deflated syntax: inflate what follows the meta header, with a ceiling so a small upload cannot become gigabytes.
      inflater: ((all: Uint8Array, position: number) => {
        const inflated = inflateLimited(all.subarray(position), { gzip: false, maxBytes: maxInflatedBytes, what: 'deflated DICOM dataset' });
        const full = new Uint8Array(position + inflated.length);
        full.set(all.subarray(0, position));
        full.set(inflated, position);
        return full;
      }) as never,
    });
  } catch (error) {
    const inner = (error as { exception?: unknown })?.exception ?? error;
    if (inner instanceof ImageInputError) throw inner;
    throw corrupt(parserMessage(error));
  }
}

function lut(dataSet: DataSet, item: DataSet | undefined): VoiLut | undefined {
  if (!item) return undefined;
  const descriptor = item.elements.x00283002;
  const data = item.elements.x00283006;
  if (!descriptor || !data || descriptor.length < 6) return undefined;
  const entries = item.uint16('x00283002', 0) || 65536;
  // The first mapped value is US or SS depending on the pixel representation.
  const firstRaw = item.uint16('x00283002', 1) ?? 0;
  const signed = dataSet.uint16('x00280103') === 1;
  const first = signed && firstRaw > 32767 ? firstRaw - 65536 : firstRaw;
  const bits = item.uint16('x00283002', 2) ?? 16;
  const values = new Uint16Array(Math.min(entries, Math.floor(data.length / 2)));
  for (let i = 0; i < values.length; i++) values[i] = item.uint16('x00283006', i) ?? 0;
  if (values.length === 0) return undefined;
  return { first, bits: bits > 16 || bits < 1 ? 16 : bits, data: values };
}

const firstItem = (ds: DataSet | undefined, tag: string): DataSet | undefined => ds?.elements[tag]?.items?.[0]?.dataSet;

function finite(v: number | undefined): number | undefined {
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

function voiFunction(ds: DataSet | undefined): VoiFunction | undefined {
  const f = ds?.string('x00281056')?.trim().toUpperCase();
  if (f === 'LINEAR_EXACT') return 'linear-exact';
  if (f === 'SIGMOID') return 'sigmoid';
  if (f === 'LINEAR') return 'linear';
  return undefined;
}

function windowOf(ds: DataSet | undefined): Window | undefined {
  if (!ds) return undefined;
  const center = finite(ds.floatString('x00281050', 0));
  const width = finite(ds.floatString('x00281051', 0));
  if (center === undefined || width === undefined || !(width > 0)) return undefined;
  return { center, width };
}

function rescaleOf(ds: DataSet | undefined): Rescale | undefined {
  if (!ds) return undefined;
  const slope = finite(ds.floatString('x00281053'));
  const intercept = finite(ds.floatString('x00281052'));
  if (slope === undefined && intercept === undefined) return undefined;
  return { slope: slope === undefined || slope === 0 ? 1 : slope, intercept: intercept ?? 0 };
}

/** Reads the header. Throws ImageInputError (corrupt_image) when the file cannot be parsed. */
export function readDicom(bytes: Uint8Array, maxInflatedBytes: number): DicomImage {
  const dataSet = parse(bytes, maxInflatedBytes);
  const ts = (dataSet.string('x00020010') ?? '').replace(/\0/g, '').trim();
  const transferSyntax = ts || (dataSet.elements.x00020010 ? '' : IMPLICIT_LITTLE);
  if (!transferSyntax) throw corrupt('the meta header names no transfer syntax (0002,0010)');
  const us = (tag: string): number | undefined => dataSet.uint16(tag);
  const frames = Math.max(1, dataSet.intString('x00280008') ?? 1);
  const shared = firstItem(dataSet, 'x52009229');
  const perFrame = dataSet.elements.x52009230?.items;
  const topRescale = rescaleOf(dataSet) ?? { slope: 1, intercept: 0 };
  const topWindow = windowOf(dataSet);
  const topFunction = voiFunction(dataSet) ?? 'linear';
  const position = (dataSet.string('x00200032') ?? '').split('\\').map(Number);
  const orientation = (dataSet.string('x00200037') ?? '').split('\\').map(Number);
  let slicePosition: number | undefined;
  if (position.length === 3 && orientation.length === 6 && [...position, ...orientation].every(Number.isFinite)) {
    // Distance along the slice normal (row direction x column direction), the way viewers order a series.
    const [a, b, c, d, e, f] = orientation;
    const normal = [b * f - c * e, c * d - a * f, a * e - b * d];
    slicePosition = normal[0] * position[0] + normal[1] * position[1] + normal[2] * position[2];
  } else {
    slicePosition = finite(dataSet.floatString('x00201041'));
  }
  const image: DicomImage = {
    dataSet,
    transferSyntax,
    modality: dataSet.string('x00080060')?.trim().toUpperCase() || undefined,
    rows: us('x00280010') ?? 0,
    columns: us('x00280011') ?? 0,
    samplesPerPixel: us('x00280002') ?? 1,
    photometric: (dataSet.string('x00280004') ?? 'MONOCHROME2').trim().toUpperCase(),
    bitsAllocated: us('x00280100') ?? 0,
    bitsStored: us('x00280101') ?? us('x00280100') ?? 0,
    highBit: us('x00280102') ?? (us('x00280101') ?? us('x00280100') ?? 1) - 1,
    signed: us('x00280103') === 1,
    planarConfiguration: us('x00280006') ?? 0,
    frames,
    pixelData: dataSet.elements.x7fe00010,
    modalityLut: lut(dataSet, firstItem(dataSet, 'x00283000')),
    voiLut: lut(dataSet, firstItem(dataSet, 'x00283010')),
    frameVoi(index) {
      const own = perFrame?.[index]?.dataSet;
      const pick = <T>(read: (ds: DataSet | undefined) => T | undefined, fallback: T | undefined): T | undefined =>
        read(firstItem(own, 'x00289145')) ?? read(firstItem(own, 'x00289132')) ?? read(firstItem(shared, 'x00289145')) ?? read(firstItem(shared, 'x00289132')) ?? fallback;
      return {
        rescale: pick(rescaleOf, topRescale)!,
        window: pick(windowOf, topWindow),
        voiFunction: pick(voiFunction, topFunction)!,
      };
    },
    instanceNumber: finite(dataSet.intString('x00200013')),
    slicePosition,
    seriesUid: dataSet.string('x0020000e')?.replace(/\0/g, '').trim() || undefined,
  };
  return image;
}

