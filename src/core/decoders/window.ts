// VOI windowing: stored scanner values (after the modality rescale) to the grey image the model and the screen see.
//
// A windowed slice becomes a 16-bit grey RawImage (0..65535), so that a 12-bit scan under a narrow window keeps its
// in-between levels; greyPlane() divides by 257 as for any 16-bit PNG. Colour slices are not windowed (DICOM applies
// VOI to monochrome only) and stay 8-bit RGB. See docs/contracts.md, "Clinical inputs".
import type { InputSource } from '../decoder.js';
import type { RawImage } from '../image.js';

/**
 * `linear`: DICOM's default VOI function (PS3.3 C.11.2.1.2.1, made for integer values: c - 0.5, w - 1);
 * `linear-exact`: DICOM's LINEAR_EXACT, used for NIfTI's float voxels; `sigmoid`: DICOM's SIGMOID.
 */
export type VoiFunction = 'linear' | 'linear-exact' | 'sigmoid';

export interface Window {
  center: number;
  width: number;
}

/** A VOI LUT Sequence item: value v maps to data[v - first] (clamped at both ends), out of 2^bits - 1. */
export interface VoiLut {
  first: number;
  bits: number;
  data: Uint16Array;
}

/**
 * Integer stored samples with the modality value of every bit pattern they can hold. A 12-bit scan has 4096 possible
 * values, so windowing maps that table and then looks each pixel up: one pass over the pixels instead of three
 * (mask, rescale, window), and no full-size float copy. The result equals windowing `values` pixel by pixel.
 */
export interface CodedValues {
  /** Samples as read; `(sample >> shift) & mask` is the bit pattern that indexes `table`. */
  samples: Uint8Array | Int8Array | Uint16Array | Int16Array;
  shift: number;
  mask: number;
  /** Modality value (sign-extended, through the rescale or modality LUT) of each bit pattern 0..mask, as float32. */
  table: Float32Array;
}

/** One grey slice before windowing: what a viewer keeps to re-window without decoding again. */
export interface GreySlice {
  kind: 'grey';
  width: number;
  height: number;
  /** Modality values (stored values through rescale slope/intercept), row-major. */
  values: Float32Array;
  /** The same values in table form (DICOM integer samples up to 16 bits): renderSlice then windows through the table. */
  coded?: CodedValues;
  voiFunction: VoiFunction;
  /** The window the file gives (first pair), else undefined: renderSlice then computes the automatic one. */
  fileWindow?: Window;
  /** The file's VOI LUT, used when it gives no window pair. */
  lut?: VoiLut;
  /** MONOCHROME1: low values are bright; inverted after the window. */
  invert: boolean;
}

/** A colour slice (RGB after any YBR conversion): shown and classified as it is. */
export interface ColourSlice {
  kind: 'colour';
  width: number;
  height: number;
  image: RawImage;
}

export type Slice = GreySlice | ColourSlice;

export interface RenderedSlice {
  image: RawImage;
  window?: NonNullable<InputSource['window']>;
}

const MAX = 65535;

/** Values (any range) to 0..65535 through a window, inverted for MONOCHROME1. */
export function applyWindow(values: Float32Array, window: Window, fn: VoiFunction, invert: boolean): Uint16Array {
  const out = new Uint16Array(values.length);
  const { center: c } = window;
  if (fn === 'sigmoid') {
    const w = Math.max(window.width, Number.EPSILON);
    for (let i = 0; i < values.length; i++) {
      const y = MAX / (1 + Math.exp((-4 * (values[i] - c)) / w));
      out[i] = invert ? MAX - Math.round(y) : Math.round(y);
    }
    return out;
  }
  let lo: number;
  let hi: number;
  let scale: number;
  let offset: number;
  if (fn === 'linear') {
    // y = ((x - (c - 0.5)) / (w - 1) + 0.5) * MAX, clamped below c - 0.5 - (w - 1) / 2 and above c - 0.5 + (w - 1) / 2.
    const w = Math.max(window.width, 1);
    lo = c - 0.5 - (w - 1) / 2;
    hi = c - 0.5 + (w - 1) / 2;
    scale = w === 1 ? 0 : MAX / (w - 1);
    offset = (0.5 - (c - 0.5) / Math.max(w - 1, 1)) * MAX;
  } else {
    const w = Math.max(window.width, Number.EPSILON);
    lo = c - w / 2;
    hi = c + w / 2;
    scale = MAX / w;
    offset = (0.5 - c / w) * MAX;
  }
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    // NaN (a NIfTI voxel with no value) shows as black, like air.
    let y = x > lo ? (x > hi ? MAX : x * scale + offset + 0.5) : 0;
    if (!(y >= 0)) y = 0;
    const v = y > MAX ? MAX : y | 0;
    out[i] = invert ? MAX - v : v;
  }
  return out;
}

