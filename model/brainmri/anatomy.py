"""Real anatomy for the generator: a T1 volume (Colin27 by default), its brain mask, tissue levels and the sella."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

DEFAULT_TEMPLATE = Path("/usr/share/mricron/templates/ch2.nii.gz")
# Centre of the pituitary fossa in MNI millimetres, read off Colin27's midline sagittal slice (voxel 90, 132, 42).
SELLA_MNI = (0.0, 7.0, -29.0)
PLANES = ("axial", "coronal", "sagittal")
AXIS_OF = {"sagittal": 0, "coronal": 1, "axial": 2}  # the volume axis each plane cuts across


def _require_nibabel():
    try:
        import nibabel as nib  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise SystemExit(
            "nibabel is missing: run `npm run setup:training` (Debian: apt-get install python3-nibabel) "
            "or `pip install nibabel`"
        ) from exc
    return nib


@dataclass
class Slice:
    t1: np.ndarray  # float32, rows top = superior (coronal/sagittal) or anterior (axial)
    brain: np.ndarray  # bool
    intracranial: np.ndarray  # bool, brain dilated to the inner table
    head: np.ndarray  # bool
    wm: np.ndarray  # bool, white matter
    sella: tuple[float, float]  # (row, col) of the sella in this slice's frame
    midline_col: float  # column of the mid-sagittal plane (axial/coronal)
    csf_below: float  # T1 intensity under which a voxel is more CSF than grey matter

    @cached_property
    def inner_table_mm(self) -> np.ndarray:
        """Distance (mm) from each point inside the skull to the inner table. Holes filled first: the outline round an
        internal notch of a slice's mask is not next to the skull."""
        return ndi.distance_transform_edt(ndi.binary_fill_holes(self.intracranial))

    @cached_property
    def levels(self) -> np.ndarray:
        """The nested masks as one label map (0 outside, 1 head, 2 intracranial, 3 brain, 4 white matter), so the
        generator samples them all with one nearest-neighbour lookup."""
        return (self.head.astype(np.uint8) + (self.intracranial & self.head) + (self.brain & self.head)
                + (self.wm & self.brain & self.head)).astype(np.uint8)


