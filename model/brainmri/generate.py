"""Synthetic brain-MRI dataset on real anatomy: 3 planes, augmentation, acquisition variety, lesions with masks.

Writes the public datasets' layout: Training/<class>/*.jpg, Testing/<class>/*.jpg (classes glioma, meningioma,
notumor, pituitary), masks/<split>/<class>/*.png (255 tumour, 128 oedema) and metadata.csv. Deterministic from --seed:
every image draws from its own generator seeded by (seed, class, index), so worker count does not change a byte.
"""
from __future__ import annotations

import argparse
import csv
import io
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one process per core; BLAS threads would oversubscribe
os.environ.setdefault("OMP_NUM_THREADS", "1")
import time
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

from . import LABELS, LABEL_TO_FOLDER
from .anatomy import Anatomy, PLANES
from .progress import Progress

CONTRASTS = ("t1", "t1c", "t2", "flair")
CONTRAST_P = (0.1, 0.6, 0.2, 0.1)  # public sets are mostly contrast-enhanced T1
NORMAL_AT_SELLA = 0.25
# Parasellar meningiomas mimic pituitary macroadenomas (radiologists tell them apart on several slices and sequences);
# the generator does not model them: a meningioma's attachment point stays this far (mm) beyond its radius from the sella.
SELLA_CLEARANCE_MM = 15.0
# Meningiomas grow from the dura: a convexity or skull-base one touches the inner table. The brain outline also runs
# round fissures and notches inside the skull (the Sylvian fissure, the tentorial notch); attachment points there gave
# intra-axial "meningiomas", about one in five, that looked like gliomas or like nothing. This is the farthest (mm) an
# attachment point may lie from the intracranial boundary (which sits about 4 mm outside the brain).
DURA_REACH_MM = 6.0
# The falx hangs about this far (mm) into the interhemispheric fissure before the corpus callosum; deeper along the
# midline a "falx" lesion lies on the callosum or the ventricles.
FALX_REACH_MM = 35.0
ABBR = {"glioma": "gl", "meningioma": "me", "normal": "no", "pituitary": "pi"}

_ANATOMY: Anatomy | None = None
_ANATOMY_ARGS: tuple = ()


def anatomy() -> Anatomy:
    global _ANATOMY
    if _ANATOMY is None:
        _ANATOMY = Anatomy(*_ANATOMY_ARGS)
    return _ANATOMY


def _init_worker(args: tuple) -> None:
    global _ANATOMY_ARGS, _ANATOMY
    _ANATOMY_ARGS = args
    _ANATOMY = None


# ---------------------------------------------------------------- contrasts
def contrast_map(a: Anatomy, contrast: str):
    """Piecewise-linear remap of T1 intensity (xp -> fp) and the tissue levels it gives."""
    c, g, w = a.csf, a.gm, a.wm
    top = 255.0
    if contrast in ("t1", "t1c"):
        xp, fp = [0, top], [0, top]
    elif contrast == "t2":
        xp, fp = [0, 0.45 * c, c, g, w, 0.5 * (w + top), top], [0, 25, 225, 150, 95, 150, 175]
    else:  # flair: like T2 with CSF suppressed
        xp, fp = [0, 0.45 * c, c, g, w, 0.5 * (w + top), top], [0, 15, 30, 150, 112, 150, 165]
    lv = {k: float(np.interp(v, xp, fp)) for k, v in (("csf", c), ("gm", g), ("wm", w))}
    return np.asarray(xp, np.float32), np.asarray(fp, np.float32), lv


