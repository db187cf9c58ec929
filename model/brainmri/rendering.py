"""One generated image: anatomy and slice, geometry and deformation, contrast from the tissue map, lesion, acquisition."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from .acquisition import acquire, smooth_field
from .anatomy import CSF, GM, PLANES, SCALP, SKULL, WM, Anatomy
from .contrasts import CONTRASTS, CONTRAST_P, lesion_values, tissue_levels
from .lesions import _field_at, choose_lesion, render_lesion

NORMAL_AT_SELLA = 0.25
SELLA_PLANE_P = {"axial": 0.2, "coronal": 0.4, "sagittal": 0.4}
PLANE_P = {"axial": 0.45, "coronal": 0.3, "sagittal": 0.25}


@dataclass
class Sample:
    image: np.ndarray  # uint8 S x S
    mask: np.ndarray  # uint8 S x S (255 tumour, 128 oedema)
    head: np.ndarray  # bool S x S, the head on the output grid
    intracranial: np.ndarray  # bool S x S
    meta: dict
    float_image: np.ndarray | None = None  # 0..255 before 8-bit quantisation (for 16-bit exports)
    brain: np.ndarray | None = None  # bool S x S


def _pick_plane(rng, planes, weights: dict) -> str:
    p = np.array([weights[q] for q in planes], float)
    return str(rng.choice(planes, p=p / p.sum()))


def pick_anatomy(rng, pool: list[Anatomy], sella: bool) -> Anatomy:
    """Each anatomy (person or atlas) equally often, then one of its volumes; scans through the sella only from
    anatomies that have one."""
    cands = [a for a in pool if a.has_sella] if sella else pool
    if not cands:
        raise SystemExit(f"none of the anatomies {sorted({a.name for a in pool})} reaches the sella; pituitary scans need one")
    groups = sorted({a.name for a in cands})
    g = groups[int(rng.integers(len(groups)))]
    members = [a for a in cands if a.name == g]
    return members[int(rng.integers(len(members)))]


def render(label: str, rng: np.random.Generator, anatomies, size: int | None = None, contrast: str | None = None) -> Sample:
    pool = list(anatomies) if isinstance(anatomies, (list, tuple)) else [anatomies]
    kind = label if label != "normal" else None
    # A quarter of normal scans are cut through the sella like every pituitary scan: otherwise the slice level alone
    # tells pituitary from normal, and a model learns that shortcut (normal sella slices were called pituitary).
    sella_level = kind == "pituitary" or (kind is None and rng.random() < NORMAL_AT_SELLA and any(a.has_sella for a in pool))
    a = pick_anatomy(rng, pool, sella_level)
    for _attempt in range(50):
        if sella_level:
            plane = _pick_plane(rng, a.planes, SELLA_PLANE_P)
            index = int(round(a.sella_slice(plane) + rng.uniform(-4, 4)))
        else:
            plane = _pick_plane(rng, a.planes, PLANE_P)
            lo, hi = a.depth_range(plane, 0.15 if kind is None else 0.4)
            index = int(rng.integers(lo, hi + 1))
        s = a.slice(plane, index)
        lesion = choose_lesion(kind, s, rng, plane) if kind else None
        if kind is None or lesion is not None:
            break
    else:  # pragma: no cover - every anatomy has room for a lesion
        raise RuntimeError(f"could not place a {label} lesion in {a.name}")

    drawn_contrast = str(rng.choice(CONTRASTS, p=CONTRAST_P))
    contrast = contrast or drawn_contrast
    drawn = int(rng.integers(200, 513))
    size = size or drawn
    fill = float(rng.uniform(0.65, 1.05))  # above 1 the head is cropped at the frame
    rows = np.where(s.head.any(axis=1))[0]
    cols = np.where(s.head.any(axis=0))[0]
    hc = ((rows[0] + rows[-1]) / 2.0, (cols[0] + cols[-1]) / 2.0)
    extent = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    mm_per_px = extent / (size * fill) * float(rng.uniform(0.95, 1.05))
    theta = float(rng.uniform(-15, 15)) * np.pi / 180
    flip = bool(rng.random() < 0.5)
    ty, tx = rng.uniform(-0.04, 0.04, size=2) * size
    # Affine beyond rotation and scale: a head a little longer or wider than this one, slightly sheared.
    sr, sc, shear = 1.0 + rng.uniform(-0.08, 0.08), 1.0 + rng.uniform(-0.08, 0.08), float(rng.uniform(-0.06, 0.06))

    g = np.arange(size, dtype=np.float32) - size / 2 + 0.5
    u = g[:, None] - ty
    v = g[None, :] - tx
    if flip:
        v = -v
    u, v = u * sr + shear * v, v * sc
    ct, st = np.cos(theta), np.sin(theta)
    rr = hc[0] + mm_per_px * (ct * u - st * v)
    cc = hc[1] + mm_per_px * (st * u + ct * v)
    amp = float(rng.uniform(1.0, 4.0))  # elastic deformation, mm
    rr = (rr + smooth_field(rng, (size, size), 5, amp)).astype(np.float32)
    cc = (cc + smooth_field(rng, (size, size), 5, amp)).astype(np.float32)

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
    # The contrast: one intensity per tissue, the volume's own texture scaled by this contrast's GM-WM step (label
    # maps, which have none, get a smooth random one), then partial-volume blur at tissue borders.
    lv = tissue_levels(contrast, rng)
    lut = np.array([0.0, lv[SCALP], lv[SKULL], lv[CSF], lv[GM], lv[WM]], np.float32)
    native = lut[s.tissue]
    native += float(rng.uniform(0.5, 1.1)) * (lv[WM] - lv[GM]) * s.texture
    native *= 1.0 + smooth_field(rng, native.shape, 8, 0.04) * (s.tissue > 0)
    native = ndi.gaussian_filter(native, float(rng.uniform(0.3, 1.0)))
    img = ndi.map_coordinates(native, [br, bc], order=1, mode="constant", cval=0.0).astype(np.float32)

    mask = np.zeros((size, size), np.uint8)
    meta = dict(anatomy=a.name, volume=a.source.path.name, plane=plane, slice=index, contrast=contrast, size=size,
                lesion_row="", lesion_col="", lesion_radius_px="", lesion_area_px=0, site="")
    if lesion is not None:
        px_per_mm = 1.0 / mm_per_px
        comps, tumour, oedema = render_lesion(lesion, rr, cc, px_per_mm, sample_mask)
        values = lesion_values(contrast, lv, rng)
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
    brain = levels >= 3
    # A skull-stripped image keeps its lesion: the tumour's extent joins the kept region.
    img, acq = acquire(img, rng, intracranial | (mask > 0), brain | (mask > 0))
    meta.update(acq)
    out = np.clip(np.round(img), 0, 255).astype(np.uint8)
    meta.update(jpeg_quality=int(rng.integers(40, 96)), flip=int(flip), rotation_deg=round(theta * 180 / np.pi, 1))
    return Sample(out, mask, head, intracranial, meta, img, brain)
