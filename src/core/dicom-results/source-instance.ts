// Reads, from a source DICOM instance, what a derived result object must copy or reference; identifiers stay inside.
import type { NaturalDataset } from 'dcmjs';
import dcmjs from './dcmjs-quiet.js';

/** Patient module attributes copied verbatim into derived objects (PS3.3 C.7.1.1). */
const PATIENT_KEYS = ['PatientName', 'PatientID', 'IssuerOfPatientID', 'PatientBirthDate', 'PatientSex', 'PatientIdentityRemoved', 'DeidentificationMethod'] as const;
/** General Study module attributes copied verbatim (PS3.3 C.7.2.1); the study UID puts the result in the same study. */
const STUDY_KEYS = ['StudyInstanceUID', 'StudyDate', 'StudyTime', 'ReferringPhysicianName', 'StudyID', 'AccessionNumber', 'StudyDescription'] as const;

export type SourceErrorCode = 'not_dicom' | 'missing_attribute';

/** The bytes are not a DICOM Part 10 file this writer can derive from; the message says what is missing. */
export class DicomSourceError extends Error {
  readonly code: SourceErrorCode;
  constructor(code: SourceErrorCode, message: string) {
    super(message);
    this.name = 'DicomSourceError';
    this.code = code;
  }
}

interface SourceFields {
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  modality: string;
  transferSyntaxUid: string;
  seriesNumber?: number;
  instanceNumber?: number;
  frameOfReferenceUid?: string;
  rows?: number;
  columns?: number;
  pixelSpacing?: [number, number];
}

/**
 * The parts of a source instance that results need. Patient and study identifiers live in a private field:
 * they are written only into derived DICOM objects, and toJSON() (hence JSON.stringify, pino, util.inspect) redacts them.
 */
export class SourceInstance {
  readonly #fields: SourceFields;
  readonly #context: NaturalDataset;

  constructor(fields: SourceFields, patientStudyContext: NaturalDataset) {
    this.#fields = { ...fields };
    this.#context = { ...patientStudyContext };
  }

  get sopClassUid(): string { return this.#fields.sopClassUid; }
  get sopInstanceUid(): string { return this.#fields.sopInstanceUid; }
  get seriesInstanceUid(): string { return this.#fields.seriesInstanceUid; }
  get studyInstanceUid(): string { return this.#fields.studyInstanceUid; }
  get modality(): string { return this.#fields.modality; }
  get transferSyntaxUid(): string { return this.#fields.transferSyntaxUid; }
  get seriesNumber(): number | undefined { return this.#fields.seriesNumber; }
  get instanceNumber(): number | undefined { return this.#fields.instanceNumber; }
  get frameOfReferenceUid(): string | undefined { return this.#fields.frameOfReferenceUid; }
  get rows(): number | undefined { return this.#fields.rows; }
  get columns(): number | undefined { return this.#fields.columns; }
  get pixelSpacing(): [number, number] | undefined { return this.#fields.pixelSpacing; }

  /** Patient and General Study attributes by keyword (dcmjs natural form), for the writers in this folder only. */
  patientStudyAttributes(): NaturalDataset {
    // dcmjs decorates person names with accessors structuredClone refuses; the values themselves are plain JSON.
    return JSON.parse(JSON.stringify(this.#context)) as NaturalDataset;
  }

  /** Safe to log: no identifiers, no UIDs (a study UID leads back to the patient). */
  toJSON(): Record<string, unknown> {
    const f = this.#fields;
    return {
      sopClassUid: f.sopClassUid,
      modality: f.modality,
      transferSyntaxUid: f.transferSyntaxUid,
      rows: f.rows,
      columns: f.columns,
      seriesNumber: f.seriesNumber,
      instanceNumber: f.instanceNumber,
      identifiers: '[redacted]',
    };
  }

  /** Node's console.log / util.inspect show the redacted form too. */
  [Symbol.for('nodejs.util.inspect.custom')](): Record<string, unknown> {
    return this.toJSON();
  }
}

function text(ds: NaturalDataset, key: string): string | undefined {
  const v = ds[key];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
}

function int(ds: NaturalDataset, key: string): number | undefined {
  const v = ds[key];
  const first = Array.isArray(v) ? v[0] : v;
  const n = typeof first === 'string' ? Number(first) : first;
  return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : undefined;
}

function required(ds: NaturalDataset, key: string): string {
  const v = text(ds, key);
  if (v === undefined) throw new DicomSourceError('missing_attribute', `the source DICOM has no ${key}; a result can only be attached to an instance that has one`);
  return v;
}

/** Parses the header (stops before Pixel Data). Throws DicomSourceError for non-DICOM bytes or missing UIDs. */
export function readSourceInstance(bytes: Uint8Array): SourceInstance {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let dict;
  try {
    dict = dcmjs.data.DicomMessage.readFile(buffer, { untilTag: '7FE00010', includeUntilTagValue: false });
  } catch (err) {
    throw new DicomSourceError('not_dicom', `the bytes are not a readable DICOM Part 10 file (128-byte preamble, "DICM", meta header): ${(err as Error).message}`);
  }
  const meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta);
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  const spacing = ds.PixelSpacing;
  const pixelSpacing =
    Array.isArray(spacing) && spacing.length === 2 && spacing.every((v) => Number.isFinite(Number(v))) ? ([Number(spacing[0]), Number(spacing[1])] as [number, number]) : undefined;
  const context: NaturalDataset = {};
  for (const key of [...PATIENT_KEYS, ...STUDY_KEYS]) if (ds[key] !== undefined) context[key] = ds[key];
  return new SourceInstance(
    {
      sopClassUid: required(ds, 'SOPClassUID'),
      sopInstanceUid: required(ds, 'SOPInstanceUID'),
      seriesInstanceUid: required(ds, 'SeriesInstanceUID'),
      studyInstanceUid: required(ds, 'StudyInstanceUID'),
      modality: text(ds, 'Modality') ?? '',
      transferSyntaxUid: text(meta, 'TransferSyntaxUID') ?? '',
      seriesNumber: int(ds, 'SeriesNumber'),
      instanceNumber: int(ds, 'InstanceNumber'),
      frameOfReferenceUid: text(ds, 'FrameOfReferenceUID'),
      rows: int(ds, 'Rows'),
      columns: int(ds, 'Columns'),
      pixelSpacing,
    },
    context,
  );
}
