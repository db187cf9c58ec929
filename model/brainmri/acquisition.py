"""Acquisition randomness on a rendered slice: bias field, resolution, ringing or ghosting, noise, skull stripping,
window/level, gamma, inversion and quantisation. Everything a scanner, a protocol or a screenshot changes."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image
from scipy import ndimage as ndi


@lru_cache(maxsize=64)
def _basis(n: int, grid: int) -> np.ndarray:
    """n x grid matrix of Gaussian bumps on a coarse grid: basis @ coarse @ basis.T is a smooth random field."""
    centers = (np.arange(grid) + 0.5) / grid * n
    x = np.arange(n)[:, None] + 0.5
    b = np.exp(-0.5 * ((x - centers[None, :]) / (n / grid * 0.7)) ** 2)
    return (b / b.sum(1, keepdims=True)).astype(np.float32)


def smooth_field(rng, shape, grid: int, amp: float) -> np.ndarray:
    coarse = (rng.standard_normal((grid, grid)) * amp).astype(np.float32)
    return _basis(shape[0], grid) @ coarse @ _basis(shape[1], grid).T


def ringing(img: np.ndarray, axis: int, keep: float) -> np.ndarray:
    """Gibbs ringing: k-space truncated along one axis to `keep` of its frequencies (a short acquisition matrix)."""
    f = np.fft.fft(img, axis=axis)
    n = img.shape[axis]
    cut = int(n * keep / 2)
    idx = [slice(None)] * 2
    idx[axis] = slice(cut + 1, n - cut)
    f[tuple(idx)] = 0
    return np.abs(np.fft.ifft(f, axis=axis)).astype(np.float32)


def acquire(img: np.ndarray, rng: np.random.Generator, intracranial: np.ndarray, brain: np.ndarray) -> tuple[np.ndarray, dict]:
    """Returns the 0..255 float image and what was done (for metadata.csv)."""
    size = img.shape[0]
    meta = {}
    img = (img * np.exp(smooth_field(rng, img.shape, 4, float(rng.uniform(0.03, 0.2))))).astype(np.float32)
    r = rng.random()
    if r < 0.3:
        img = ndi.gaussian_filter(img, float(rng.uniform(0.3, 1.2)) * size / 256).astype(np.float32)
        meta["resolution"] = "blur"
    elif r < 0.55:
        f = float(rng.uniform(1.3, 2.5))
        small = max(64, int(size / f))
        img = np.asarray(Image.fromarray(img, "F").resize((small, small), Image.BILINEAR).resize((size, size), Image.BILINEAR))
        meta["resolution"] = "low"
    elif r < 0.75:  # thick slices seen in a reformatted plane, or an anisotropic matrix
        sig = [0.3, 0.3]
        sig[int(rng.integers(2))] = float(rng.uniform(1.0, 3.0))
        img = ndi.gaussian_filter(img, [s * size / 256 for s in sig]).astype(np.float32)
        meta["resolution"] = "anisotropic"
    else:
        meta["resolution"] = "full"
    r = rng.random()
    meta["artefact"] = ""
    if r < 0.1:
        img = ringing(img, int(rng.integers(2)), float(rng.uniform(0.3, 0.6)))
        meta["artefact"] = "ringing"
    elif r < 0.18:  # N/2 ghost along the phase-encoding axis
        img = img + float(rng.uniform(0.04, 0.15)) * np.roll(img, size // 2, axis=int(rng.integers(2)))
        meta["artefact"] = "ghost"
    sigma = float(rng.uniform(0.3, 6.0))
    n1 = rng.standard_normal(img.shape).astype(np.float32) * sigma
    if rng.random() < 0.7:
        n2 = rng.standard_normal(img.shape).astype(np.float32) * sigma
        img = np.sqrt((img + n1) ** 2 + n2 ** 2)
        meta["noise"] = "rician"
    else:
        img = np.abs(img + n1)
        meta["noise"] = "gaussian"
    r = rng.random()
    meta["stripped"] = ""
    if r < 0.1:  # skull-stripped, as many research pipelines show brains
        img = img * (brain if rng.random() < 0.5 else intracranial)
        meta["stripped"] = "yes"
    hi = np.percentile(img, 99.7) * float(rng.uniform(0.7, 1.15)) + 1e-3
    lo = hi * float(rng.uniform(0.0, 0.08)) if rng.random() < 0.4 else 0.0
    gamma = float(rng.uniform(0.75, 1.35))
    img = 255.0 * np.clip((img - lo) / (hi - lo), 0, 1) ** gamma
    meta["inverted"] = ""
    if rng.random() < 0.03:  # a negative display
        img = 255.0 - img
        meta["inverted"] = "yes"
    if rng.random() < 0.08:  # coarse quantisation (old exports, screen grabs)
        step = float(rng.choice([2, 4, 8]))
        img = np.round(img / step) * step
    return np.clip(img, 0, 255).astype(np.float32), meta
