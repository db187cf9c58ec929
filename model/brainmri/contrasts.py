"""Tissue contrasts: the intensity of each tissue under each MRI sequence (physical recipes, or drawn at random, SynthSeg
style), and the lesion compartments' intensities relative to the tissue they sit in."""
from __future__ import annotations

import numpy as np

from .anatomy import CSF, GM, SCALP, SKULL, WM

# Named sequences and "random" (every tissue's intensity drawn independently, Billot et al. 2023). Public sets are mostly
# contrast-enhanced T1; proton density is rare in them but common in older protocols and some scanners.
CONTRASTS = ("t1", "t1c", "t2", "flair", "pd", "random")
CONTRAST_P = (0.08, 0.30, 0.10, 0.08, 0.07, 0.37)
# Mean tissue intensities (0..255 before windowing) per sequence, each drawn +- its spread per image: (mean, spread).
# Ordered as the physics has them: T1 CSF < GM < WM, fat bright; T2 CSF >> GM > WM; FLAIR like T2 with CSF nulled;
# PD (long TR, short TE) CSF >= GM > WM with little contrast. The skull's compact bone is dark on every sequence.
RECIPES = {
    "t1": {SCALP: (170, 40), SKULL: (25, 15), CSF: (45, 15), GM: (110, 12), WM: (155, 12)},
    "t1c": {SCALP: (170, 40), SKULL: (25, 15), CSF: (45, 15), GM: (112, 12), WM: (155, 12)},
    "t2": {SCALP: (120, 40), SKULL: (20, 12), CSF: (225, 20), GM: (135, 12), WM: (88, 12)},
    "flair": {SCALP: (110, 40), SKULL: (20, 12), CSF: (28, 12), GM: (145, 12), WM: (108, 10)},
    "pd": {SCALP: (150, 35), SKULL: (25, 12), CSF: (175, 20), GM: (155, 10), WM: (122, 10)},
}
MIN_LESION_STEP = 30.0  # random contrasts: a lesion differs from its tissue by at least this (0..255), so it stays visible


def tissue_levels(contrast: str, rng: np.random.Generator) -> dict:
    """Intensity per tissue code for one image. Random contrasts keep grey and white matter apart by a minimum step
    (a brain whose GM equals its WM is not an MRI anyone reads)."""
    if contrast == "random":
        while True:
            lv = {k: float(rng.uniform(5, 250)) for k in (SCALP, SKULL, CSF, GM, WM)}
            if abs(lv[GM] - lv[WM]) >= 20 and abs(lv[CSF] - lv[GM]) >= 15:
                return lv
    return {k: float(max(2.0, rng.normal(m, s / 2))) for k, (m, s) in RECIPES[contrast].items()}


def lesion_values(contrast: str, lv: dict, rng: np.random.Generator | None = None) -> dict:
    """Intensities of the lesion compartments. Native T1, T2 and PD lesions are kept clearly off their surroundings
    (contrast-to-noise above ~1): with iso-intense lesions (meningioma on T1 at 0.9 x grey matter) about 11 % of
    tumour images were invisible and capped accuracy. Random contrasts draw each compartment relative to the tissue it
    sits in (glioma in white matter, meningioma and pituitary against grey matter), brighter or darker at random."""
    c, g, w = lv[CSF], lv[GM], lv[WM]
    if contrast == "t1":
        return dict(necrosis=c * 1.1, rim=g * 0.75, solid=g * 0.68, oedema=(g + w) / 2 * 0.78, menin=g * 0.66, pit=g * 0.66, tail=g * 0.85)
    if contrast == "t1c":
        return dict(necrosis=c * 1.2, rim=w * 1.5, solid=w * 1.1, oedema=(g + w) / 2 * 0.85, menin=w * 1.4, pit=w * 1.25, tail=w * 1.4)
    if contrast == "t2":
        return dict(necrosis=c * 0.95, rim=g * 1.3, solid=g * 1.4, oedema=g + 0.45 * (c - g), menin=g * 1.45, pit=g * 1.5, tail=g * 1.15)
    if contrast == "flair":
        return dict(necrosis=g * 0.75, rim=g * 1.2, solid=g * 1.3, oedema=g * 1.4, menin=g * 1.15, pit=g * 1.15, tail=g * 1.05)
    if contrast == "pd":  # water-rich tumour and oedema are bright on PD; necrosis close to CSF
        return dict(necrosis=c * 1.05, rim=g * 1.22, solid=g * 1.3, oedema=(g + w) / 2 * 1.3, menin=g * 1.25, pit=g * 1.25, tail=g * 1.12)
    if rng is None:
        raise ValueError("random contrasts need a generator for their lesion intensities")

    def off(base: float, sign: float, lo: float = 1.0, hi: float = 2.2) -> float:
        step = MIN_LESION_STEP * float(rng.uniform(lo, hi))
        v = base + sign * step
        return v if 3.0 <= v <= 252.0 else base - sign * step

    s = 1.0 if rng.random() < 0.5 else -1.0
    rim = off(w, s)
    solid = off(w, s, 0.9, 2.0)
    menin = off(g, 1.0 if rng.random() < 0.5 else -1.0)
    pit = off(g, 1.0 if rng.random() < 0.5 else -1.0)
    return dict(necrosis=off(c, 1.0 if rng.random() < 0.5 else -1.0, 0.0, 0.6), rim=rim, solid=solid,
                oedema=off(w, s, 0.7, 1.4), menin=menin, pit=pit, tail=g + 0.6 * (menin - g))
