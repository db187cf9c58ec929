// NIfTI-1 and NIfTI-2 headers (either byte order) and the voxel-to-world affine chosen the way nibabel chooses it.
//
// Ours rather than nifti-reader-js: that library prefers the qform over the sform when the qform's code is higher,
// ignores the qform of NIfTI-2 files and leaves unoriented files unflipped, while nibabel, which cut the training
// slices, takes the sform whenever its code is set, then the qform, then Analyze's x-flipped base affine. The slice a
// user sees must be cut as the model was trained, so the choice has to be nibabel's.
import { ImageInputError } from '../errors.js';

export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  /** dim[1..7] (only the first dim[0] are meaningful). */
  dims: number[];
  datatype: number;
  bitpix: number;
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  /** 4 x 4 row-major voxel (i, j, k) to world (x, y, z) mm. */
  affine: number[][];
}

type VoxelArray = Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export interface VoxelType {
  name: string;
  bytes: number;
  array: new (buffer: ArrayBuffer, offset: number, length: number) => VoxelArray;
}

export const VOXEL_TYPES: Record<number, VoxelType> = {
  2: { name: 'uint8', bytes: 1, array: Uint8Array },
  256: { name: 'int8', bytes: 1, array: Int8Array },
  4: { name: 'int16', bytes: 2, array: Int16Array },
  512: { name: 'uint16', bytes: 2, array: Uint16Array },
  8: { name: 'int32', bytes: 4, array: Int32Array },
  768: { name: 'uint32', bytes: 4, array: Uint32Array },
  16: { name: 'float32', bytes: 4, array: Float32Array },
  64: { name: 'float64', bytes: 8, array: Float64Array },
};

const hostLittle = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The voxels as a typed array: a view when byte order and alignment allow, else one aligned (and swapped) copy. */
export function voxelArray(data: Uint8Array, offset: number, count: number, type: VoxelType, little: boolean): VoxelArray {
  const start = data.byteOffset + offset;
  if (little === hostLittle && start % type.bytes === 0) return new type.array(data.buffer as ArrayBuffer, start, count);
  const copy = data.slice(offset, offset + count * type.bytes);
  if (little !== hostLittle && type.bytes > 1) {
    for (let i = 0; i < copy.length; i += type.bytes) copy.subarray(i, i + type.bytes).reverse();
  }
  return new type.array(copy.buffer, 0, count);
}

const corrupt = (detail: string): ImageInputError =>
  new ImageInputError('corrupt_image', `The NIfTI file is damaged or truncated (${detail}). Save the volume again (.nii or .nii.gz).`);

