"""Real anatomy for the generator: brain volumes (and label maps) with a tissue segmentation, masks and the sella.

Every volume becomes the same thing, whatever its contrast: a 1 mm tissue map (background, scalp, skull, CSF, grey and
white matter), the nested masks the lesion rules need (head, intracranial, brain, white matter), the volume's own
texture within each tissue, the mid-sagittal plane and the pituitary fossa (sella). The generator then draws any
contrast from the tissue map (SynthSeg style), so a T2-weighted b0 volume and a label atlas serve as well as a T1.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

MRICRON = Path("/usr/share/mricron/templates")
DIPY_DATA = Path("/usr/lib/python3/dist-packages/dipy/data/files")
NIBABEL_DATA = Path("/usr/lib/python3/dist-packages/nibabel/tests/data")
# npm packages' example volumes, fetched by scripts/fetch-npm-sources.sh (npm run setup:training).
BRAINBROWSER = Path(__file__).resolve().parents[2] / "data" / "npm-sources" / "brainbrowser" / "examples" / "models"
CNIL = Path(__file__).resolve().parents[2] / "data" / "npm-sources" / "cornerstone-nifti-image-loader" / "examples" / "data"
DEFAULT_TEMPLATE = MRICRON / "ch2.nii.gz"
COLIN_FITS = Path(__file__).with_name("colin27-fits.json")  # _fit_colin's results for the fit_colin volumes in SOURCES
# Centre of the pituitary fossa in MNI millimetres, read off Colin27's midline sagittal slice (voxel 90, 132, 42).
SELLA_MNI = (0.0, 7.0, -29.0)
PLANES = ("axial", "coronal", "sagittal")
AXIS_OF = {"sagittal": 0, "coronal": 1, "axial": 2}  # the volume axis each plane cuts across

# Tissue classes of the segmentation (uint8 codes).
BACKGROUND, SCALP, SKULL, CSF, GM, WM = range(6)
TISSUES = ("background", "scalp", "skull", "csf", "gm", "wm")


@dataclass(frozen=True)
class Source:
    """One brain volume. `group` is the anatomy (one person, or one atlas): leave-one-anatomy-out holds out a group."""
    group: str
    path: Path
    kind: str  # "t1" (CSF < GM < WM), "t2" (WM < GM < CSF) or "labels" (a parcellation: tissue per label)
    subject: str  # who it is: one person, or a population average
    brain_mask: Path | None = None
    mni: bool = False  # in MNI space: the sella is at SELLA_MNI and the midline at x = 0
    sella_mm: tuple | None = None  # in the volume's world millimetres; estimated from the brain's extent if omitted
    skull: bool = True  # shows skull and scalp (else they are synthesised round the brain)
    planes: tuple = PLANES  # planes worth cutting (a thin slab has only axial ones)
    fit_colin: bool = False  # brain mask and sella from Colin27 fitted to it (a native-space head with face and neck)
    world_fix: tuple | None = None  # 4 x 4 applied to the header's affine where its axes misname the anatomy


# Every human brain volume found in Debian and npm packages here (docs/model.md says what was left out and why).
SOURCES = (
    Source("colin27", MRICRON / "ch2.nii.gz", "t1", "one person (C.J. Holmes), 27 T1 scans averaged, 1 mm, with skull",
           MRICRON / "ch2bet.nii.gz", mni=True),
    Source("colin27", MRICRON / "ch2better.nii.gz", "t1", "the same person at 0.5 mm, brain only", mni=True, skull=False),
    Source("jhu-eve", MRICRON / "jhu189.nii.gz", "labels",
           "JHU 189-region parcellation in MNI space (a single-subject atlas brain, not Colin27); tissue per label",
           mni=True, skull=False),
    Source("dipy-b0", DIPY_DATA / "aniso_vox.nii.gz", "t2", "one person, diffusion b0 (T2-weighted EPI), 4 x 4 x 5 mm"),
    Source("nibabel-epi", NIBABEL_DATA / "example4d.nii.gz", "t2",
           "one person, functional EPI (T2*-weighted), 2 x 2 x 2.2 mm slab of 53 mm", planes=("axial",)),
    # BrainBrowser's two structural examples (MNI, npm brainbrowser 2.3.0): native-space T1 scans of the whole head
    # (face and neck included), 1 mm, 8-bit. Whether they are one person or two is not stated, so they form one
    # anatomy: leave-one-anatomy-out holds both out together.
    Source("brainbrowser", BRAINBROWSER / "structural1.mnc.raw.gz", "t1",
           "a real person's T1 (native space, whole head and neck, 1 mm; BrainBrowser example 1)", fit_colin=True),
    Source("brainbrowser", BRAINBROWSER / "structural2.mnc.raw.gz", "t1",
           "a real person's T1 (native space, whole head and neck, 1 mm; BrainBrowser example 2)", fit_colin=True),
    # cornerstone-nifti-image-loader's example T1 (npm, MIT): one adult's head conformed by FreeSurfer to 256^3 at 1 mm.
    # Its header says LIA, but the head lies a quarter turn off: what the header calls superior is posterior and what
    # it calls anterior is superior (seen on its slices, and the Colin27 fit found the same quarter turn).
    Source("almi5", CNIL / "almi5_T1fs_conform.nii.gz", "t1",
           "a real adult's T1 (FreeSurfer-conformed, whole head, 1 mm; cornerstone-nifti-image-loader example)",
           fit_colin=True, world_fix=((1, 0, 0, 0), (0, 0, -1, 0), (0, 1, 0, 0), (0, 0, 0, 1))),
)
ANATOMIES = tuple(dict.fromkeys(s.group for s in SOURCES))


def sources_for(names) -> list[Source]:
    """Sources of the named anatomies (all when `names` is empty); unknown names are an error that lists the known."""
    names = list(names or ANATOMIES)
    bad = [n for n in names if n not in ANATOMIES]
    if bad:
        raise SystemExit(f"unknown anatomy {', '.join(bad)}; known: {', '.join(ANATOMIES)}")
    found = [s for s in SOURCES if s.group in names and s.path.exists()]
    missing = [str(s.path) for s in SOURCES if s.group in names and not s.path.exists()]
    if missing:
        print(f"anatomy volumes not installed, skipped: {', '.join(missing)} (npm run setup:training)")
    if not found:
        raise SystemExit("no anatomy volume found: install Debian's mricron-data and python3-dipy "
                         "(`npm run setup:training`) or pass --template PATH")
    return found


def _require_nibabel():
    try:
        import nibabel as nib  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise SystemExit(
            "nibabel is missing: run `npm run setup:training` (Debian: apt-get install python3-nibabel) "
            "or `pip install nibabel`"
        ) from exc
    return nib


def _brainbrowser(path: Path):
    """A BrainBrowser volume (`x.mnc.raw.gz`: 8-bit samples, `x.mnc.header.gz`: the MINC dimensions as JSON, slowest
    first) as a NIfTI image. MINC puts a voxel at sum over dimensions of (start + index * step) * direction cosines."""
    import gzip
    nib = _require_nibabel()
    header = json.loads(gzip.open(str(path).replace(".raw.gz", ".header.gz")).read())
    dims = header["order"]
    if len(dims) != 3:
        raise SystemExit(f"{path}: {len(dims)} dimensions ({', '.join(dims)}); only 3-D volumes are read")
    data = np.frombuffer(gzip.open(path).read(), dtype=np.uint8).reshape([header[d]["space_length"] for d in dims])
    affine = np.eye(4)
    default_cosines = {"xspace": (1, 0, 0), "yspace": (0, 1, 0), "zspace": (0, 0, 1)}
    for i, d in enumerate(dims):
        cos = np.array(header[d].get("direction_cosines", default_cosines[d]), dtype=np.float64)
        affine[:3, i] = header[d].get("step", 1.0) * cos
        affine[:3, 3] += header[d].get("start", 0.0) * cos
    return nib.Nifti1Image(np.ascontiguousarray(data), affine)


def _load(path: Path, order: int = 1, world_fix: tuple | None = None):
    """Canonical (RAS) orientation, first volume of a 4-D file, resampled to 1 mm; returns (array, affine).
    `world_fix` (a 4 x 4 matrix) corrects a header whose axes do not say where the anatomy is."""
    nib = _require_nibabel()
    img = _brainbrowser(path) if str(path).endswith(".mnc.raw.gz") else nib.load(str(path))
    if world_fix is not None:
        img = nib.Nifti1Image(np.asanyarray(img.dataobj), np.array(world_fix, np.float64) @ img.affine)
    img = nib.as_closest_canonical(img)
    vol = np.asarray(img.dataobj, dtype=np.float32)
    while vol.ndim > 3:
        vol = vol[..., 0]
    zooms = np.array(img.header.get_zooms()[:3], dtype=np.float64)
    affine = img.affine.copy()
    if np.any(np.abs(zooms - 1.0) > 0.05):  # 1 mm voxels, so lesion sizes are in millimetres
        vol = ndi.zoom(vol, zooms, order=order)
        affine = affine @ np.diag([1 / zooms[0], 1 / zooms[1], 1 / zooms[2], 1.0])
    return vol, affine


def _normalised(vol: np.ndarray) -> np.ndarray:
    """A volume's intensities on one scale: its 99.5th percentile of positive voxels at 230 of 255."""
    return np.clip(vol / np.percentile(vol[vol > 0], 99.5) * 230.0, 0, 255).astype(np.float32)


