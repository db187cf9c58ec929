// Orders the files of a DICOM series the way a viewer stacks them: by position along the slice normal, then instance number.
import { readDicom } from './dicom-dataset.js';
import { sniffFormat } from './sniff.js';

export interface SeriesKey {
  seriesUid?: string;
  instanceNumber?: number;
  slicePosition?: number;
  frames: number;
}

/** The sort key of a DICOM file, or undefined for anything else (or a DICOM too damaged to read). Reads the header only. */
export function dicomSeriesKey(bytes: Uint8Array): SeriesKey | undefined {
  if (sniffFormat(bytes) !== 'dicom') return undefined;
  try {
    const img = readDicom(bytes, 64 * 1048576);
    return { seriesUid: img.seriesUid, instanceNumber: img.instanceNumber, slicePosition: img.slicePosition, frames: img.frames };
  } catch {
    return undefined;
  }
}

const collator = new Intl.Collator('en', { numeric: true });

/**
 * Sorts items with DICOM keys: by slice position when every file has one (inferior or posterior first), else by
 * instance number, else by name (natural order); files without keys keep their name order after the DICOM files.
 */
export function sortSeries<T extends { name: string; key?: SeriesKey }>(items: T[]): T[] {
  const dicom = items.filter((i) => i.key);
  const other = items.filter((i) => !i.key).sort((a, b) => collator.compare(a.name, b.name));
  const byPosition = dicom.length > 0 && dicom.every((i) => i.key!.slicePosition !== undefined);
  const byInstance = dicom.length > 0 && dicom.every((i) => i.key!.instanceNumber !== undefined);
  dicom.sort((a, b) => {
    if (byPosition && a.key!.slicePosition !== b.key!.slicePosition) return a.key!.slicePosition! - b.key!.slicePosition!;
    if (byInstance && a.key!.instanceNumber !== b.key!.instanceNumber) return a.key!.instanceNumber! - b.key!.instanceNumber!;
    return collator.compare(a.name, b.name);
  });
  return [...dicom, ...other];
}
