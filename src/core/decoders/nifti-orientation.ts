// nibabel's io_orientation and as_closest_canonical (RAS+), and the training's slice cut: so a slice from any NIfTI
// shows the anatomy the way model/brainmri/anatomy.py cut the slices the model was trained on.

/** For each voxel axis: the world axis (0 R, 1 A, 2 S) it runs closest to, and +1 or -1 for its direction. */
export type Orientation = [number, number][];

const det3 = (m: number[][]): number =>
  m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);

function inverseTranspose(m: number[][]): number[][] {
  const d = det3(m);
  const c = (r: number, k: number): number => {
    const rows = [0, 1, 2].filter((x) => x !== r);
    const cols = [0, 1, 2].filter((x) => x !== k);
    const minor = m[rows[0]][cols[0]] * m[rows[1]][cols[1]] - m[rows[0]][cols[1]] * m[rows[1]][cols[0]];
    return ((r + k) % 2 ? -minor : minor) / d;
  };
  // (M^-1)^T = cofactor matrix / det
  return [0, 1, 2].map((r) => [0, 1, 2].map((k) => c(r, k)));
}

/**
 * The orthogonal part of the affine's direction matrix, found by Newton's polar iteration (R <- (R + R^-T) / 2), which
 * gives the same matrix as nibabel's SVD (U V^T) for any non-singular input.
 */
function polarRotation(rs: number[][]): number[][] {
  let r = rs.map((row) => row.slice());
  for (let i = 0; i < 50; i++) {
    if (Math.abs(det3(r)) < 1e-12) break;
    const it = inverseTranspose(r);
    const next = r.map((row, a) => row.map((v, b) => (v + it[a][b]) / 2));
    const change = Math.max(...next.flat().map((v, k) => Math.abs(v - r.flat()[k])));
    r = next;
    if (change < 1e-14) break;
  }
  return r;
}

/** nibabel.orientations.io_orientation for a 4 x 4 affine (3 spatial axes). */
export function ioOrientation(affine: number[][]): Orientation {
  const rzs = [0, 1, 2].map((r) => [0, 1, 2].map((k) => affine[r][k]));
  const zooms = [0, 1, 2].map((k) => Math.hypot(rzs[0][k], rzs[1][k], rzs[2][k]) || 1);
  const rs = rzs.map((row) => row.map((v, k) => v / zooms[k]));
  const R = polarRotation(rs);
  const ornt: Orientation = [];
  for (let inAx = 0; inAx < 3; inAx++) {
    const col = [R[0][inAx], R[1][inAx], R[2][inAx]];
    let outAx = 0;
    for (let a = 1; a < 3; a++) if (Math.abs(col[a]) > Math.abs(col[outAx])) outAx = a;
    ornt.push([outAx, col[outAx] < 0 ? -1 : 1]);
    // Later axes may not take an output axis already taken.
    for (let k = 0; k < 3; k++) R[outAx][k] = 0;
  }
  return ornt;
}

export type Plane = 'axial' | 'coronal' | 'sagittal';

/** The canonical (RAS+) axis each plane cuts across: as anatomy.py's AXIS_OF. */
export const AXIS_OF: Record<Plane, number> = { sagittal: 0, coronal: 1, axial: 2 };

export interface SliceGeometry {
  /** Canonical axis along image columns (left to right) and rows (flipped: the canonical axis's top at row 0). */
  colAxis: number;
  rowAxis: number;
  width: number;
  height: number;
}

/**
 * anatomy.py cuts v[index] across AXIS_OF[plane] of the RAS+ volume and shows `a.T[::-1]`: columns run along the lower
 * remaining axis, rows along the higher one, reversed (superior, or anterior for axial, at the top).
 */
export function sliceGeometry(plane: Plane, canonicalDims: number[]): SliceGeometry {
  const across = AXIS_OF[plane];
  const [colAxis, rowAxis] = [0, 1, 2].filter((a) => a !== across);
  return { colAxis, rowAxis, width: canonicalDims[colAxis], height: canonicalDims[rowAxis] };
}

/** Where canonical index c along canonical axis a falls in the stored volume: which stored axis, and which index. */
export function canonicalToStored(ornt: Orientation, storedDims: number[]): { axis: number; flip: boolean; size: number }[] {
  const out: { axis: number; flip: boolean; size: number }[] = [];
  for (let inAx = 0; inAx < 3; inAx++) {
    const [outAx, sign] = ornt[inAx];
    out[outAx] = { axis: inAx, flip: sign < 0, size: storedDims[inAx] };
  }
  return out;
}
