"""One generated image: slice choice, geometry and deformation, contrast, lesion, acquisition (bias, blur, noise, window)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

from .anatomy import Anatomy, PLANES
from .contrasts import CONTRASTS, CONTRAST_P, contrast_map, lesion_values
from .lesions import _field_at, choose_lesion, render_lesion

NORMAL_AT_SELLA = 0.25


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


def render(label: str, rng: np.random.Generator, a: Anatomy, size: int | None = None) -> Sample:
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
