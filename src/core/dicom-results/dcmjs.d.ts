// Types for the part of dcmjs the DICOM result writer uses (the package ships none).
declare module 'dcmjs' {
  /** A dataset as dcmjs stores it: tag hex (gggg eeee) -> VR and values. */
  export type DenaturalizedDataset = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string }>;
  /** A dataset keyed by DICOM keyword, sequences as arrays of datasets. */
  export type NaturalDataset = Record<string, unknown>;

  export interface DicomDictInstance {
    meta: DenaturalizedDataset;
    dict: DenaturalizedDataset;
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }

  export interface ReadOptions {
    ignoreErrors?: boolean;
    /** Stop before this tag (hex, e.g. '7FE00010'), so pixel data is not read. */
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    noCopy?: boolean;
    forceStoreRaw?: boolean;
  }

  const dcmjs: {
    /** loglevel logger shared by all of dcmjs. */
    log: { setLevel(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'): void; getLevel(): number };
    data: {
      DicomMessage: { readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDictInstance };
      DicomDict: new (meta: DenaturalizedDataset) => DicomDictInstance;
      DicomMetaDictionary: {
        naturalizeDataset(dataset: DenaturalizedDataset): NaturalDataset;
        denaturalizeDataset(dataset: NaturalDataset): DenaturalizedDataset;
      };
    };
  };
  export default dcmjs;
}