class Anatomy:
    def __init__(self, template: str | Path | None = None, brain_mask: str | Path | None = None, sella_mm=None) -> None:
        nib = _require_nibabel()
        template = Path(template) if template else DEFAULT_TEMPLATE
        if not template.exists():
            raise SystemExit(
                f"T1 template {template} not found: install Debian's mricron-data (`npm run setup:training`) "
                "or pass --template PATH to another T1-weighted NIfTI volume"
            )
        img = nib.as_closest_canonical(nib.load(str(template)))
        vol = np.asarray(img.dataobj, dtype=np.float32)
        if vol.ndim == 4:
            vol = vol[..., 0]
        zooms = np.array(img.header.get_zooms()[:3], dtype=np.float64)
        affine = img.affine.copy()
        if np.any(np.abs(zooms - 1.0) > 0.05):  # resample to 1 mm so lesion sizes are in millimetres
            vol = ndi.zoom(vol, zooms, order=1)
            affine = affine @ np.diag([1 / zooms[0], 1 / zooms[1], 1 / zooms[2], 1.0])
        pos = vol[vol > 0]
        vol = np.clip(vol / np.percentile(pos, 99.5) * 230.0, 0, 255).astype(np.float32)
        self.vol = vol
        self.affine = affine

        mask_path = Path(brain_mask) if brain_mask else None
        if mask_path is None and template.name == "ch2.nii.gz" and (template.parent / "ch2bet.nii.gz").exists():
            mask_path = template.parent / "ch2bet.nii.gz"
        if mask_path is not None:
            m = nib.as_closest_canonical(nib.load(str(mask_path)))
            brain = np.asarray(m.dataobj) > 0
            if brain.shape != vol.shape:
                brain = ndi.zoom(brain.astype(np.float32), np.array(vol.shape) / np.array(brain.shape), order=0) > 0.5
        else:
            brain = self._estimate_brain(vol)
        brain = ndi.binary_fill_holes(ndi.binary_opening(brain, iterations=1))
        self.brain = brain
        head = ndi.gaussian_filter(vol, 1.5) > 12.0
        self.head = ndi.binary_fill_holes(head) | brain

        # Tissue levels by 3-class k-means on brain intensities (CSF < grey < white on T1).
        vals = vol[brain]
        centers = np.percentile(vals, [10, 50, 90]).astype(np.float64)
        for _ in range(20):
            lab = np.argmin(np.abs(vals[:, None] - centers[None, :]), axis=1)
            centers = np.array([vals[lab == k].mean() if np.any(lab == k) else centers[k] for k in range(3)])
        self.csf, self.gm, self.wm = (float(c) for c in np.sort(centers))
        self.wm_mask = brain & (vol > (self.gm + self.wm) / 2)

        sella = np.array(sella_mm if sella_mm is not None else SELLA_MNI, dtype=np.float64)
        self.sella_vox = (np.linalg.inv(affine) @ np.append(sella, 1.0))[:3]
        self.midline_x = float((np.linalg.inv(affine) @ np.array([0.0, 0.0, 0.0, 1.0]))[0])
        if not (0 <= self.midline_x < vol.shape[0]):
            self.midline_x = vol.shape[0] / 2.0
        for a in range(3):
            if not (0 <= self.sella_vox[a] < vol.shape[a]):
                raise SystemExit(
                    f"the sella position {tuple(sella)} mm lies outside {template}; pass --sella X,Y,Z in the volume's mm"
                )
        self.brain_area = {p: self.brain.sum(axis=tuple(i for i in range(3) if i != AXIS_OF[p])) for p in PLANES}
        self._cache: dict = {}

    @staticmethod
    def _estimate_brain(vol: np.ndarray) -> np.ndarray:
        """Rough brain mask for a template without one: threshold, erode away the skull, keep the largest blob."""
        head = ndi.binary_fill_holes(ndi.gaussian_filter(vol, 1.0) > 15)
        inner = ndi.binary_erosion(head, iterations=8) & (vol > np.percentile(vol[head], 35))
        inner = ndi.binary_opening(inner, iterations=3)
        lab, n = ndi.label(inner)
        if n == 0:
            raise SystemExit("could not find a brain in the template; pass --brain-mask PATH")
        sizes = ndi.sum(inner, lab, range(1, n + 1))
        brain = lab == (1 + int(np.argmax(sizes)))
        return ndi.binary_fill_holes(ndi.binary_dilation(brain, iterations=3))

    def sella_slice(self, plane: str) -> float:
        """Slice index (volume voxels along the plane's axis) that cuts through the sella."""
        return float(self.sella_vox[AXIS_OF[plane]])

    def depth_range(self, plane: str, min_fraction: float) -> tuple[int, int]:
        area = self.brain_area[plane]
        idx = np.where(area >= min_fraction * area.max())[0]
        return int(idx[0]), int(idx[-1])

    def slice(self, plane: str, index: int) -> Slice:
        key = (plane, index)
        if key in self._cache:
            return self._cache[key]

        def cut(v):
            if plane == "sagittal":
                a = v[index, :, :]
            elif plane == "coronal":
                a = v[:, index, :]
            else:
                a = v[:, :, index]
            return np.ascontiguousarray(a.T[::-1])  # rows: superior (or anterior) at top

        t1 = cut(self.vol)
        brain = cut(self.brain)
        head = cut(self.head)
        wm = cut(self.wm_mask)
        intracranial = ndi.binary_dilation(brain, iterations=4) & head
        sx, sy, sz = self.sella_vox
        nrows = t1.shape[0]
        if plane == "sagittal":
            sella = (nrows - 1 - sz, sy)
        elif plane == "coronal":
            sella = (nrows - 1 - sz, sx)
        else:
            sella = (nrows - 1 - sy, sx)
        s = Slice(t1, brain, intracranial, head, wm, (float(sella[0]), float(sella[1])), self.midline_x,
                  0.5 * (self.csf + self.gm))
        if len(self._cache) > 600:
            self._cache.clear()
        self._cache[key] = s
        return s