def lesion_values(contrast: str, lv: dict) -> dict:
    # Native T1 and T2 lesions are kept clearly off their surroundings (contrast-to-noise above ~1): with iso-intense
    # lesions (meningioma on T1 at 0.9 x grey matter) about 11 % of tumour images were invisible and capped accuracy.
    c, g, w = lv["csf"], lv["gm"], lv["wm"]
    if contrast == "t1":
        return dict(necrosis=c * 1.1, rim=g * 0.75, solid=g * 0.68, oedema=(g + w) / 2 * 0.78, menin=g * 0.66, pit=g * 0.66, tail=g * 0.85)
    if contrast == "t1c":
        return dict(necrosis=c * 1.2, rim=w * 1.5, solid=w * 1.1, oedema=(g + w) / 2 * 0.85, menin=w * 1.4, pit=w * 1.25, tail=w * 1.4)
    if contrast == "t2":
        return dict(necrosis=c * 0.95, rim=g * 1.3, solid=g * 1.4, oedema=g + 0.45 * (c - g), menin=g * 1.45, pit=g * 1.5, tail=g * 1.15)
    return dict(necrosis=g * 0.75, rim=g * 1.2, solid=g * 1.3, oedema=g * 1.4, menin=g * 1.15, pit=g * 1.15, tail=g * 1.05)


# ---------------------------------------------------------------- lesions (in slice millimetres)
@dataclass
class Lesion:
    kind: str
    center: tuple[float, float]  # (row, col) in slice pixels (1 mm)
    radius: float  # mm
    aspect: float = 1.0
    angle: float = 0.0
    noise_amp: float = 0.0
    extra: dict = field(default_factory=dict)


def _noise_field(rng: np.random.Generator, n: int = 24, smooth: float = 2.5) -> np.ndarray:
    f = ndi.gaussian_filter(rng.standard_normal((n, n)), smooth, mode="wrap")
    return (f / (f.std() + 1e-8)).astype(np.float32)


def _edt_inside(mask: np.ndarray) -> np.ndarray:
    return ndi.distance_transform_edt(mask)


def _clear_of_sella(s, rows, cols, radius: float) -> np.ndarray:
    """Which (row, col) candidates keep a meningioma of this radius SELLA_CLEARANCE_MM clear of the sella."""
    return np.hypot(rows - s.sella[0], cols - s.sella[1]) > radius + SELLA_CLEARANCE_MM


def _falx_rows(s, col: int) -> np.ndarray:
    """Which rows of the midline column run through the interhemispheric fissure (a boolean per row): CSF-dark stretches
    reaching in from the inner table (short bright bridges of cortex allowed). Deeper midline rows are corpus callosum,
    septum or ventricles, which the falx does not reach."""
    t1 = s.t1[:, max(col - 1, 0):col + 2].min(axis=1)
    ic = s.intracranial[:, col]
    dark = ic & (t1 < s.csf_below)
    dark = ndi.binary_closing(dark, structure=np.ones(3, bool)) & ic
    runs, n = ndi.label(dark)
    inside = np.where(ic)[0]
    if n == 0:
        return np.zeros(len(ic), bool)
    ends = np.setdiff1d(np.concatenate([runs[inside[0]:inside[0] + 6], runs[inside[-1] - 5:inside[-1] + 1]]), [0])
    rows = np.arange(len(ic))
    return np.isin(runs, ends) & (np.minimum(rows - inside[0], inside[-1] - rows) <= FALX_REACH_MM)