def _kmeans3(vals: np.ndarray, kind: str = "t1") -> np.ndarray:
    """Three intensity centres of the brain's voxels. On T2-weighted EPI the dark tail is trimmed first: the mask's dark
    rim (partial volume with the skull, drop-out) otherwise becomes a class of its own and, on a low-contrast EPI, took
    the place of white matter (5 % of the brain). On T1 that tail is CSF and stays."""
    centers = np.percentile(vals, [10, 50, 90]).astype(np.float64)
    if kind != "t1":
        lo, hi = np.percentile(vals, [5, 99.5])
        vals = vals[(vals >= lo) & (vals <= hi)]
        centers = np.percentile(vals, [15, 50, 85]).astype(np.float64)
    for _ in range(20):
        lab = np.argmin(np.abs(vals[:, None] - centers[None, :]), axis=1)
        centers = np.array([vals[lab == k].mean() if np.any(lab == k) else centers[k] for k in range(3)])
    return np.sort(centers)


@dataclass
class Slice:
    tissue: np.ndarray  # uint8 tissue codes, rows top = superior (coronal/sagittal) or anterior (axial)
    texture: np.ndarray  # float32: the volume's own variation within its tissue, in units of the GM-WM difference
    brain: np.ndarray  # bool
    intracranial: np.ndarray  # bool, brain dilated to the inner table
    head: np.ndarray  # bool
    wm: np.ndarray  # bool, white matter
    sella: tuple[float, float] | None  # (row, col) of the sella in this slice's frame; None without one
    midline_col: float  # column of the mid-sagittal plane (axial/coronal)

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

    @cached_property
    def csf(self) -> np.ndarray:
        return self.tissue == CSF


