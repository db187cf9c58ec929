"""THE preprocessing definition (docs/contracts.md) in numpy: decode, luma, separable antialiased bilinear resize, normalise."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

SIZE = 256
# Edge model normalisation: x = (v * SCALE - MEAN) / STD on 0..255 values.
SCALE = 1.0 / 255.0
MEAN = 0.2
STD = 0.25


class ImageReadError(ValueError):
    """An image file that cannot be decoded; the message names the file."""


@lru_cache(maxsize=64)
def resize_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out x n_in) float64 matrix of PIL's BILINEAR (triangle) filter with antialiasing, rows summing to 1."""
    scale = n_in / n_out
    filterscale = max(scale, 1.0)
    support = 1.0 * filterscale
    w = np.zeros((n_out, n_in), dtype=np.float64)
    for i in range(n_out):
        center = (i + 0.5) * scale
        lo = max(0, int(center - support + 0.5))  # int() truncates toward zero, as the contract's trunc
        hi = min(n_in, int(center + support + 0.5))
        k = np.arange(lo, hi, dtype=np.float64)
        row = np.maximum(0.0, 1.0 - np.abs((k - center + 0.5) / filterscale))
        total = row.sum()
        if total > 0:
            row /= total
        w[i, lo:hi] = row
    return w


def resize(gray: np.ndarray, width: int = SIZE, height: int = SIZE) -> np.ndarray:
    """Stretch an H x W float image to height x width: horizontal pass first, then vertical.

    Sums run in float64 and each pass is stored as float32, which is what a Float32Array-backed
    implementation that accumulates in JS numbers produces.
    """
    g = np.asarray(gray, dtype=np.float32)
    h_in, w_in = g.shape
    wx = resize_weights(w_in, width)
    wy = resize_weights(h_in, height)
    horiz = (g.astype(np.float64) @ wx.T).astype(np.float32)
    return (wy @ horiz.astype(np.float64)).astype(np.float32)


def to_gray(pixels: np.ndarray, bit_depth: int = 8) -> np.ndarray:
    """Decoded pixels (H x W or H x W x C) to 0..255 float32 grey: 16-bit / 257, Rec.601 luma, alpha ignored."""
    a = np.asarray(pixels)
    a = a.astype(np.float32)
    if bit_depth == 16:
        a = a / np.float32(257.0)
    if a.ndim == 2:
        return a
    c = a.shape[2]
    if c in (1, 2):
        return a[:, :, 0]
    r, g, b = a[:, :, 0], a[:, :, 1], a[:, :, 2]
    return (np.float32(0.299) * r + np.float32(0.587) * g + np.float32(0.114) * b).astype(np.float32)


def read_gray(path: str | Path, size: int | None = None) -> np.ndarray:
    """Decode an image file to 0..255 float32 grey per the contract. Raises ImageReadError naming the file.

    With `size` (the model's input side S), a JPEG is decoded at reduced size by PIL's draft rule with 2 S (the
    contract's step 1): libjpeg's scaled IDCT at 1/8, 1/4 or 1/2 keeping both sides >= 2 S, as every runtime decodes
    it, so a large JPEG gives the same pixels in training and serving. A 512-pixel scan is never reduced for S = 192."""
    try:
        with Image.open(path) as im:
            if size and im.format == "JPEG":
                im.draft(im.mode, (2 * size, 2 * size))
            im.load()
            mode = im.mode
            if mode in ("I;16", "I;16B", "I;16L", "I"):
                arr = np.asarray(im)
                if mode == "I" and arr.max(initial=0) <= 255 and im.format != "PNG":
                    return arr.astype(np.float32)
                return to_gray(arr.astype(np.uint16), 16)
            if mode == "L":
                return to_gray(np.asarray(im), 8)
            if mode == "LA":
                return to_gray(np.asarray(im), 8)
            if mode in ("RGB", "RGBA"):
                return to_gray(np.asarray(im), 8)
            if mode == "P" or mode == "PA" or mode == "1" or mode == "CMYK" or mode == "YCbCr":
                return to_gray(np.asarray(im.convert("RGB")), 8)
            raise ImageReadError(f"{path}: unsupported image mode {mode!r}; use 8/16-bit grey or 8-bit RGB(A)")
    except ImageReadError:
        raise
    except Exception as exc:  # PIL raises several types for truncated or non-image files
        raise ImageReadError(f"{path}: cannot be read as an image ({exc.__class__.__name__}: {exc})") from exc


def normalise(resized: np.ndarray, scale: float = SCALE, mean: float = MEAN, std: float = STD) -> np.ndarray:
    x = resized.astype(np.float32)
    return ((x * np.float32(scale) - np.float32(mean)) / np.float32(std)).astype(np.float32)


def preprocess_gray(gray: np.ndarray, size: int = SIZE, scale: float = SCALE, mean: float = MEAN, std: float = STD) -> np.ndarray:
    """0..255 grey -> 1 x size x size model input (NCHW without N)."""
    return normalise(resize(gray, size, size), scale, mean, std)[None]


def preprocess_file(path: str | Path, size: int = SIZE, scale: float = SCALE, mean: float = MEAN, std: float = STD) -> np.ndarray:
    return preprocess_gray(read_gray(path, size), size, scale, mean, std)