def choose_lesion(kind: str, s, rng: np.random.Generator, plane: str) -> Lesion | None:
    if kind == "glioma":
        r = float(rng.uniform(9, 22))
        depth = _edt_inside(s.brain)
        cand = np.argwhere(s.wm & (depth > 0.6 * r + 6))
        if len(cand) == 0:
            return None
        p = cand[rng.integers(len(cand))]
        return Lesion("glioma", (float(p[0]), float(p[1])), r, float(rng.uniform(0.7, 1.3)), float(rng.uniform(0, np.pi)),
                      0.35, {"necrosis": bool(rng.random() < 0.75), "oedema": float(rng.uniform(1.4, 2.1)),
                             "field": _noise_field(rng), "field2": _noise_field(rng), "tex": _noise_field(rng, 32, 1.5)})
    if kind == "meningioma":
        r = float(rng.uniform(9, 20))
        brain = s.brain
        sm = ndi.gaussian_filter(brain.astype(np.float32), 2.0)
        gr, gc = np.gradient(sm)
        boundary = brain & ~ndi.binary_erosion(brain, iterations=1)
        rows = np.where(brain.any(axis=1))[0]
        top, bottom = rows[0], rows[-1]
        site = rng.choice(["convexity", "falx", "base"], p=[0.6, 0.2, 0.2])
        if site == "falx" and plane != "sagittal":
            col = int(round(s.midline_col))
            depth = _edt_inside(brain)
            rr = np.where(brain[:, col] & (depth[:, col] > r * 0.6 + 3))[0]
            rr = rr[rr < top + 0.65 * (bottom - top)] if plane == "coronal" else rr
            rr = rr[_falx_rows(s, col)[rr]]
            rr = rr[_clear_of_sella(s, rr, col, r)]
            if len(rr) == 0:
                return None
            row = float(rr[rng.integers(len(rr))])
            side = 1.0 if rng.random() < 0.5 else -1.0
            c = (row, col + side * r * 0.75)
            tangent = (1.0, 0.0)
            normal = (0.0, -side)
        else:
            pts = np.argwhere(boundary & (s.inner_table_mm <= DURA_REACH_MM))
            if site == "base" and plane != "axial":
                pts = pts[pts[:, 0] > top + 0.55 * (bottom - top)]
            elif site == "base":
                site = "convexity"
            elif plane != "axial":  # the convexity is the vault: the lowest part of the outline is the skull base
                pts = pts[pts[:, 0] < top + 0.7 * (bottom - top)]
            pts = pts[_clear_of_sella(s, pts[:, 0], pts[:, 1], r)]
            if len(pts) == 0:
                return None
            p = pts[rng.integers(len(pts))]
            n = np.array([-gr[p[0], p[1]], -gc[p[0], p[1]]])  # outward normal
            nn = np.linalg.norm(n)
            if nn < 1e-6:
                return None
            n /= nn
            c = (p[0] - n[0] * r * 0.55, p[1] - n[1] * r * 0.55)
            tangent = (-n[1], n[0])
            normal = (float(n[0]), float(n[1]))
        return Lesion("meningioma", (float(c[0]), float(c[1])), r, float(rng.uniform(0.8, 1.2)), float(rng.uniform(0, np.pi)),
                      0.08, {"site": str(site), "tangent": tangent, "normal": normal, "tail": float(rng.uniform(0.8, 1.8)) * r,
                             "tail_sides": int(rng.integers(1, 3)), "field": _noise_field(rng), "tex": _noise_field(rng, 32, 1.5)})
    if kind == "pituitary":
        r = float(rng.uniform(7, 15))
        c = (s.sella[0] + rng.uniform(-1.5, 1.5) - (0.3 * r if plane != "axial" else 0.0), s.sella[1] + rng.uniform(-1.5, 1.5))
        snowman = plane != "axial" and r > 8 and rng.random() < 0.5
        return Lesion("pituitary", (float(c[0]), float(c[1])), r, float(rng.uniform(0.8, 1.15)), 0.0, 0.1,
                      {"snowman": bool(snowman), "field": _noise_field(rng), "tex": _noise_field(rng, 32, 1.5)})
    return None


def _field_at(f: np.ndarray, lesion: Lesion, rr: np.ndarray, cc: np.ndarray, span: float) -> np.ndarray:
    n = f.shape[0]
    fr = (rr - lesion.center[0]) / (2 * span) * n + n / 2
    fc = (cc - lesion.center[1]) / (2 * span) * n + n / 2
    return ndi.map_coordinates(f, [fr, fc], order=1, mode="wrap")