class Anatomy:
    """One volume, segmented. `Anatomy()` is Colin27; `Anatomy(source=...)` any Source; `Anatomy(template=PATH)` a T1
    NIfTI of your own (brain mask estimated unless given; sella in its millimetres, default MNI)."""

    def __init__(self, template: str | Path | None = None, brain_mask: str | Path | None = None, sella_mm=None,
                 source: Source | None = None) -> None:
        if source is None:
            path = Path(template) if template else DEFAULT_TEMPLATE
            mask = Path(brain_mask) if brain_mask else None
            if mask is None and path.name == "ch2.nii.gz" and (path.parent / "ch2bet.nii.gz").exists():
                mask = path.parent / "ch2bet.nii.gz"
            source = Source("colin27" if path == DEFAULT_TEMPLATE else path.name.split(".")[0], path, "t1",
                            "given with --template", mask, mni=sella_mm is None, sella_mm=sella_mm)
        self.source = source
        self.name = source.group
        self.colin_to_vol = None  # Colin27 mm -> this volume's mm, where the mask and sella come from that fit
        if not source.path.exists():
            raise SystemExit(
                f"volume {source.path} not found: install Debian's mricron-data / python3-dipy (`npm run setup:training`) "
                "or pass --template PATH to another T1-weighted NIfTI volume"
            )
        if source.kind == "labels":
            self._from_labels(source)
        else:
            self._from_intensities(source)
        self._landmarks(source)
        self.brain_area = {p: self.brain.sum(axis=tuple(i for i in range(3) if i != AXIS_OF[p])) for p in PLANES}
        self._cache: dict = {}

    # ---------------------------------------------------------------- segmentation
    def _from_intensities(self, src: Source) -> None:
        vol, self.affine = _load(src.path, world_fix=src.world_fix)
        vol = _normalised(vol)
        if src.fit_colin:
            self.colin_to_vol = _colin_to_vol(vol, self.affine, src.path)
            brain = _colin_mask_in(vol.shape, self.affine, self.colin_to_vol)
        elif src.brain_mask is not None:
            nib = _require_nibabel()
            m = nib.as_closest_canonical(nib.load(str(src.brain_mask)))
            brain = np.asarray(m.dataobj) > 0
            if brain.shape != vol.shape:
                brain = ndi.zoom(brain.astype(np.float32), np.array(vol.shape) / np.array(brain.shape), order=0) > 0.5
        elif not src.skull:
            brain = ndi.gaussian_filter(vol, 1.0) > 8.0
        else:
            brain = self._estimate_brain(vol, src.kind)
        brain = ndi.binary_fill_holes(ndi.binary_opening(brain, iterations=1))
        c1, c2, c3 = _kmeans3(vol[brain], src.kind)
        csf, gm, wm = (c1, c2, c3) if src.kind == "t1" else (c3, c2, c1)
        centres = np.array([csf, gm, wm])
        tissue = np.zeros(vol.shape, np.uint8)
        inb = np.argmin(np.abs(vol[brain][:, None] - centres[None, :]), axis=1)
        tissue[brain] = np.array([CSF, GM, WM], np.uint8)[inb]
        if src.skull:
            head = ndi.binary_fill_holes(ndi.gaussian_filter(vol, 1.5) > 12.0) | brain
            intracranial = ndi.binary_dilation(brain, iterations=3) & head
            tissue[intracranial & ~brain] = CSF
            shell = head & ~intracranial
            dark = vol < (0.5 * min(gm, wm) if src.kind == "t1" else 0.35 * gm)
            tissue[shell & dark] = SKULL
            tissue[shell & ~dark] = SCALP
        else:
            head, intracranial = self._synthetic_head(brain, tissue)
        means = {k: float(vol[tissue == k].mean()) if np.any(tissue == k) else 0.0 for k in (SCALP, SKULL, CSF, GM, WM)}
        mean_map = np.zeros(vol.shape, np.float32)
        for k, v in means.items():
            mean_map[tissue == k] = v
        # Texture in units of the GM-WM step: rendered as (I_wm - I_gm) * texture, it keeps its meaning in any contrast.
        step = wm - gm if abs(wm - gm) > 1e-3 else 1.0
        texture = np.clip((vol - mean_map) / step, -1.5, 1.5) * (tissue > 0)
        self.vol, self.tissue, self.texture = vol, tissue, texture.astype(np.float32)
        self.brain, self.head, self.intracranial = brain, head, intracranial
        self.csf, self.gm, self.wm = float(csf), float(gm), float(wm)

    def _from_labels(self, src: Source) -> None:
        """A parcellation: each label's tissue is the class of the median Colin27 T1 intensity over the label's
        voxels (both in MNI space; the package ships no label names). Labels are rendered without texture."""
        labels, self.affine = _load(src.path, order=0, world_fix=src.world_fix)
        labels = np.round(labels).astype(np.int32)
        colin = _colin()
        inv = np.linalg.inv(colin.affine) @ self.affine
        grid = np.argwhere(labels[::2, ::2, ::2] > 0) * 2  # every 8th voxel is plenty for a median per label
        pts = (inv @ np.c_[grid, np.ones(len(grid))].T)[:3]
        vals = ndi.map_coordinates(colin.vol, pts, order=1)
        ids = np.unique(labels[labels > 0])
        med = np.array([np.median(vals[labels[tuple(grid.T)] == i]) if np.any(labels[tuple(grid.T)] == i) else colin.gm
                        for i in ids])
        centres = np.array([colin.csf, colin.gm, colin.wm])
        code = np.zeros(int(labels.max()) + 1, np.uint8)
        code[ids] = np.array([CSF, GM, WM], np.uint8)[np.argmin(np.abs(med[:, None] - centres[None, :]), axis=1)]
        tissue = code[np.clip(labels, 0, None)]
        brain = ndi.binary_fill_holes(labels > 0)
        tissue[brain & (tissue == 0)] = CSF
        head, intracranial = self._synthetic_head(brain, tissue)
        self.vol = np.choose(tissue, [0, 170, 25, colin.csf, colin.gm, colin.wm]).astype(np.float32)
        self.tissue, self.texture = tissue, np.zeros(labels.shape, np.float32)
        self.brain, self.head, self.intracranial = brain, head, intracranial
        self.csf, self.gm, self.wm = colin.csf, colin.gm, colin.wm

    @staticmethod
    def _synthetic_head(brain: np.ndarray, tissue: np.ndarray):
        """Skull and scalp round a brain-only volume: CSF to 3 mm outside the brain, skull to 9 mm, scalp to 15 mm."""
        pad = 16
        b = np.pad(brain, pad)
        d = ndi.distance_transform_edt(~b)[pad:-pad, pad:-pad, pad:-pad]
        intracranial = d <= 3.0
        head = d <= 15.0
        tissue[intracranial & ~brain] = CSF
        tissue[(d > 3.0) & (d <= 9.0)] = SKULL
        tissue[(d > 9.0) & (d <= 15.0)] = SCALP
        return head, intracranial

    @staticmethod
    def _estimate_brain(vol: np.ndarray, kind: str = "t1") -> np.ndarray:
        """Rough brain mask for a volume without one: threshold, erode away the skull, keep the largest blob."""
        head = ndi.binary_fill_holes(ndi.gaussian_filter(vol, 1.0) > 15)
        floor = np.percentile(vol[head], 35 if kind == "t1" else 20)
        inner = ndi.binary_erosion(head, iterations=8 if kind == "t1" else 5) & (vol > floor)
        inner = ndi.binary_opening(inner, iterations=3)
        lab, n = ndi.label(inner)
        if n == 0:
            raise SystemExit("could not find a brain in the volume; pass --brain-mask PATH")
        sizes = ndi.sum(inner, lab, range(1, n + 1))
        brain = lab == (1 + int(np.argmax(sizes)))
        return ndi.binary_fill_holes(ndi.binary_dilation(brain, iterations=3))

    # ---------------------------------------------------------------- landmarks
    def _landmarks(self, src: Source) -> None:
        inv = np.linalg.inv(self.affine)
        shape = self.tissue.shape
        if self.colin_to_vol is not None:
            self.sella_vox = (inv @ self.colin_to_vol @ np.append(SELLA_MNI, 1.0))[:3]
            self.midline_x = float(self.sella_vox[0])
        elif src.sella_mm is not None or src.mni:
            sella = np.array(src.sella_mm if src.sella_mm is not None else SELLA_MNI, dtype=np.float64)
            self.sella_vox = (inv @ np.append(sella, 1.0))[:3]
            self.midline_x = float((inv @ np.array([0.0, 0.0, 0.0, 1.0]))[0]) if src.mni else float(self.sella_vox[0])
        else:
            # Not in MNI space: the sella from the brain's extent, at the fractions Colin27's sella has of its brain
            # (left-right centre, 56 % from the back, 28 % from the bottom). Good to a few millimetres on a whole brain;
            # a slab that does not reach the skull base has no sella.
            idx = [np.where(self.brain.any(axis=tuple(j for j in range(3) if j != a)))[0] for a in range(3)]
            lo = np.array([i[0] for i in idx], float)
            hi = np.array([i[-1] for i in idx], float)
            self.sella_vox = lo + np.array([0.5, 0.56, 0.28]) * (hi - lo)
            self.midline_x = float(self.sella_vox[0])
            if hi[2] - lo[2] < 90:  # a slab, not a whole brain
                self.sella_vox = None
        if self.sella_vox is not None and not all(0 <= self.sella_vox[a] < shape[a] for a in range(3)):
            if src.sella_mm is not None:
                raise SystemExit(f"the sella position {src.sella_mm} mm lies outside {src.path}; pass --sella X,Y,Z "
                                 "in the volume's mm")
            self.sella_vox = None
        if not (0 <= self.midline_x < shape[0]):
            self.midline_x = shape[0] / 2.0

    @property
    def has_sella(self) -> bool:
        return self.sella_vox is not None

    @property
    def planes(self) -> tuple:
        return self.source.planes

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

        tissue = cut(self.tissue)
        brain = cut(self.brain)
        head = cut(self.head)
        intracranial = cut(self.intracranial) & head
        nrows = tissue.shape[0]
        sella = None
        if self.sella_vox is not None:
            sx, sy, sz = self.sella_vox
            if plane == "sagittal":
                sella = (nrows - 1 - sz, sy)
            elif plane == "coronal":
                sella = (nrows - 1 - sz, sx)
            else:
                sella = (nrows - 1 - sy, sx)
            sella = (float(sella[0]), float(sella[1]))
        s = Slice(tissue, cut(self.texture), brain, intracranial, head, tissue == WM, sella, self.midline_x)
        if len(self._cache) > 600:
            self._cache.clear()
        self._cache[key] = s
        return s


