// TEMPORARY adapter: the analysis over what main has today. When issue 15 (shared DICOM decoder) and issue 11
// (infer/explain) land, the lead replaces this file with: core DICOM decode -> gate.check -> infer -> explain(overlay).
// Decodes uncompressed little-endian MONOCHROME 8/16-bit DICOM, applies rescale + the first VOI window, classifies.
import type { NaturalDataset } from 'dcmjs';
import dcmjs from '../../core/dicom-results/dcmjs-quiet.js';
import type { Classifier } from '../../core/classifier.js';
import { ImageInputError } from '../../core/errors.js';
import type { RawImage } from '../../core/image.js';
import type { Analyse, AnalysisOutcome } from './analysis.js';

const MR_SOP_CLASSES = new Set(['1.2.840.10008.5.1.4.1.1.4', '1.2.840.10008.5.1.4.1.1.4.1']);
const LITTLE_ENDIAN_UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

const refuse = (code: string, message: string): AnalysisOutcome => ({ refused: { code, message } });
const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
const num = (ds: NaturalDataset, key: string): number | undefined => {
  const v = Number(first(ds[key]));
  return first(ds[key]) === undefined || first(ds[key]) === '' || !Number.isFinite(v) ? undefined : v;
};

/** Modality LUT (rescale) then the DICOM linear VOI function (PS3.3 C.11.2.1.2.1) to 0..255; min..max without a window. */
export function windowToGrey(ds: NaturalDataset): RawImage | AnalysisOutcome {
  const rows = num(ds, 'Rows') ?? 0;
  const cols = num(ds, 'Columns') ?? 0;
  const bits = num(ds, 'BitsAllocated');
  const photometric = String(first(ds.PhotometricInterpretation) ?? '');
  if ((num(ds, 'SamplesPerPixel') ?? 1) !== 1 || !photometric.startsWith('MONOCHROME')) {
    return refuse('unsupported_pixels', `photometric interpretation ${photometric || '(none)'} is not decoded yet; accepted: MONOCHROME1, MONOCHROME2`);
  }
  if ((num(ds, 'NumberOfFrames') ?? 1) > 1) return refuse('unsupported_pixels', 'multi-frame images are not decoded yet; accepted: single-frame MR');
  if (bits !== 8 && bits !== 16) return refuse('unsupported_pixels', `bits allocated ${bits ?? '(none)'} is not decoded; accepted: 8 or 16`);
  const frame = first(ds.PixelData);
  const n = rows * cols;
  if (!(frame instanceof ArrayBuffer) || n === 0 || frame.byteLength < (n * bits) / 8) return refuse('corrupt_image', 'the pixel data is missing or shorter than rows x columns');
  const signed = num(ds, 'PixelRepresentation') === 1;
  const raw = bits === 8 ? (signed ? new Int8Array(frame, 0, n) : new Uint8Array(frame, 0, n)) : signed ? new Int16Array(frame, 0, n) : new Uint16Array(frame, 0, n);
  const slope = num(ds, 'RescaleSlope') ?? 1;
  const intercept = num(ds, 'RescaleIntercept') ?? 0;
  const values = new Float64Array(n);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = raw[i] * slope + intercept;
    values[i] = v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  let center = num(ds, 'WindowCenter');
  let width = num(ds, 'WindowWidth');
  if (center === undefined || width === undefined || width < 1) {
    center = (lo + hi + 1) / 2;
    width = Math.max(1, hi - lo + 1);
  }
  const out = new Uint8Array(n);
  const bottom = center - 0.5 - (width - 1) / 2;
  const top = center - 0.5 + (width - 1) / 2;
  const invert = photometric === 'MONOCHROME1';
  for (let i = 0; i < n; i++) {
    const x = values[i];
    const y = x <= bottom ? 0 : x > top ? 255 : width === 1 ? 255 : ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
    const g = Math.min(255, Math.max(0, Math.round(y)));
    out[i] = invert ? 255 - g : g;
  }
  return { data: out, width: cols, height: rows, channels: 1, bitDepth: 8 };
}

/** The today-analysis over a classifier (getter, so a lazily loaded model works). */
export function createTodayAnalyser(classifier: () => Promise<Classifier>): Analyse {
  return async (bytes) => {
    let dict;
    try {
      dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    } catch (err) {
      return refuse('corrupt_dicom', `the instance is not a readable DICOM Part 10 file: ${(err as Error).message.slice(0, 200)}`);
    }
    const meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta);
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
    const modality = String(first(ds.Modality) ?? '');
    const sopClass = String(first(ds.SOPClassUID) ?? '');
    if (modality !== 'MR' || !MR_SOP_CLASSES.has(sopClass)) return refuse('not_mr', `modality ${modality || '(none)'} (SOP class ${sopClass || '(none)'}) is not an MR image; only MR slices are classified`);
    const ts = String(first(meta.TransferSyntaxUID) ?? '');
    if (!LITTLE_ENDIAN_UNCOMPRESSED.has(ts)) {
      return refuse('unsupported_transfer_syntax', `transfer syntax ${ts} is not decoded yet; accepted: ${[...LITTLE_ENDIAN_UNCOMPRESSED].join(', ')}`);
    }
    const image = windowToGrey(ds);
    if ('refused' in image) return image;
    const model = await classifier();
    try {
      const inference = await model.infer(image as RawImage);
      const overlay = await model.explain(inference, image as RawImage, { view: 'overlay' });
      return {
        result: {
          label: inference.label,
          confidence: inference.confidence,
          uncertain: inference.uncertain,
          reasons: inference.reasons,
          probabilities: inference.probabilities,
          ...(inference.familiarity ? { familiarity: inference.familiarity } : {}),
          model: inference.model,
        },
        overlay: { rgba: overlay.rgba.data, width: overlay.rgba.width, height: overlay.rgba.height },
      };
    } catch (err) {
      if (err instanceof ImageInputError) return refuse(err.code, err.message);
      throw err;
    }
  };
}