export function applyLut(values: Float32Array, lut: VoiLut, invert: boolean): Uint16Array {
  const out = new Uint16Array(values.length);
  const last = lut.data.length - 1;
  const k = MAX / (2 ** lut.bits - 1);
  for (let i = 0; i < values.length; i++) {
    const index = Math.round(values[i]) - lut.first;
    const v = Math.round(lut.data[index < 0 ? 0 : index > last ? last : index] * k);
    const y = v > MAX ? MAX : v;
    out[i] = invert ? MAX - y : y;
  }
  return out;
}

/** The value below which a fraction `p` (0..1) of the histogram lies, interpolated inside its bin. */
function percentile(hist: Uint32Array, total: number, min: number, binWidth: number, p: number): number {
  const target = p * total;
  let cumulative = 0;
  for (let b = 0; b < hist.length; b++) {
    const next = cumulative + hist[b];
    if (next >= target && hist[b] > 0) return min + (b + (target - cumulative) / hist[b]) * binWidth;
    cumulative = next;
  }
  return min + hist.length * binWidth;
}

const BINS = 4096;

/**
 * The automatic window, for slices whose file gives none: from air to the bright end of the head. The low edge is the
 * 0.5th percentile of the slice (background), the high edge the 99.5th percentile of the pixels in the head (those
 * above 15 % of the slice's 0.5..99.5 percentile range). The generator that trains the model windows its slices the
 * same way (black at zero signal, white near the 99.7th percentile), so a raw 12-bit MR comes out as it was trained on.
 * Histograms, not sorting: linear in the pixel count.
 */
export function autoWindow(values: Float32Array, fn: VoiFunction): Window {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) return fromEdges(Number.isFinite(min) ? min : 0, Number.isFinite(min) ? min + 1 : 1, fn);
  const binWidth = (max - min) / BINS;
  const inverse = BINS / (max - min);
  const all = new Uint32Array(BINS);
  const last = BINS - 1;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) {
      let b = ((v - min) * inverse) | 0;
      if (b > last) b = last;
      all[b]++;
      total++;
    }
  }
  const lo = percentile(all, total, min, binWidth, 0.005);
  const top = percentile(all, total, min, binWidth, 0.995);
  const threshold = lo + 0.15 * (top - lo);
  const firstHeadBin = Math.min(BINS - 1, Math.max(0, Math.floor((threshold - min) / binWidth)));
  const head = all.slice();
  head.fill(0, 0, firstHeadBin);
  let headTotal = 0;
  for (let b = firstHeadBin; b < BINS; b++) headTotal += head[b];
  let hi = headTotal > 0 ? percentile(head, headTotal, min, binWidth, 0.995) : top;
  if (!(hi > lo)) hi = max;
  return fromEdges(lo, hi, fn);
}

/** The window that maps `lo` to black and `hi` to white under `fn`. */
export function fromEdges(lo: number, hi: number, fn: VoiFunction): Window {
  if (fn === 'linear') return { center: (lo + hi + 1) / 2, width: hi - lo + 1 };
  return { center: (lo + hi) / 2, width: hi - lo };
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

/** The slice as the model sees it: the user's window, else the file's (pair, then LUT), else the automatic one. */
export function renderSlice(slice: Slice, user?: Window): RenderedSlice {
  if (slice.kind === 'colour') return { image: slice.image };
  const { width, height, coded } = slice;
  // Through the table when there is one (same numbers, one pass), else value by value.
  const grey = (map: (values: Float32Array) => Uint16Array): RawImage => ({
    data: coded ? lookUp(coded, map(coded.table), new Uint16Array(coded.samples.length)) : map(slice.values),
    width,
    height,
    channels: 1,
    bitDepth: 16,
  });
  const windowed = (w: Window): RawImage => grey((values) => applyWindow(values, w, slice.voiFunction, slice.invert));
  if (user) return { image: windowed(user), window: { center: user.center, width: user.width, source: 'user' } };
  if (slice.fileWindow) {
    const w = slice.fileWindow;
    return { image: windowed(w), window: { center: w.center, width: w.width, source: 'dicom' } };
  }
  if (slice.lut) {
    const lut = slice.lut;
    // A LUT has no centre and width; report the range it covers.
    return { image: grey((values) => applyLut(values, lut, slice.invert)), window: { center: lut.first + lut.data.length / 2, width: lut.data.length, source: 'dicom' } };
  }
  // Rounded before use, so that sending the reported window back as `window=` gives the same pixels.
  const computed = autoWindow(slice.values, slice.voiFunction);
  const auto = { center: round(computed.center), width: round(computed.width) };
  return { image: windowed(auto), window: { ...auto, source: 'auto' } };
}

/** Each sample's bit pattern through `table` (the values themselves, or the window applied to them) into `out`. */
export function lookUp<T extends Uint16Array | Float32Array>({ samples, shift, mask }: CodedValues, table: ArrayLike<number>, out: T): T {
  if (shift === 0) for (let i = 0; i < samples.length; i++) out[i] = table[samples[i] & mask];
  else for (let i = 0; i < samples.length; i++) out[i] = table[(samples[i] >> shift) & mask];
  return out;
}
