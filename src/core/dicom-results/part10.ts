// Writes a dataset (dcmjs natural form) as a DICOM Part 10 file, explicit VR little endian, through dcmjs.
import type { NaturalDataset } from 'dcmjs';
import dcmjs from './dcmjs-quiet.js';

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** This writer's implementation class (a fixed 2.25 UID made once for the project). */
export const IMPLEMENTATION_CLASS_UID = '2.25.313162588025769307828572858722920481494';
export const IMPLEMENTATION_VERSION_NAME = 'BRAINMRI_1';

function hasNonAscii(value: unknown): boolean {
  if (typeof value === 'string') return /[^\x20-\x7e\t\n\f\r]/.test(value);
  if (Array.isArray(value)) return value.some(hasNonAscii);
  if (value && typeof value === 'object' && !(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value)) return Object.values(value).some(hasNonAscii);
  return false;
}

/** dcmjs encodes every string as UTF-8, so any non-ASCII text must be declared ISO_IR 192. */
export function writePart10(dataset: NaturalDataset): Uint8Array {
  const sopClassUid = dataset.SOPClassUID as string;
  const sopInstanceUid = dataset.SOPInstanceUID as string;
  const ds: NaturalDataset = hasNonAscii(dataset) ? { SpecificCharacterSet: 'ISO_IR 192', ...dataset } : dataset;
  const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClassUid,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
  });
  const dict = new dcmjs.data.DicomDict(meta);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(dict.write());
}

/** DICOM DA and TM in UTC (the objects also carry Timezone Offset From UTC +0000). */
export function dicomDateTime(now: Date): { date: string; time: string } {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return {
    date: `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}`,
    time: `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}.${p(now.getUTCMilliseconds(), 3)}`,
  };
}

/** A Decimal String (at most 16 characters) as close to the number as fits; the exact value goes in an FD beside it. */
export function decimalString(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`a DICOM decimal string needs a finite number, got ${value}`);
  for (let digits = 15; digits >= 1; digits--) {
    const s = String(Number(value.toPrecision(digits)));
    if (s.length <= 16) return s;
  }
  return value.toExponential(8);
}
