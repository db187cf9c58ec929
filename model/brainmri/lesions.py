"""Lesions in slice millimetres: where each tumour type may sit (anatomical rules) and its compartments on the output grid."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage as ndi

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
    if s.sella is None:
        return np.ones(np.shape(rows), bool)
    return np.hypot(rows - s.sella[0], cols - s.sella[1]) > radius + SELLA_CLEARANCE_MM


def _falx_rows(s, col: int) -> np.ndarray:
    """Which rows of the midline column run through the interhemispheric fissure (a boolean per row): CSF-dark stretches
    reaching in from the inner table (short bright bridges of cortex allowed). Deeper midline rows are corpus callosum,
    septum or ventricles, which the falx does not reach."""
    ic = s.intracranial[:, col]
    dark = ic & s.csf[:, max(col - 1, 0):col + 2].any(axis=1)
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
    if kind == "pituitary" and s.sella is not None:
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

