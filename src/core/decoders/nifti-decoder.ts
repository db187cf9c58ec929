// NIfTI-1/2 volumes (.nii, .nii.gz) to one slice: header first (limits, type), then the first 3D volume, reoriented to
// RAS+ and cut as the training data was (nibabel's as_closest_canonical, then anatomy.py's `a.T[::-1]`).
import type { DecodeLimits, DecodeOptions, FormatDecoder, InputSource, Plane } from '../decoder.js';
import { ImageInputError } from '../errors.js';
import { resizePlane } from '../resize.js';
import { inflateLimited } from './inflate.js';
import { admit } from './limits.js';
import { NIFTI_HEADER_BYTES, readNiftiHeader, voxelArray, VOXEL_TYPES, type NiftiHeader } from './nifti-header.js';
import { AXIS_OF, canonicalToStored, ioOrientation, sliceGeometry } from './nifti-orientation.js';
import { renderSlice, type GreySlice } from './window.js';

export const NIFTI_DESCRIPTION = 'NIfTI-1/2 volume (.nii or .nii.gz)';
export const PLANES: readonly Plane[] = ['axial', 'coronal', 'sagittal'];

/** Hard ceiling on a volume's voxel bytes, whatever the limits say: a volume is held whole in memory. */
const MAX_VOLUME_BYTES = 1024 * 1048576;

export interface NiftiVolume {
  header: NiftiHeader;
  /** Slices along each plane's axis. */
  slices(plane: Plane): number;
  /** Slice `index` (0-based, RAS+: axial 0 is the most inferior) of `plane`, in the training's orientation. */
  slice(plane: Plane, index: number): GreySlice;
  /** The slice through the middle of the head along that plane's axis. */
  middleSlice(plane: Plane): number;
}

const isGzip = (b: Uint8Array): boolean => b[0] === 0x1f && b[1] === 0x8b;

/** True when the bytes are gzip holding a NIfTI header (decompresses the first kilobyte only). */
export function gzipHoldsNifti(bytes: Uint8Array): boolean {
  if (!isGzip(bytes)) return false;
  try {
    const head = inflateLimited(bytes, { gzip: true, maxBytes: 1 << 20, what: 'gzip file', stopAfter: NIFTI_HEADER_BYTES });
    if (head.length < 348) return false;
    const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const n1 = v.getInt32(0, true) === 348 || v.getInt32(0, false) === 348;
    const n2 = v.getInt32(0, true) === 540 || v.getInt32(0, false) === 540;
    const magic = (at: number) => String.fromCharCode(head[at], head[at + 1], head[at + 2]);
    return (n1 && /^n(\+|i)1$/.test(magic(344))) || (n2 && /^n(\+|i)2$/.test(magic(4)));
  } catch {
    return false;
  }
}