def _ellipse_q(lesion: Lesion, rr, cc, radius=None):
    r = radius or lesion.radius
    dr, dc = rr - lesion.center[0], cc - lesion.center[1]
    ca, sa = np.cos(lesion.angle), np.sin(lesion.angle)
    u = (dr * ca + dc * sa) / (r * lesion.aspect)
    v = (-dr * sa + dc * ca) / (r / lesion.aspect)
    return np.sqrt(u * u + v * v)


def _soft(q: np.ndarray, radius_px: float) -> np.ndarray:
    """Antialiased inside-ness of q < 1, about one output pixel wide."""
    return np.clip(0.5 + (1.0 - q) * radius_px, 0.0, 1.0).astype(np.float32)


def render_lesion(lesion: Lesion, rr, cc, px_per_mm: float, sample_mask) -> tuple[list, np.ndarray, np.ndarray]:
    """Compartments [(alpha, value_key, texture)], tumour mask, oedema mask, all on the output grid."""
    rad_px = lesion.radius * px_per_mm
    comps = []
    if lesion.kind == "glioma":
        n1 = _field_at(lesion.extra["field"], lesion, rr, cc, 2.5 * lesion.radius)
        n2 = _field_at(lesion.extra["field2"], lesion, rr, cc, 3.0 * lesion.radius)
        q = _ellipse_q(lesion, rr, cc) + lesion.noise_amp * n1
        brain = sample_mask("brain")
        wm = sample_mask("wm")
        tumour = _soft(q, rad_px) * brain
        qo = _ellipse_q(lesion, rr, cc, lesion.radius * lesion.extra["oedema"]) + 0.45 * n2 - 0.25 * (wm - 0.5)
        oedema = np.clip(_soft(qo, rad_px) * brain - tumour, 0, 1)
        comps.append((oedema, "oedema", 0.06))
        comps.append((tumour, "rim", 0.15))
        if lesion.extra["necrosis"]:
            comps.append((_soft(q / 0.55, rad_px * 0.55) * brain, "necrosis", 0.1))
        else:
            comps.append((_soft(q / 0.7, rad_px * 0.7) * brain, "solid", 0.15))
        return comps, tumour > 0.5, oedema > 0.5
    if lesion.kind == "meningioma":
        n1 = _field_at(lesion.extra["field"], lesion, rr, cc, 2.0 * lesion.radius)
        q = _ellipse_q(lesion, rr, cc) + lesion.noise_amp * n1
        ic = sample_mask("intracranial")
        tumour = _soft(q, rad_px) * ic
        # Dural tail: a thin enhancing strip along the attachment, tapering away from the tumour.
        tr, tc = lesion.extra["tangent"]
        nr, nc = lesion.extra["normal"]
        dr, dc = rr - lesion.center[0], cc - lesion.center[1]
        along = dr * tr + dc * tc
        across = dr * nr + dc * nc - lesion.radius * 0.55
        length = lesion.extra["tail"]
        sides = lesion.extra["tail_sides"]
        reach = np.abs(along) if sides == 2 else np.maximum(along, 0) + (along < 0) * 1e3
        taper = np.clip(1.0 - reach / (lesion.radius + length), 0, 1)
        tail = np.clip(0.5 + (1.2 * taper + 0.2 - np.abs(across)) * px_per_mm, 0, 1) * (taper > 0) * ic
        tail = np.clip(tail - tumour, 0, 1)
        comps.append((tail, "tail", 0.05))
        comps.append((tumour, "menin", 0.06))
        return comps, tumour > 0.5, np.zeros_like(tumour, bool)
    if lesion.kind == "pituitary":
        n1 = _field_at(lesion.extra["field"], lesion, rr, cc, 2.0 * lesion.radius)
        q = _ellipse_q(lesion, rr, cc) + lesion.noise_amp * n1
        if lesion.extra["snowman"]:
            upper = Lesion("pituitary", (lesion.center[0] - lesion.radius * 0.9, lesion.center[1]), lesion.radius * 0.7, 1.0)
            q = np.minimum(q, _ellipse_q(upper, rr, cc))
        head = sample_mask("head")
        tumour = _soft(q, rad_px) * head
        comps.append((tumour, "pit", 0.07))
        return comps, tumour > 0.5, np.zeros_like(tumour, bool)
    raise ValueError(lesion.kind)


