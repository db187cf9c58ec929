"""Tissue contrasts: how each MRI sequence maps the anatomy's T1 intensities, and the lesion compartments' intensities."""
from __future__ import annotations

import numpy as np

from .anatomy import Anatomy

CONTRASTS = ("t1", "t1c", "t2", "flair")
CONTRAST_P = (0.1, 0.6, 0.2, 0.1)  # public sets are mostly contrast-enhanced T1


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