/** nibabel's quaternion to rotation (quaternions.quat2mat with a recomputed, non-negative w). */
function quaternionMatrix(b: number, c: number, d: number): number[][] {
  let w2 = 1 - (b * b + c * c + d * d);
  if (w2 < 0) w2 = Math.abs(w2) < 1e-7 ? 0 : w2; // nibabel's fillpositive tolerance for float32 inputs
  if (w2 < 0) throw corrupt('the qform quaternion has a norm over 1');
  const a = Math.sqrt(w2);
  const Nq = a * a + b * b + c * c + d * d;
  if (Nq < 1e-12) return [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const s = 2 / Nq;
  const X = b * s, Y = c * s, Z = d * s;
  const wX = a * X, wY = a * Y, wZ = a * Z;
  const xX = b * X, xY = b * Y, xZ = b * Z;
  const yY = c * Y, yZ = c * Z, zZ = d * Z;
  return [
    [1 - (yY + zZ), xY - wZ, xZ + wY],
    [xY + wZ, 1 - (xX + zZ), yZ - wX],
    [xZ - wY, yZ + wX, 1 - (xX + yY)],
  ];
}

/** Parses the header, or throws ImageInputError. `bytes` must hold at least the header (348 or 540 bytes). */
export function readNiftiHeader(bytes: Uint8Array): NiftiHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 348) throw corrupt('shorter than a NIfTI header');
  let version: 1 | 2;
  let little: boolean;
  if (view.getInt32(0, true) === 348 || view.getInt32(0, false) === 348) {
    version = 1;
    little = view.getInt32(0, true) === 348;
  } else {
    version = 2;
    little = view.getInt32(0, true) === 540;
    if (bytes.length < 540) throw corrupt('shorter than a NIfTI-2 header');
  }
  const magic = String.fromCharCode(...bytes.subarray(version === 1 ? 344 : 4, version === 1 ? 347 : 7));
  if (magic === 'ni1' || magic === 'ni2') {
    throw new ImageInputError('unsupported_type', 'This is a NIfTI header without its image (a .hdr/.img pair). Send a single-file .nii or .nii.gz volume.');
  }
  const i16 = (o: number) => view.getInt16(o, little);
  const i32 = (o: number) => view.getInt32(o, little);
  const f32 = (o: number) => view.getFloat32(o, little);
  const f64 = (o: number) => view.getFloat64(o, little);
  const i64 = (o: number) => Number(view.getBigInt64(o, little));
  const h =
    version === 1
      ? {
          dims: Array.from({ length: 8 }, (_, k) => i16(40 + k * 2)),
          datatype: i16(70),
          bitpix: i16(72),
          pixdim: Array.from({ length: 8 }, (_, k) => f32(76 + k * 4)),
          voxOffset: f32(108),
          sclSlope: f32(112),
          sclInter: f32(116),
          qformCode: i16(252),
          sformCode: i16(254),
          quatern: [f32(256), f32(260), f32(264)],
          qoffset: [f32(268), f32(272), f32(276)],
          srow: [0, 1, 2].map((r) => [0, 1, 2, 3].map((k) => f32(280 + r * 16 + k * 4))),
        }
      : {
          dims: Array.from({ length: 8 }, (_, k) => i64(16 + k * 8)),
          datatype: i16(12),
          bitpix: i16(14),
          pixdim: Array.from({ length: 8 }, (_, k) => f64(104 + k * 8)),
          voxOffset: i64(168),
          sclSlope: f64(176),
          sclInter: f64(184),
          qformCode: i32(344),
          sformCode: i32(348),
          quatern: [f64(352), f64(360), f64(368)],
          qoffset: [f64(376), f64(384), f64(392)],
          srow: [0, 1, 2].map((r) => [0, 1, 2, 3].map((k) => f64(400 + r * 32 + k * 8))),
        };
  const ndim = h.dims[0];
  if (!(ndim >= 1 && ndim <= 7)) throw corrupt(`dim[0] is ${ndim}`);
  const dims = h.dims.slice(1, 8).map((d, k) => (k < ndim ? d : 1));
  if (dims.some((d) => !(d >= 1))) throw corrupt(`a dimension is ${dims.find((d) => !(d >= 1))}`);
  let affine: number[][];
  const zooms = [1, 2, 3].map((k) => (Number.isFinite(h.pixdim[k]) && h.pixdim[k] !== 0 ? Math.abs(h.pixdim[k]) : 1));
  if (h.sformCode !== 0) {
    affine = [...h.srow, [0, 0, 0, 1]];
  } else if (h.qformCode !== 0) {
    const R = quaternionMatrix(h.quatern[0], h.quatern[1], h.quatern[2]);
    const qfac = h.pixdim[0] === -1 ? -1 : 1;
    const scale = [zooms[0], zooms[1], zooms[2] * qfac];
    affine = [0, 1, 2].map((r) => [R[r][0] * scale[0], R[r][1] * scale[1], R[r][2] * scale[2], h.qoffset[r]]);
    affine.push([0, 0, 0, 1]);
  } else {
    // Analyze's base affine, as nibabel: x flipped, origin at the volume's centre.
    const [nx, ny, nz] = dims;
    affine = [
      [-zooms[0], 0, 0, ((nx - 1) / 2) * zooms[0]],
      [0, zooms[1], 0, -((ny - 1) / 2) * zooms[1]],
      [0, 0, zooms[2], -((nz - 1) / 2) * zooms[2]],
      [0, 0, 0, 1],
    ];
  }
  if (affine.flat().some((v) => !Number.isFinite(v))) throw corrupt('the orientation (sform/qform) holds non-finite numbers');
  return {
    version,
    littleEndian: little,
    dims,
    datatype: h.datatype,
    bitpix: h.bitpix,
    pixdim: h.pixdim,
    voxOffset: h.voxOffset,
    sclSlope: h.sclSlope,
    sclInter: h.sclInter,
    affine,
  };
}

/** Header bytes to read before anything else (the larger of the two versions). */
export const NIFTI_HEADER_BYTES = 540;
