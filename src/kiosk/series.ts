// A series in the kiosk: DICOM files (one per slice, or multi-frame) or a NIfTI volume as an ordered list of slices,
// each decoded on demand and windowed by the core, so the user's window applies to every slice the same way.
import { createDicomCodecs } from '../core/decoders/dicom-codecs.js';
import { openDicom } from '../core/decoders/dicom-decoder.js';
import { dicomSeriesKey, sortSeries, type SeriesKey } from '../core/decoders/dicom-series.js';
import { createJpegTurbo } from '../core/decoders/jpeg-turbo.js';
import { openNifti } from '../core/decoders/nifti-decoder.js';
import { sniffFormat } from '../core/decoders/sniff.js';
import { ImageInputError } from '../core/errors.js';
import { renderSlice, type RenderedSlice, type Slice, type Window } from '../core/decoders/window.js';
import { kioskModules } from './decoder.js';

export interface SeriesSlice {
  /** What the scrubber says: "IM0003.dcm", "IM0003.dcm frame 2", "axial 90". */
  name: string;
  load(): Promise<Slice>;
  /** The DICOM file the slice is in, for "Save as DICOM" (results go into its study). */
  dicom?: Uint8Array;
}

export interface Series {
  slices: SeriesSlice[];
  /** "DICOM, 1.2.840.10008.1.2.4.90" or "NIfTI, axial". */
  kind: string;
}

const codecs = createDicomCodecs(kioskModules, createJpegTurbo(kioskModules.jpeg));

/** Whether these files should open as a series (several files, a DICOM or a NIfTI) rather than as one picture. */
export async function isSeries(files: File[]): Promise<boolean> {
  if (files.length !== 1) return true;
  const head = new Uint8Array(await files[0].slice(0, 1024).arrayBuffer());
  const format = sniffFormat(head);
  return format === 'dicom' || format === 'nifti' || format === 'gzip';
}

/** Orders and opens the files (headers only); throws ImageInputError when nothing in them is an MR slice. */
export async function openSeries(files: File[], maxPixels: number): Promise<Series> {
  const items: { name: string; bytes: Uint8Array; key?: SeriesKey }[] = [];
  for (const file of files) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    items.push({ name: file.webkitRelativePath || file.name, bytes, key: dicomSeriesKey(bytes) });
  }
  const slices: SeriesSlice[] = [];
  let kind = '';
  let firstError: unknown;
  const series = new Set<string>();
  for (const item of sortSeries(items)) {
    try {
      const format = sniffFormat(item.bytes);
      if (format === 'dicom') {
        const scan = openDicom(item.bytes, { maxPixels }, codecs);
        if (scan.seriesUid) series.add(scan.seriesUid);
        kind ||= `DICOM, ${scan.transferSyntax.name}`;
        for (let frame = 1; frame <= scan.frames; frame++) {
          slices.push({ name: scan.frames > 1 ? `${item.name} frame ${frame}` : item.name, load: () => scan.slice(frame), dicom: item.bytes });
        }
      } else if (format === 'nifti') {
        const volume = openNifti(item.bytes, { maxPixels });
        kind ||= 'NIfTI, axial';
        for (let i = 0; i < volume.slices('axial'); i++) slices.push({ name: `${item.name} axial ${i}`, load: async () => volume.slice('axial', i) });
      } else {
        throw new ImageInputError('unsupported_type', `${item.name} is not a DICOM or NIfTI file.`);
      }
    } catch (error) {
      firstError ??= error;
    }
  }
  if (slices.length === 0) throw firstError ?? new ImageInputError('not_an_image', 'No DICOM or NIfTI slice was found in what you opened.');
  if (series.size > 1) throw new ImageInputError('invalid_parameter', `These files belong to ${series.size} different series; open one series at a time.`);
  return { slices, kind };
}

export function render(slice: Slice, window?: Window): RenderedSlice {
  return renderSlice(slice, window);
}

/** Window presets for MR (values after rescale): "file" keeps the file's or the automatic window. */
export const WINDOW_PRESETS: Record<string, (auto: Window) => Window | undefined> = {
  file: () => undefined,
  narrow: (auto) => ({ center: auto.center, width: auto.width * 0.6 }),
  wide: (auto) => ({ center: auto.center, width: auto.width * 1.6 }),
  bright: (auto) => ({ center: auto.center - auto.width * 0.15, width: auto.width }),
};
