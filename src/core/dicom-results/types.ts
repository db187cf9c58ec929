// What the DICOM result writers take: one slice's inference result and how to place the new objects.

export interface AlgorithmIdentity {
  name: string;
  version: string;
  /** Lowercase hex sha256 of the model file. */
  sha256: string;
}

/** One slice's result, as the reshaped core's infer() (plus the input gate) reports it. */
export interface ResultForDicom {
  label: string;
  confidence: number;
  uncertain: boolean;
  /** Why the result is marked uncertain (empty when it is not). */
  reasons: string[];
  /** By label, in the model's output order. */
  probabilities: Record<string, number>;
  model: AlgorithmIdentity;
  gate?: { accepted: boolean; score: number; model: AlgorithmIdentity };
  familiarity?: { score: number; threshold: number };
}

/** Opaque RGBA pixels at the source image's size (alpha is dropped: DICOM RGB has none). */
export interface OverlayPixels {
  rgba: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/** A DICOM instance another object points at. */
export interface InstanceReference {
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
}

/** Where a derived object goes and how it is labelled; every field has a default. */
export interface DerivedObjectOptions {
  /** Series of the new object; default a new UID (pass the same one to put a series' results together). */
  seriesInstanceUid?: string;
  /** Default: a new UID. Pass one to know it before the bytes exist (idempotent uploads). */
  sopInstanceUid?: string;
  seriesNumber?: number;
  /** Default: the source instance's number, so results sort like the slices. */
  instanceNumber?: number;
  /** General Equipment Manufacturer. */
  manufacturer?: string;
  /** General Equipment Software Versions; default the model's name and version. */
  softwareVersions?: string;
  /** Content date and time (UTC); default now. */
  now?: Date;
  /** Shown in the object's text; default {@link DEFAULT_NOTICE}. */
  notice?: string;
}

export interface ResultSrOptions extends DerivedObjectOptions {
  /** The overlay Secondary Capture made for the same slice, referenced from the report. */
  overlay?: InstanceReference;
}

export const DEFAULT_NOTICE =
  'Demonstration model trained on synthetic lesions over real anatomy. NOT a medical device and NOT for diagnosis: never use this result for clinical decisions.';

export const DEFAULT_MANUFACTURER = 'brain-mri demonstration runtime';