# ---------------------------------------------------------------- one image
@dataclass
class Sample:
    image: np.ndarray  # uint8 S x S
    mask: np.ndarray  # uint8 S x S (255 tumour, 128 oedema)
    head: np.ndarray  # bool S x S, the head on the output grid
    intracranial: np.ndarray  # bool S x S
    meta: dict
    float_image: np.ndarray | None = None  # 0..255 before 8-bit quantisation (for 16-bit exports)


@lru_cache(maxsize=64)
def _basis(n: int, grid: int) -> np.ndarray:
    """n x grid matrix of Gaussian bumps on a coarse grid: basis @ coarse @ basis.T is a smooth random field."""
    centers = (np.arange(grid) + 0.5) / grid * n
    x = np.arange(n)[:, None] + 0.5
    b = np.exp(-0.5 * ((x - centers[None, :]) / (n / grid * 0.7)) ** 2)
    return (b / b.sum(1, keepdims=True)).astype(np.float32)


def _smooth_field(rng, shape, grid: int, amp: float) -> np.ndarray:
    coarse = (rng.standard_normal((grid, grid)) * amp).astype(np.float32)
    return _basis(shape[0], grid) @ coarse @ _basis(shape[1], grid).T


def render(label: str, rng: np.random.Generator, a: Anatomy | None = None, size: int | None = None) -> Sample:
    a = a or anatomy()
    kind = label if label != "normal" else None
    # A quarter of normal scans are cut through the sella like every pituitary scan: otherwise the slice level alone
    # tells pituitary from normal, and a model learns that shortcut (normal sella slices were called pituitary).
    sella_level = kind == "pituitary" or (kind is None and rng.random() < NORMAL_AT_SELLA)
    for _attempt in range(50):
        if sella_level:
            plane = str(rng.choice(PLANES, p=[0.2, 0.4, 0.4]))
            index = int(round(a.sella_slice(plane) + rng.uniform(-4, 4)))
        else:
            plane = str(rng.choice(PLANES, p=[0.45, 0.3, 0.25]))
            lo, hi = a.depth_range(plane, 0.15 if kind is None else 0.4)
            index = int(rng.integers(lo, hi + 1))
        s = a.slice(plane, index)
        lesion = choose_lesion(kind, s, rng, plane) if kind else None
        if kind is None or lesion is not None:
            break
    else:  # pragma: no cover - the template always has room for a lesion
        raise RuntimeError(f"could not place a {label} lesion")

    contrast = str(rng.choice(CONTRASTS, p=CONTRAST_P))
    drawn = int(rng.integers(200, 513))
    size = size or drawn
    fill = float(rng.uniform(0.72, 0.95))
    rows = np.where(s.head.any(axis=1))[0]
    cols = np.where(s.head.any(axis=0))[0]
    hc = ((rows[0] + rows[-1]) / 2.0, (cols[0] + cols[-1]) / 2.0)
    extent = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    mm_per_px = extent / (size * fill) * float(rng.uniform(0.95, 1.05))
    theta = float(rng.uniform(-15, 15)) * np.pi / 180
    flip = bool(rng.random() < 0.5)
    ty, tx = rng.uniform(-0.04, 0.04, size=2) * size

    g = np.arange(size, dtype=np.float32) - size / 2 + 0.5
    u = g[:, None] - ty
    v = g[None, :] - tx
    if flip:
        v = -v
    ct, st = np.cos(theta), np.sin(theta)
    rr = hc[0] + mm_per_px * (ct * u - st * v)
    cc = hc[1] + mm_per_px * (st * u + ct * v)
    amp = float(rng.uniform(1.0, 3.0))  # elastic deformation, mm
    rr = (rr + _smooth_field(rng, (size, size), 5, amp)).astype(np.float32)
    cc = (cc + _smooth_field(rng, (size, size), 5, amp)).astype(np.float32)

    # Nested masks (wm in brain in intracranial in head) sampled once as one nearest-neighbour label map.
    levels = ndi.map_coordinates(s.levels, [rr, cc], order=0, mode="constant", cval=0)
    level_of = {"head": 1, "intracranial": 2, "brain": 3, "wm": 4}

    def sample_mask(name: str) -> np.ndarray:
        return (levels >= level_of[name]).astype(np.float32)

    # Mass effect: sample the anatomy from nearer the lesion, pushing tissue outward.
    br, bc = rr, cc
    if lesion is not None and lesion.kind != "pituitary":
        dr, dc = rr - lesion.center[0], cc - lesion.center[1]
        sig = lesion.radius * (1.6 if lesion.kind == "glioma" else 1.3)
        k = float(rng.uniform(0.3, 0.5))
        f = 1.0 - k * np.exp(-(dr * dr + dc * dc) / (2 * sig * sig))
        br = lesion.center[0] + dr * f
        bc = lesion.center[1] + dc * f
    xp, fp, lv = contrast_map(a, contrast)
    t1 = ndi.map_coordinates(s.t1, [br, bc], order=1, mode="constant", cval=0.0)
    img = np.interp(t1, xp, fp).astype(np.float32)

    mask = np.zeros((size, size), np.uint8)
    meta = dict(plane=plane, slice=index, contrast=contrast, size=size, lesion_row="", lesion_col="",
                lesion_radius_px="", lesion_area_px=0, site="")
    if lesion is not None:
        px_per_mm = 1.0 / mm_per_px
        comps, tumour, oedema = render_lesion(lesion, rr, cc, px_per_mm, sample_mask)
        values = lesion_values(contrast, lv)
        tex = _field_at(lesion.extra["tex"], lesion, rr, cc, 1.5 * lesion.radius)
        for alpha, key, het in comps:
            val = values[key] * (1.0 + het * tex)
            img = img * (1 - alpha) + val * alpha
        mask[oedema] = 128
        mask[tumour] = 255
        ys, xs = np.nonzero(tumour)
        if len(ys):
            meta.update(lesion_row=round(float(ys.mean()), 1), lesion_col=round(float(xs.mean()), 1),
                        lesion_radius_px=round(lesion.radius * px_per_mm, 1), lesion_area_px=int(tumour.sum()))
        meta["site"] = lesion.extra.get("site", "white matter" if lesion.kind == "glioma" else "sella")

    head = levels >= 1
    intracranial = levels >= 2

    # Acquisition: bias field, blur or low resolution, Rician noise, gamma, window, JPEG.
    img = (img * np.exp(_smooth_field(rng, (size, size), 4, float(rng.uniform(0.03, 0.15))))).astype(np.float32)
    r = rng.random()
    if r < 0.4:
        img = ndi.gaussian_filter(img, float(rng.uniform(0.3, 1.2)) * size / 256).astype(np.float32)
    elif r < 0.65:
        f = float(rng.uniform(1.3, 2.2))
        small = max(64, int(size / f))
        img = np.asarray(Image.fromarray(img, "F").resize((small, small), Image.BILINEAR).resize((size, size), Image.BILINEAR))
    sigma = float(rng.uniform(0.5, 5.0))
    n1 = rng.standard_normal((size, size)).astype(np.float32) * sigma
    n2 = rng.standard_normal((size, size)).astype(np.float32) * sigma
    img = np.sqrt((img + n1) ** 2 + n2 ** 2)
    hi = np.percentile(img, 99.7) * float(rng.uniform(0.85, 1.1)) + 1e-3
    gamma = float(rng.uniform(0.8, 1.25))
    img = 255.0 * np.clip(img / hi, 0, 1) ** gamma
    out = np.clip(np.round(img), 0, 255).astype(np.uint8)
    meta.update(jpeg_quality=int(rng.integers(65, 96)), flip=int(flip), rotation_deg=round(theta * 180 / np.pi, 1))
    return Sample(out, mask, head, intracranial, meta, np.clip(img, 0, 255).astype(np.float32))