/** Reads the header, admits the volume, decompresses (bounded) and returns a volume to cut slices from. */
export function openNifti(bytes: Uint8Array, limits: DecodeLimits): NiftiVolume {
  const gz = isGzip(bytes);
  const headBytes = gz ? inflateLimited(bytes, { gzip: true, maxBytes: 1 << 20, what: 'NIfTI file', stopAfter: NIFTI_HEADER_BYTES }) : bytes;
  const header = readNiftiHeader(headBytes);
  const type = VOXEL_TYPES[header.datatype];
  if (!type) {
    throw new ImageInputError(
      'unsupported_type',
      `NIfTI datatype ${header.datatype} (${header.bitpix} bits) is not supported; accepted: ${Object.values(VOXEL_TYPES).map((t) => t.name).join(', ')} (a scalar MR volume). Convert it with nibabel or fslmaths.`,
    );
  }
  const [nx, ny, nz] = header.dims;
  const voxels = nx * ny * nz;
  const volumeBytes = voxels * type.bytes;
  // Admission from the header: the largest slice against the pixel limit, the 3D volume against the byte limits.
  const largest = Math.max(nx * ny, nx * nz, ny * nz);
  const side = Math.max(nx, ny, nz);
  admit({ width: side, height: Math.ceil(largest / side), channels: 1, bytesPerSample: 4 }, { maxPixels: limits.maxPixels });
  const maxVolume = Math.min(MAX_VOLUME_BYTES, limits.maxDecodedBytes ?? MAX_VOLUME_BYTES);
  if (volumeBytes > maxVolume) {
    throw new ImageInputError(
      'too_many_pixels',
      `The NIfTI volume is ${nx} x ${ny} x ${nz} ${type.name} voxels (${Math.round(volumeBytes / 1048576)} MB); the limit is ${Math.round(maxVolume / 1048576)} MB. Crop or downsample it.`,
    );
  }
  const offset = Math.max(header.version === 1 ? 352 : 544, Math.round(header.voxOffset));
  const needed = offset + volumeBytes;
  // Only the first 3D volume is read (a 4D series shows its first time point); a gzip stream stops there, so a
  // "bomb" cannot expand past what the header announced.
  const data = gz ? inflateLimited(bytes, { gzip: true, maxBytes: needed + (1 << 20), what: 'NIfTI file', stopAfter: needed }) : bytes;
  if (data.length < needed) {
    throw new ImageInputError('corrupt_image', `The NIfTI file is truncated: its voxels need ${needed} bytes, it holds ${data.length}. Save the volume again.`);
  }
  const voxelsArray = voxelArray(data, offset, voxels, type, header.littleEndian);
  const slope = Number.isFinite(header.sclSlope) && header.sclSlope !== 0 ? header.sclSlope : 1;
  const inter = slope === 1 && !(Number.isFinite(header.sclSlope) && header.sclSlope !== 0) ? 0 : Number.isFinite(header.sclInter) ? header.sclInter : 0;
  const stored = [nx, ny, nz];
  const strides = [1, nx, nx * ny];
  const ornt = ioOrientation(header.affine);
  const map = canonicalToStored(ornt, stored);
  const canonicalDims = map.map((m) => m.size);
  const zoomOf = (storedAxis: number): number => Math.hypot(header.affine[0][storedAxis], header.affine[1][storedAxis], header.affine[2][storedAxis]) || 1;
  const canonicalZooms = map.map((m) => zoomOf(m.axis));
  const read = (storedIndex: number): number => voxelsArray[storedIndex] * slope + inter;

  /** Stored linear offset of canonical coordinate `c` along canonical axis `a`. */
  const offsetAlong = (a: number, c: number): number => {
    const m = map[a];
    return (m.flip ? m.size - 1 - c : c) * strides[m.axis];
  };

  let headExtent: Map<Plane, [number, number]> | undefined;
  const extentOf = (plane: Plane): [number, number] => {
    headExtent ??= computeHeadExtents();
    return headExtent.get(plane)!;
  };

  /** Per-plane range of slices with at least 15 % of the largest head cross-section (anatomy.py's depth_range). */
  function computeHeadExtents(): Map<Plane, [number, number]> {
    const step = Math.max(1, Math.floor(voxels / 200_000));
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < voxels; i += step) {
      const v = voxelsArray[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    // In stored units (the rescale is monotonic; a negative slope flips which side is bright, rare enough to ignore).
    const threshold = min + 0.15 * (max - min);
    const counts = canonicalDims.map((n) => new Float64Array(n));
    for (let k = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0, s = j * nx + k * nx * ny; i < nx; i++, s++) {
          if (voxelsArray[s] > threshold) {
            const idx = [i, j, k];
            for (let a = 0; a < 3; a++) {
              const m = map[a];
              const c = m.flip ? m.size - 1 - idx[m.axis] : idx[m.axis];
              counts[a][c]++;
            }
          }
        }
    const result = new Map<Plane, [number, number]>();
    for (const plane of PLANES) {
      const c = counts[AXIS_OF[plane]];
      const peak = Math.max(...c);
      let lo = 0;
      let hi = c.length - 1;
      if (peak > 0) {
        while (c[lo] < 0.15 * peak) lo++;
        while (c[hi] < 0.15 * peak) hi--;
      }
      result.set(plane, [lo, hi]);
    }
    return result;
  }

  return {
    header,
    slices: (plane) => canonicalDims[AXIS_OF[plane]],
    middleSlice(plane) {
      const [lo, hi] = extentOf(plane);
      return Math.round((lo + hi) / 2);
    },
    slice(plane, index) {
      const across = AXIS_OF[plane];
      const count = canonicalDims[across];
      if (!Number.isInteger(index) || index < 0 || index >= count) {
        throw new ImageInputError(
          'slice_out_of_range',
          `slice ${index} does not exist: the volume has ${count} ${plane} slices (slice is 0-based: 0..${count - 1}, RAS+ order, 0 = most ${plane === 'axial' ? 'inferior' : plane === 'coronal' ? 'posterior' : 'left'}).`,
          { slice: index, slices: count, plane },
        );
      }
      const g = sliceGeometry(plane, canonicalDims);
      const base = offsetAlong(across, index);
      const colOffsets = new Float64Array(g.width);
      for (let c = 0; c < g.width; c++) colOffsets[c] = offsetAlong(g.colAxis, c);
      let values: Float32Array = new Float32Array(g.width * g.height);
      for (let r = 0; r < g.height; r++) {
        const rowBase = base + offsetAlong(g.rowAxis, g.height - 1 - r);
        for (let c = 0; c < g.width; c++) values[r * g.width + c] = read(rowBase + colOffsets[c]);
      }
      let width = g.width;
      let height = g.height;
      // Square pixels: anatomy.py resamples the volume to 1 mm before cutting, so anisotropic voxels keep their shape.
      const colMm = canonicalZooms[g.colAxis];
      const rowMm = canonicalZooms[g.rowAxis];
      if (Math.abs(colMm - rowMm) > 0.01 * Math.min(colMm, rowMm)) {
        const fine = Math.min(colMm, rowMm);
        const w2 = Math.max(1, Math.round((width * colMm) / fine));
        const h2 = Math.max(1, Math.round((height * rowMm) / fine));
        for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) values[i] = 0;
        values = resizePlane(values, width, height, w2, h2);
        width = w2;
        height = h2;
      }
      return { kind: 'grey', width, height, values, voiFunction: 'linear-exact', invert: false };
    },
  };
}

export function createNiftiDecoder(): FormatDecoder {
  return {
    format: 'nifti',
    description: NIFTI_DESCRIPTION,
    async decode(bytes, options: DecodeOptions) {
      if (options.params?.frame !== undefined) {
        throw new ImageInputError('invalid_parameter', '`frame` applies to multi-frame DICOM; a NIfTI volume takes `plane` (axial, coronal, sagittal) and `slice` (0-based).');
      }
      const volume = openNifti(bytes, options);
      const plane = options.params?.plane ?? 'axial';
      const index = options.params?.slice ?? volume.middleSlice(plane);
      const rendered = renderSlice(volume.slice(plane, index), options.params?.window);
      const source: InputSource = { format: 'nifti', plane, slice: index, slices: volume.slices(plane), ...(rendered.window ? { window: rendered.window } : {}) };
      return { image: rendered.image, source };
    },
  };
}