_COLIN: list = []


def _rotation(rx: float, ry: float, rz: float) -> np.ndarray:
    cx, sx, cy, sy, cz, sz = np.cos(rx), np.sin(rx), np.cos(ry), np.sin(ry), np.cos(rz), np.sin(rz)
    return (np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]]) @ np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
            @ np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]]))


def _sha256(path: Path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _colin_to_vol(vol: np.ndarray, affine: np.ndarray, path: Path) -> np.ndarray:
    """Colin27's millimetres -> the volume's, from _fit_colin. The fits of the volumes in SOURCES are committed
    (COLIN_FITS, keyed by the file's sha256): every machine then draws the same brain mask and sella, whatever its
    floating point, and nobody waits the 40 s a fit takes. Other volumes are fitted once and kept beside the file
    (`<name>.colin27.npy`)."""
    if COLIN_FITS.exists():
        known = json.loads(COLIN_FITS.read_text()).get(_sha256(path))
        if known:
            return np.array(known["colin27_to_volume_mm"], dtype=np.float64)
    cache = path.with_name(path.name.split(".")[0] + ".colin27.npy")
    if cache.exists():
        return np.load(cache)
    m = _fit_colin(vol, affine)
    tmp = cache.with_name(cache.name + f".{np.random.default_rng().integers(1 << 30)}.npy")
    np.save(tmp, m)
    tmp.replace(cache)  # atomic: parallel workers may fit the same volume at once
    return m


def _fit_colin(vol: np.ndarray, affine: np.ndarray) -> np.ndarray:
    """The affine (shift, rotation, a scale per axis) taking Colin27's millimetres to a T1 head's, by the correlation of
    their intensities over Colin27's head (every third voxel); started with the tops of the heads and the centres of
    their upper 90 mm aligned, so a neck below the head does not pull it down. Not dipy's AffineRegistration: started
    from the centres of mass, as its examples do, it ran 6.5 minutes here beside a test run (mutual information, two
    levels) and ended 53 mm from this fit, the neck having pulled the centre of mass down; a head with its neck needs
    the top-of-head start either way."""
    from scipy import optimize
    colin = _colin()
    idx = np.argwhere(colin.head[::3, ::3, ::3]) * 3
    pts = (colin.affine @ np.c_[idx, np.ones(len(idx))].T)[:3].T
    ref = colin.vol[tuple(idx.T)]
    ref = (ref - ref.mean()) / ref.std()
    centre = pts.mean(0)
    inv = np.linalg.inv(affine)
    head = ndi.binary_fill_holes(ndi.gaussian_filter(vol, 1.5) > 12.0)
    hv = np.argwhere(head[::2, ::2, ::2]) * 2
    hw = (affine @ np.c_[hv, np.ones(len(hv))].T)[:3].T
    top_v, top_c = hw[:, 2].max(), pts[:, 2].max()
    shift0 = np.r_[hw[hw[:, 2] > top_v - 90, :2].mean(0) - pts[pts[:, 2] > top_c - 90, :2].mean(0), top_v - top_c]

    def matrix(p):
        rs = _rotation(*p[3:6]) @ np.diag(np.exp(p[6:9]))
        m = np.eye(4)
        m[:3, :3], m[:3, 3] = rs, centre + p[:3] - rs @ centre
        return m

    def cost(p):
        s = ndi.map_coordinates(vol, (inv @ matrix(p) @ np.c_[pts, np.ones(len(pts))].T)[:3], order=1, cval=0.0)
        return 1.0 if s.std() < 1e-6 else -float(np.mean(ref * (s - s.mean()) / s.std()))

    fit = optimize.minimize(cost, np.r_[shift0, np.zeros(6)], method="Powell",
                            options={"xtol": 1e-3, "ftol": 1e-4, "maxfev": 3000})
    return matrix(fit.x)


def _colin_mask_in(shape, affine: np.ndarray, colin_to_vol: np.ndarray) -> np.ndarray:
    """Colin27's brain mask (ch2bet) carried into a volume through the fitted affine."""
    colin = _colin()
    grid = np.indices(shape, dtype=np.float32).reshape(3, -1)
    to_colin = np.linalg.inv(colin.affine) @ np.linalg.inv(colin_to_vol) @ affine
    pts = to_colin[:3, :3] @ grid + to_colin[:3, 3:4]
    return ndi.map_coordinates(colin.brain.astype(np.float32), pts, order=1, cval=0.0).reshape(shape) > 0.5


def _colin() -> Anatomy:
    """Colin27, loaded once per process (label maps borrow its intensities to name their labels' tissues)."""
    if not _COLIN:
        _COLIN.append(Anatomy())
    return _COLIN[0]