def encode_jpeg(image: np.ndarray, quality: int, rgb: bool = False) -> bytes:
    im = Image.fromarray(image, "L")
    if rgb:
        im = im.convert("RGB")
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def encode_png(image: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG", optimize=False)
    return buf.getvalue()


# ---------------------------------------------------------------- dataset
def _job(job: tuple) -> dict:
    out, seed, label, index, split = job
    rng = np.random.default_rng([seed, LABELS.index(label), index])
    smp = render(label, rng)
    folder = LABEL_TO_FOLDER[label]
    name = f"{'Tr' if split == 'Training' else 'Te'}-{ABBR[label]}_{index:04d}"
    rgb = bool(rng.random() < 0.3)  # the public sets mix greyscale and RGB-encoded JPEGs
    img_path = Path(out) / split / folder / f"{name}.jpg"
    img_path.write_bytes(encode_jpeg(smp.image, smp.meta["jpeg_quality"], rgb))
    mask_rel = ""
    if label != "normal":
        mask_path = Path(out) / "masks" / split / folder / f"{name}.png"
        mask_path.write_bytes(encode_png(smp.mask))
        mask_rel = str(mask_path.relative_to(out))
    return dict(file=str(img_path.relative_to(out)), split=split, label=label, mask=mask_rel, **smp.meta)


def generate(out: str | Path, seed: int, per_class: int, test_fraction: float = 0.15, workers: int | None = None,
             template=None, brain_mask=None, sella=None, quiet: bool = False) -> list[dict]:
    out = Path(out)
    jobs = []
    n_test = int(round(per_class * test_fraction))
    for label in LABELS:
        folder = LABEL_TO_FOLDER[label]
        for split in ("Training", "Testing"):
            (out / split / folder).mkdir(parents=True, exist_ok=True)
            if label != "normal":
                (out / "masks" / split / folder).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            jobs.append((str(out), seed, label, i, "Testing" if i < n_test else "Training"))
    workers = workers or min(len(os.sched_getaffinity(0)), 8)
    args = (template, brain_mask, sella)
    rows: list[dict] = []
    bar = None if quiet else Progress(len(jobs), "generate")
    if workers <= 1:
        _init_worker(args)
        for j in jobs:
            rows.append(_job(j))
            bar and bar.update()
    else:
        with get_context("fork").Pool(workers, initializer=_init_worker, initargs=(args,)) as pool:
            for row in pool.imap(_job, jobs, chunksize=8):
                rows.append(row)
                bar and bar.update()
    bar and bar.close()
    rows.sort(key=lambda r: r["file"])
    with open(out / "metadata.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    return rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Generate a synthetic brain-MRI tumour dataset over real anatomy.")
    ap.add_argument("--out", required=True, help="output folder (Training/, Testing/, masks/, metadata.csv)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-class", type=int, default=775, help="images per class (default 775: 3,100 in all)")
    ap.add_argument("--test-fraction", type=float, default=0.15)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--template", default=None, help="T1-weighted NIfTI (default: Colin27 from Debian's mricron-data)")
    ap.add_argument("--brain-mask", default=None, help="brain mask NIfTI for --template (estimated if omitted)")
    ap.add_argument("--sella", default=None, help="X,Y,Z of the pituitary fossa in the template's mm (default MNI 0,7,-29)")
    args = ap.parse_args(argv)
    sella = tuple(float(v) for v in args.sella.split(",")) if args.sella else None
    t = time.time()
    rows = generate(args.out, args.seed, args.per_class, args.test_fraction, args.workers, args.template, args.brain_mask, sella)
    print(f"wrote {len(rows)} images to {args.out} in {time.time() - t:.1f}s")


if __name__ == "__main__":
    main()
