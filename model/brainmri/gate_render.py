"""Image makers for the input gate's data: scan-like renders of brain volumes, photo crops, documents, UI, charts, shapes,
noise, colourised brains, crops, synthetic head CT, and the delivery step (JPEG/PNG round trip) every image goes through."""
from __future__ import annotations

import glob
import io
import string
from functools import lru_cache, partial

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from scipy import ndimage as ndi

from . import preprocess as P

FONT_GLOBS = ("/usr/share/fonts/truetype/dejavu/*.ttf", "/usr/share/fonts/truetype/liberation*/*.ttf")


# ---------------------------------------------------------------- delivery and the contract's preprocessing
def deliver(img: np.ndarray, rng: np.random.Generator, jpeg_p: float = 0.7, rgb_p: float = 0.3) -> np.ndarray:
    """What a runtime receives: the image encoded as JPEG (quality 55..95) or PNG, grey sometimes stored as RGB, decoded
    again. Returns H x W x 3 float32 in 0..255 (grey decodes to R = G = B, as the runtime's rgb preprocessing does)."""
    a = np.asarray(img)
    if a.dtype != np.uint8:
        a = np.clip(np.round(a), 0, 255).astype(np.uint8)
    im = Image.fromarray(a, "L" if a.ndim == 2 else "RGB")
    if a.ndim == 2 and rng.random() < rgb_p:
        im = im.convert("RGB")
    buf = io.BytesIO()
    if rng.random() < jpeg_p:
        im.save(buf, format="JPEG", quality=int(rng.integers(55, 96)))
    else:
        im.save(buf, format="PNG")
    buf.seek(0)
    with Image.open(buf) as dec:
        out = np.asarray(dec.convert("RGB"), dtype=np.float32)
    return out


def to_input(rgb: np.ndarray, size: int) -> np.ndarray:
    """H x W x 3 0..255 -> 3 x size x size 0..255, with the contract's separable antialiased bilinear resize per channel."""
    return np.stack([P.resize(rgb[:, :, c], size, size) for c in range(3)])


# ---------------------------------------------------------------- helpers
@lru_cache(maxsize=1)
def fonts() -> tuple[str, ...]:
    found = sorted(f for g in FONT_GLOBS for f in glob.glob(g) if "Math" not in f)
    if not found:
        raise SystemExit("no TrueType fonts found: install fonts-dejavu-core (npm run setup:training)")
    return tuple(found)


def font(rng: np.random.Generator, size: int, mono: bool = False) -> ImageFont.FreeTypeFont:
    fs = [f for f in fonts() if ("Mono" in f) == mono] or list(fonts())
    return ImageFont.truetype(fs[int(rng.integers(len(fs)))], max(6, int(size)))


def words(rng: np.random.Generator, n: int) -> str:
    letters = string.ascii_lowercase
    out = []
    for _ in range(n):
        w = "".join(letters[i] for i in rng.integers(0, 26, int(rng.integers(1, 11))))
        out.append(w.capitalize() if rng.random() < 0.1 else w)
    return " ".join(out)


def rand_colour(rng: np.random.Generator, lo: int = 0, hi: int = 256) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(lo, hi, 3))


def _ellipse(yy: np.ndarray, xx: np.ndarray, y0: float, x0: float, ry: float, rx: float,
             angle: float = 0.0) -> np.ndarray:
    """Pixels of the grid (yy, xx) inside the ellipse centred at (y0, x0) with semi-axes ry, rx, turned by `angle`."""
    dy, dx = yy - y0, xx - x0
    if angle:
        c, s = np.cos(angle), np.sin(angle)
        dy, dx = c * dy + s * dx, -s * dy + c * dx
    return (dy / max(ry, 1e-3)) ** 2 + (dx / max(rx, 1e-3)) ** 2 < 1


def smooth_field(rng: np.random.Generator, h: int, w: int, grid: int, amp: float = 1.0) -> np.ndarray:
    coarse = rng.standard_normal((grid, grid)).astype(np.float32) * amp
    return np.asarray(Image.fromarray(coarse, "F").resize((w, h), Image.BICUBIC), dtype=np.float32)


def grey_text(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Burn viewer-style annotations (series, slice, L/R) into corners in grey, as exported screenshots of scans carry."""
    im = Image.fromarray(img)
    d = ImageDraw.Draw(im)
    h, w = img.shape[:2]
    f = font(rng, max(8, min(h, w) // int(rng.integers(18, 40))), mono=bool(rng.random() < 0.5))
    v = int(rng.integers(150, 256))
    for _ in range(int(rng.integers(1, 5))):
        txt = str(rng.choice(["L", "R", "A", "P", f"Se:{rng.integers(1, 20)}", f"Im:{rng.integers(1, 200)}",
                              f"{rng.integers(128, 513)}x{rng.integers(128, 513)}", "T2", "FLAIR", "T1 +C", "AX", "SAG", "COR",
                              f"W:{rng.integers(100, 2000)} L:{rng.integers(50, 1000)}", f"{rng.integers(1, 10)}.0 mm"]))
        x = int(rng.choice([2, w - 2 - f.getlength(txt)]))
        y = int(rng.choice([2, h - 4 - f.size, int(rng.integers(0, max(1, h - f.size)))]))
        d.text((max(0, x), max(0, y)), txt, fill=v if img.ndim == 2 else (v, v, v), font=f)
    return np.asarray(im)


# ---------------------------------------------------------------- scan-like rendering of a 2-D slice
def scan_look(sl: np.ndarray, rng: np.random.Generator, aspect: float = 1.0, min_side: int = 128, max_side: int = 512,
              fill=(0.65, 1.0), allow_rot90: bool = True, noise=(0.0, 0.04), text_p: float = 0.2,
              lowres_p: float = 0.25, heavy_noise_p: float = 0.0) -> np.ndarray:
    """A 2-D slice (rows x cols, any intensity scale; `aspect` = row spacing / col spacing) rendered as a scan is delivered:
    rotated, scaled into a square or rectangular matrix, blurred or not, Rician noise, windowed, gamma, 8-bit grey.
    With probability lowres_p it is acquired on a coarse matrix (48..110 px, as diffusion and EPI scans are) and shown
    enlarged to the display matrix; with probability heavy_noise_p its noise is 4..15 % of the tissue signal (low-SNR
    diffusion scans)."""
    sl = np.asarray(sl, dtype=np.float32)
    sl = sl - min(0.0, float(sl.min()))
    fg = sl > 0.1 * np.percentile(sl, 99.5) if sl.max() > 0 else np.ones_like(sl, bool)
    rows, cols = np.where(fg.any(1))[0], np.where(fg.any(0))[0]
    if len(rows) == 0:
        rows, cols = np.arange(sl.shape[0]), np.arange(sl.shape[1])
    cr, cc = (rows[0] + rows[-1]) / 2.0, (cols[0] + cols[-1]) / 2.0
    ext = max((rows[-1] - rows[0] + 1) * aspect, cols[-1] - cols[0] + 1)  # in column-pixel units
    side = int(rng.integers(min_side, max_side + 1))
    w = side
    h = side if rng.random() < 0.8 else int(side * rng.uniform(0.75, 1.0))
    low = rng.random() < lowres_p
    q = float(rng.uniform(48, 110)) / max(h, w) if low else 1.0
    H, W = (max(8, int(h * q)), max(8, int(w * q))) if low else (h, w)
    f = float(rng.uniform(*fill))
    px = ext / (min(H, W) * f)  # column-pixels per acquired pixel
    th = float(rng.uniform(-12, 12)) * np.pi / 180 if rng.random() < 0.6 else 0.0
    if allow_rot90 and rng.random() < 0.05:
        th += np.pi / 2 * int(rng.integers(1, 4))
    flip = rng.random() < 0.5
    u = np.arange(H, dtype=np.float32)[:, None] - H / 2 + 0.5 + rng.uniform(-0.05, 0.05) * H
    v = np.arange(W, dtype=np.float32)[None, :] - W / 2 + 0.5 + rng.uniform(-0.05, 0.05) * W
    if flip:
        v = -v
    ct, st = np.cos(th), np.sin(th)
    rr = cr + px * (ct * u - st * v) / aspect
    cc_ = cc + px * (st * u + ct * v)
    order = 1 if rng.random() < 0.85 else 0
    img = ndi.map_coordinates(sl, [rr, cc_], order=order, mode="constant", cval=0.0).astype(np.float32)
    top = float(np.percentile(img, 99.5)) + 1e-6
    img = img / top * 200.0
    if rng.random() < 0.5:  # bias field
        img = img * np.exp(smooth_field(rng, H, W, 4, float(rng.uniform(0.03, 0.15))))
    if rng.random() < 0.3:
        img = ndi.gaussian_filter(img, float(rng.uniform(0.3, 1.2)) * W / 256).astype(np.float32)
    s = float(rng.uniform(*noise)) * 200.0
    if heavy_noise_p and rng.random() < heavy_noise_p:  # no draw at 0, so other sources' images stay the same
        s = float(rng.uniform(0.04, 0.15)) * 200.0
    if s > 0:
        img = np.sqrt((img + rng.standard_normal(img.shape).astype(np.float32) * s) ** 2
                      + (rng.standard_normal(img.shape).astype(np.float32) * s) ** 2)
    if low:
        img = np.asarray(Image.fromarray(img, "F").resize((w, h), Image.BILINEAR if rng.random() < 0.75 else Image.NEAREST))
    hi = float(np.percentile(img, float(rng.uniform(99.0, 99.9)))) * float(rng.uniform(0.85, 1.1)) + 1e-3
    lo = float(np.percentile(img, float(rng.uniform(0, 2)))) if rng.random() < 0.5 else 0.0
    img = 255.0 * np.clip((img - lo) / (hi - lo), 0, 1) ** float(rng.uniform(0.75, 1.35))
    out = np.clip(np.round(img), 0, 255).astype(np.uint8)
    if rng.random() < text_p:
        out = grey_text(out, rng)
    return out


def invert_inside(sl: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Intensities inverted inside the object, background kept dark: a T1 slice turned T2-like (bright fluid)."""
    top = float(np.percentile(sl, 99.5)) + 1e-6
    inside = ndi.binary_fill_holes(ndi.gaussian_filter(sl, 1.0) > 0.08 * top)
    out = sl.copy()
    out[inside] = top * float(rng.uniform(1.0, 1.3)) - sl[inside]
    return np.clip(out, 0, None)


def tone_curve(sl: np.ndarray, rng: np.random.Generator, knots: int = 4) -> np.ndarray:
    """Random increasing piecewise-linear remap (other sequences' tissue contrasts), zero kept at zero."""
    top = float(np.percentile(sl, 99.5)) + 1e-6
    ys = np.concatenate([[0.0], np.cumsum(rng.random(knots) + 0.35)])
    ys = ys / ys[-1]
    return np.interp(np.clip(sl / top, 0, 1), np.linspace(0, 1, knots + 1), ys).astype(np.float32) * top


# ---------------------------------------------------------------- colour brains (not MRI: specimen photos, colour maps)
@lru_cache(maxsize=1)
def _cmaps():
    from matplotlib import colormaps
    names = ("jet", "hot", "viridis", "magma", "inferno", "plasma", "turbo", "coolwarm", "spring", "summer", "autumn",
             "winter", "copper", "cool", "rainbow", "gist_heat", "afmhot", "RdYlBu", "Spectral", "cividis")
    return [colormaps[n] for n in names]


def colourise(grey: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A grey brain slice (uint8) made into a colour picture: a colour map, a strong tint, or a cryosection/specimen look."""
    g = grey.astype(np.float32) / 255.0
    kind = rng.choice(["cmap", "tint", "specimen"], p=[0.35, 0.25, 0.4])
    if kind == "cmap":
        cm = _cmaps()[int(rng.integers(len(_cmaps())))]
        rgb = cm(g)[:, :, :3] * 255.0
    elif kind == "tint":
        hue = np.array(rand_colour(rng, 40, 256), np.float32)
        hue = hue / max(hue.max(), 1.0)
        lo = hue * float(rng.uniform(0.0, 0.4))
        rgb = (lo + g[:, :, None] * (hue * 255.0 - lo)) if rng.random() < 0.5 else g[:, :, None] * hue * 255.0
        # keep it clearly coloured: at least 25 % saturation on bright pixels
        mx = rgb.max(2, keepdims=True)
        mn = rgb.min(2, keepdims=True)
        weak = (mx - mn) < 0.25 * mx
        rgb = np.where(weak, rgb * np.array([1.0, 0.7, 0.55], np.float32)[None, None], rgb)
    else:
        # tissue palette: fluid dark red-brown, grey matter pink-tan, white matter cream; background ice-blue, black or cloth
        pal_x = [0.0, 0.25, 0.55, 1.0]
        jitter = rng.uniform(-20, 20, (4, 3))
        pal = np.array([[60, 25, 25], [130, 60, 55], [195, 140, 120], [240, 220, 195]], np.float32) + jitter
        rgb = np.stack([np.interp(g, pal_x, pal[:, c]) for c in range(3)], axis=2)
        tex = smooth_field(rng, g.shape[0], g.shape[1], 24, 1.0)[:, :, None] * float(rng.uniform(4, 14))
        rgb = rgb + tex
        bg = np.array(rng.choice([[30, 60, 120], [0, 0, 0], [200, 205, 210], list(rand_colour(rng))]), np.float32)
        inside = ndi.binary_fill_holes(ndi.gaussian_filter(g, 1.5) > 0.06)
        a = ndi.gaussian_filter(inside.astype(np.float32), 1.0)[:, :, None]
        rgb = rgb * a + bg[None, None] * (1 - a)
        if rng.random() < 0.5:  # camera noise and softness
            rgb = ndi.gaussian_filter(rgb, (0.7, 0.7, 0)) + rng.normal(0, 3, rgb.shape)
    return np.clip(np.round(rgb), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- crops of scans (a corner is not a slice)
def corner_crop(grey: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A small piece (8..25 % of the side) of a scan, blown up to 96..512 px."""
    h, w = grey.shape[:2]
    f = float(rng.uniform(0.08, 0.25))
    ch, cw = max(4, int(h * f)), max(4, int(w * f * rng.uniform(0.8, 1.25)))
    cw = min(cw, w)
    y = int(rng.integers(0, h - ch + 1))
    x = int(rng.integers(0, w - cw + 1))
    side = int(rng.integers(96, 513))
    im = Image.fromarray(grey[y:y + ch, x:x + cw]).resize((side, int(side * ch / cw) or 1),
                                                          Image.BILINEAR if rng.random() < 0.7 else Image.NEAREST)
    return np.asarray(im)


# ---------------------------------------------------------------- synthetic head CT over the generator's anatomy
def head_ct(t1: np.ndarray, head: np.ndarray, intracranial: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A brain-window (or bone-window) CT look from a generated T1 slice and its masks: bright skull ring, nearly flat
    brain with grey matter a little brighter than white matter, dark fluid, scalp soft tissue, air black."""
    t = t1.astype(np.float32) / 255.0
    brain_mean = float(t[intracranial].mean()) if intracranial.any() else 0.5
    hu = np.full(t.shape, -1000.0, np.float32)
    hu[head] = 40.0 + rng.normal(0, 5)  # soft tissue
    skull = head & ~intracranial & (ndi.distance_transform_edt(~intracranial) <= float(rng.uniform(4, 9)) * t.shape[0] / 256)
    hu[skull] = float(rng.uniform(700, 1500))
    brain_hu = 32.0 - 25.0 * (t - brain_mean)  # GM a little brighter than WM on CT: opposite of T1
    brain_hu = np.where(t < 0.5 * brain_mean, 8.0, brain_hu)  # CSF
    hu = np.where(intracranial, brain_hu, hu)
    hu = hu + rng.normal(0, float(rng.uniform(2, 8)), hu.shape).astype(np.float32)
    center, width = (40.0, 80.0) if rng.random() < 0.75 else (float(rng.uniform(300, 600)), float(rng.uniform(1500, 3000)))
    img = 255.0 * np.clip((hu - (center - width / 2)) / width, 0, 1)
    # CT: a round field of view with the table sometimes visible
    if rng.random() < 0.5:
        h, w = img.shape
        yy, xx = np.ogrid[:h, :w]
        img[(yy - h / 2) ** 2 + (xx - w / 2) ** 2 > (0.5 * min(h, w)) ** 2] = 0
    return np.clip(img, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- photos
def photo_crop(rgb: np.ndarray, rng: np.random.Generator, grey_p: float = 0.3) -> np.ndarray:
    """A random crop (25..100 % of the side) of a photograph at 128..768 px, sometimes greyscale, sometimes rotated."""
    h, w = rgb.shape[:2]
    f = float(rng.uniform(0.25, 1.0))
    ch, cw = max(16, int(h * f)), max(16, int(w * f * rng.uniform(0.75, 1.33)))
    ch, cw = min(ch, h), min(cw, w)
    y = int(rng.integers(0, h - ch + 1))
    x = int(rng.integers(0, w - cw + 1))
    im = Image.fromarray(rgb[y:y + ch, x:x + cw])
    side = int(rng.integers(128, 769))
    scale = side / max(ch, cw)
    im = im.resize((max(8, int(cw * scale)), max(8, int(ch * scale))), Image.BILINEAR)
    if rng.random() < 0.1:
        im = im.rotate(90 * int(rng.integers(1, 4)), expand=True)
    if rng.random() < 0.5:
        im = im.transpose(Image.FLIP_LEFT_RIGHT)
    if rng.random() < grey_p:
        im = im.convert("L")
    return np.asarray(im)


# ---------------------------------------------------------------- documents, UI, charts, screenshots
def document(rng: np.random.Generator) -> np.ndarray:
    """A page of text: paragraphs, headings, sometimes a table or a coloured banner; light or (sometimes) dark."""
    w = int(rng.integers(300, 900))
    h = int(w * rng.uniform(0.7, 1.5))
    dark = rng.random() < 0.15
    bg = rand_colour(rng, 0, 40) if dark else rand_colour(rng, 225, 256)
    fg = rand_colour(rng, 200, 256) if dark else rand_colour(rng, 0, 70)
    im = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(im)
    m = int(rng.integers(10, 60))
    y = m
    base = int(rng.integers(10, 24))
    while y < h - m:
        r = rng.random()
        if r < 0.15:
            f = font(rng, base * rng.uniform(1.4, 2.2))
            d.text((m, y), words(rng, int(rng.integers(1, 6))), fill=fg, font=f)
            y += int(f.size * 1.6)
        elif r < 0.25:  # table
            rows, cols = int(rng.integers(2, 7)), int(rng.integers(2, 6))
            cw = (w - 2 * m) / cols
            rh = base * 1.8
            for i in range(rows + 1):
                d.line([(m, y + i * rh), (w - m, y + i * rh)], fill=fg, width=1)
            for j in range(cols + 1):
                d.line([(m + j * cw, y), (m + j * cw, y + rows * rh)], fill=fg, width=1)
            f = font(rng, base * 0.9)
            for i in range(rows):
                for j in range(cols):
                    d.text((m + j * cw + 3, y + i * rh + 3), words(rng, 1)[:10], fill=fg, font=f)
            y += int(rows * rh + base)
        elif r < 0.3:  # banner / figure box
            bh = int(rng.integers(20, max(21, h // 5)))
            d.rectangle([m, y, w - m, y + bh], fill=rand_colour(rng))
            y += bh + base
        else:
            f = font(rng, base)
            per_line = max(3, int((w - 2 * m) / (f.size * 0.55 * 6)))
            for _ in range(int(rng.integers(2, 8))):
                if y > h - m:
                    break
                d.text((m, y), words(rng, per_line), fill=fg, font=f)
                y += int(f.size * 1.35)
            y += base
    a = np.asarray(im)
    if rng.random() < 0.3:  # photographed or scanned page: tilt, blur, shading
        im = im.rotate(float(rng.uniform(-6, 6)), resample=Image.BILINEAR, expand=True, fillcolor=rand_colour(rng))
        im = im.filter(ImageFilter.GaussianBlur(float(rng.uniform(0, 1.2))))
        a = np.asarray(im).astype(np.float32)
        a = a * (1 + smooth_field(rng, a.shape[0], a.shape[1], 3, 0.08)[:, :, None])
        a = np.clip(a, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        a = np.asarray(Image.fromarray(a).convert("L"))
    return a


def ui_mock(rng: np.random.Generator) -> np.ndarray:
    """An application window: title bar, sidebar, buttons, fields, labels, icons; light or dark theme."""
    w = int(rng.integers(400, 1000))
    h = int(w * rng.uniform(0.55, 0.9))
    dark = rng.random() < 0.4
    bg = rand_colour(rng, 20, 60) if dark else rand_colour(rng, 220, 256)
    fg = rand_colour(rng, 200, 256) if dark else rand_colour(rng, 10, 60)
    accent = rand_colour(rng, 30, 230)
    im = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(im)
    tb = int(rng.integers(20, 40))
    d.rectangle([0, 0, w, tb], fill=rand_colour(rng, 0, 256))
    d.text((10, 4), words(rng, 3), fill=fg, font=font(rng, tb * 0.6))
    sw = int(w * rng.uniform(0.12, 0.3)) if rng.random() < 0.7 else 0
    if sw:
        d.rectangle([0, tb, sw, h], fill=tuple(int(c * 0.85) for c in bg))
        for i in range(int(rng.integers(4, 12))):
            d.text((10, tb + 12 + i * 28), words(rng, 2), fill=fg, font=font(rng, 13))
    x0 = sw + 20
    y = tb + 20
    while y < h - 40:
        r = rng.random()
        if r < 0.3:
            bw = int(rng.integers(60, 160))
            d.rounded_rectangle([x0, y, x0 + bw, y + 30], radius=6, fill=accent)
            d.text((x0 + 8, y + 7), words(rng, 1)[:12], fill=(255, 255, 255), font=font(rng, 13))
        elif r < 0.6:
            d.text((x0, y + 6), words(rng, 2), fill=fg, font=font(rng, 13))
            d.rectangle([x0 + 150, y, min(w - 20, x0 + 150 + int(rng.integers(100, 400))), y + 28],
                        outline=fg, fill=tuple(min(255, c + 10) for c in bg))
        elif r < 0.75:
            for k in range(int(rng.integers(3, 8))):
                cx = x0 + k * 50
                d.ellipse([cx, y, cx + 32, y + 32], fill=rand_colour(rng))
        else:
            d.text((x0, y), words(rng, int(rng.integers(5, 15))), fill=fg, font=font(rng, int(rng.integers(11, 18))))
        y += int(rng.integers(36, 60))
    return np.asarray(im)


def chart(rng: np.random.Generator) -> np.ndarray:
    """A matplotlib chart (line, bars, scatter, histogram, pie), coloured or grey, light or dark style."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    w, h = float(rng.uniform(3, 8)), float(rng.uniform(2.5, 6))
    dark = rng.random() < 0.25
    fig, ax = plt.subplots(figsize=(w, h), dpi=int(rng.integers(60, 110)))
    if dark:
        fig.patch.set_facecolor("black")
        ax.set_facecolor("black")
        ax.tick_params(colors="white")
    kind = rng.integers(5)
    n = int(rng.integers(5, 60))
    if kind == 0:
        for _ in range(int(rng.integers(1, 4))):
            ax.plot(np.cumsum(rng.standard_normal(n)))
    elif kind == 1:
        ax.bar(range(n // 3 + 2), rng.random(n // 3 + 2))
    elif kind == 2:
        ax.scatter(rng.standard_normal(n * 4), rng.standard_normal(n * 4), s=8)
    elif kind == 3:
        ax.hist(rng.standard_normal(500), bins=int(rng.integers(10, 40)))
    else:
        ax.pie(rng.random(int(rng.integers(3, 7))))
    ax.set_title(words(rng, 3), color="white" if dark else "black")
    fig.canvas.draw()
    a = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].copy()
    plt.close(fig)
    if rng.random() < 0.25:
        a = np.asarray(Image.fromarray(a).convert("L"))
    return a


def html_page(rng: np.random.Generator) -> str:
    """A self-contained HTML page (article, form, table or dashboard) for headless Chromium to screenshot."""
    def c():
        return "#%02x%02x%02x" % rand_colour(rng)
    dark = rng.random() < 0.3
    body = f"background:{'#1e1e1e' if dark else '#ffffff'};color:{'#ddd' if dark else '#222'};" \
           f"font-family:{rng.choice(['serif', 'sans-serif', 'monospace'])};font-size:{rng.integers(12, 20)}px;margin:{rng.integers(5, 40)}px"
    parts = [f"<h1 style='color:{c()}'>{words(rng, 4)}</h1>"]
    for _ in range(int(rng.integers(2, 6))):
        r = rng.random()
        if r < 0.4:
            parts.append(f"<p>{words(rng, int(rng.integers(30, 90)))}</p>")
        elif r < 0.6:
            rows = "".join("<tr>" + "".join(f"<td style='border:1px solid #888;padding:4px'>{words(rng, 1)}</td>" for _ in range(4)) + "</tr>"
                           for _ in range(int(rng.integers(2, 8))))
            parts.append(f"<table style='border-collapse:collapse'>{rows}</table>")
        elif r < 0.8:
            parts.append("<form>" + "".join(f"<label>{words(rng, 2)} <input value='{words(rng, 1)}'></label><br>" for _ in range(3))
                         + f"<button style='background:{c()};color:white;border:0;padding:8px 16px'>{words(rng, 1)}</button></form>")
        else:
            parts.append("<div style='display:flex;gap:10px'>" + "".join(
                f"<div style='background:{c()};width:{rng.integers(60, 200)}px;height:{rng.integers(40, 150)}px;border-radius:8px'></div>"
                for _ in range(int(rng.integers(2, 6)))) + "</div>")
        parts.append(f"<ul>{''.join(f'<li>{words(rng, 6)}</li>' for _ in range(int(rng.integers(0, 5))))}</ul>")
    return f"<!doctype html><html><body style=\"{body}\">{''.join(parts)}</body></html>"


def ecg_strip(signal: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A stretch of an ECG trace on (usually) pink grid paper."""
    w = int(rng.integers(400, 1000))
    h = int(w * rng.uniform(0.3, 0.8))
    n = int(rng.integers(1000, 4000))
    start = int(rng.integers(0, len(signal) - n))
    s = signal[start:start + n]
    paper = rng.random() < 0.7
    bg = (255, int(rng.integers(225, 245)), int(rng.integers(225, 245))) if paper else (0, 0, 0)
    im = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(im)
    if paper:
        step = int(rng.integers(8, 16))
        for x in range(0, w, step):
            d.line([(x, 0), (x, h)], fill=(240, 170, 170) if x % (5 * step) else (220, 120, 120))
        for y in range(0, h, step):
            d.line([(0, y), (w, y)], fill=(240, 170, 170) if y % (5 * step) else (220, 120, 120))
    ys = h / 2 - (s - s.mean()) / (np.abs(s).max() + 1e-6) * h * 0.4
    xs = np.linspace(0, w, len(s))
    d.line(list(zip(xs.tolist(), ys.tolist())), fill=(0, 0, 0) if paper else (0, 255, 0), width=int(rng.integers(1, 3)))
    return np.asarray(im)


# ---------------------------------------------------------------- shapes, gradients, noise, blank
def shapes(rng: np.random.Generator, style: str) -> np.ndarray:
    """style 'filled': circles, ellipses, polygons, rings on a plain background (a plain circle on black included);
    'blobs': smooth random blobs, stripes, checkerboards; 'drawn': pen outlines of circles and shapes on paper."""
    side = int(rng.integers(128, 513))
    h = side if rng.random() < 0.7 else int(side * rng.uniform(0.6, 1.0))
    w = side
    if style == "blobs":
        r = rng.random()
        if r < 0.5:
            f = smooth_field(rng, h, w, int(rng.integers(3, 10)))
            a = (f > rng.uniform(-0.5, 0.5)).astype(np.float32)
            a = ndi.gaussian_filter(a, float(rng.uniform(0, 3)))
        elif r < 0.75:
            period = float(rng.uniform(6, 60))
            ang = float(rng.uniform(0, np.pi))
            yy, xx = np.mgrid[:h, :w]
            a = (np.sin((xx * np.cos(ang) + yy * np.sin(ang)) / period * 2 * np.pi) > 0).astype(np.float32)
        else:
            k = int(rng.integers(4, 20))
            yy, xx = np.mgrid[:h, :w]
            a = (((yy * k // h) + (xx * k // w)) % 2).astype(np.float32)
        lo, hi = sorted(rng.uniform(0, 255, 2))
        img = lo + a * (hi - lo)
        if rng.random() < 0.4:
            c1, c2 = np.array(rand_colour(rng), np.float32), np.array(rand_colour(rng), np.float32)
            return np.clip(c1 + (a[:, :, None]) * (c2 - c1), 0, 255).astype(np.uint8)
        return np.clip(img, 0, 255).astype(np.uint8)
    if style == "drawn":
        bg = rand_colour(rng, 200, 256) if rng.random() < 0.8 else rand_colour(rng, 0, 50)
        im = Image.new("RGB", (w, h), bg)
        d = ImageDraw.Draw(im)
        for _ in range(int(rng.integers(1, 4))):
            cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
            rx = rng.uniform(0.1, 0.45) * min(w, h)
            ry = rx * rng.uniform(0.7, 1.3)
            pen = rand_colour(rng, 0, 120) if sum(bg) > 300 else rand_colour(rng, 150, 256)
            t = np.linspace(0, 2 * np.pi * rng.uniform(0.95, 1.1), 200)
            wob = 1 + 0.03 * np.sin(t * rng.uniform(1, 4) + rng.uniform(0, 6))
            pts = list(zip((cx + rx * wob * np.cos(t)).tolist(), (cy + ry * wob * np.sin(t)).tolist()))
            d.line(pts, fill=pen, width=int(rng.integers(1, 8)))
        a = np.asarray(im)
        return np.asarray(Image.fromarray(a).convert("L")) if rng.random() < 0.4 else a
    # filled
    bg = int(rng.integers(0, 40)) if rng.random() < 0.7 else int(rng.integers(0, 256))
    colour = rng.random() < 0.3
    im = Image.new("RGB" if colour else "L", (w, h), (bg, bg, bg) if colour else bg)
    d = ImageDraw.Draw(im)
    for _ in range(int(rng.integers(1, 4)) if rng.random() < 0.6 else 1):
        cx, cy = rng.uniform(0.25, 0.75) * w, rng.uniform(0.25, 0.75) * h
        rx = rng.uniform(0.1, 0.48) * min(w, h)
        ry = rx * (rng.uniform(0.6, 1.4) if rng.random() < 0.6 else 1.0)
        fill = rand_colour(rng) if colour else int(rng.integers(60, 256))
        k = rng.random()
        if k < 0.55:
            d.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=fill)
        elif k < 0.75:
            wd = int(rng.integers(2, max(3, int(rx / 3))))
            d.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], outline=fill, width=wd)
        else:
            n = int(rng.integers(3, 9))
            ang = np.sort(rng.uniform(0, 2 * np.pi, n))
            d.polygon(list(zip((cx + rx * np.cos(ang)).tolist(), (cy + ry * np.sin(ang)).tolist())), fill=fill)
    a = np.asarray(im).astype(np.float32)
    if rng.random() < 0.4:
        a = ndi.gaussian_filter(a, (float(rng.uniform(0.5, 4)),) * 2 + ((0,) if a.ndim == 3 else ()))
    if rng.random() < 0.4:
        a = a + rng.normal(0, float(rng.uniform(1, 12)), a.shape)
    return np.clip(a, 0, 255).astype(np.uint8)


def gradient(rng: np.random.Generator, style: str) -> np.ndarray:
    """'linear' or 'radial' gradients, grey or between two colours."""
    side = int(rng.integers(64, 513))
    h, w = side, int(side * rng.uniform(0.6, 1.6))
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    if style == "linear":
        ang = float(rng.uniform(0, 2 * np.pi))
        t = (xx / w - 0.5) * np.cos(ang) + (yy / h - 0.5) * np.sin(ang) + 0.5
    else:
        cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
        t = np.hypot(xx - cx, yy - cy) / (rng.uniform(0.3, 0.9) * max(h, w))
        if rng.random() < 0.5:
            t = 1 - t
    t = np.clip(t, 0, 1) ** float(rng.uniform(0.5, 2.0))
    if rng.random() < 0.5:
        lo, hi = sorted(rng.uniform(0, 255, 2))
        return np.clip(lo + t * (hi - lo), 0, 255).astype(np.uint8)
    c1, c2 = np.array(rand_colour(rng), np.float32), np.array(rand_colour(rng), np.float32)
    return np.clip(c1 + t[:, :, None] * (c2 - c1), 0, 255).astype(np.uint8)


def noise(rng: np.random.Generator, style: str) -> np.ndarray:
    """'white': Gaussian or uniform pixel noise, grey or colour; 'smooth': low-frequency value noise, salt and pepper."""
    side = int(rng.integers(64, 513))
    h, w = side, int(side * rng.uniform(0.7, 1.4))
    ch = 3 if rng.random() < 0.3 else 1
    if style == "white":
        mu, sd = rng.uniform(30, 220), rng.uniform(5, 80)
        a = rng.normal(mu, sd, (h, w, ch)) if rng.random() < 0.6 else rng.uniform(0, 255, (h, w, ch))
    else:
        if rng.random() < 0.7:
            a = np.stack([smooth_field(rng, h, w, int(rng.integers(4, 40))) for _ in range(ch)], 2) * rng.uniform(20, 70) + rng.uniform(60, 190)
        else:
            a = np.full((h, w, ch), rng.uniform(0, 255))
            m = rng.random((h, w)) < rng.uniform(0.01, 0.2)
            a[m] = rng.choice([0.0, 255.0], size=(int(m.sum()), 1))
    a = np.clip(a, 0, 255).astype(np.uint8)
    return a[:, :, 0] if ch == 1 else a


def blank(rng: np.random.Generator, near: bool) -> np.ndarray:
    """A constant frame (black, white, any grey or colour), or near-blank: faint noise, vignetting, a few specks."""
    side = int(rng.integers(32, 513))
    h, w = side, int(side * rng.uniform(0.6, 1.6))
    v = float(rng.choice([0.0, 255.0, float(rng.uniform(0, 255))], p=[0.4, 0.2, 0.4]))
    colour = rng.random() < 0.25
    a = np.full((h, w, 3) if colour else (h, w), v, np.float32)
    if colour:
        a[:] = np.array(rand_colour(rng), np.float32)
    if near:
        a = a + rng.normal(0, float(rng.uniform(0.5, 6)), a.shape)
        if rng.random() < 0.5:
            yy, xx = np.mgrid[:h, :w]
            vig = 1 - 0.3 * (np.hypot(yy - h / 2, xx - w / 2) / max(h, w)) ** 2
            a = a * (vig[:, :, None] if a.ndim == 3 else vig)
        if rng.random() < 0.4:
            for _ in range(int(rng.integers(1, 6))):
                y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
                a[max(0, y - 2):y + 2, max(0, x - 2):x + 2] = rng.uniform(0, 255)
    return np.clip(np.round(a), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- other grey medical-looking pictures (not MRI slices)
def projection(vol: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A radiograph-like picture of a head volume: the sum (X-ray) or maximum (MIP) along one axis, any window."""
    ax = int(rng.integers(3))
    p = vol.sum(axis=ax) if rng.random() < 0.7 else vol.max(axis=ax)
    p = np.ascontiguousarray(p.T[::-1]) if ax != 2 else np.ascontiguousarray(p.T[::-1])
    p = p / (p.max() + 1e-6)
    p = p ** float(rng.uniform(0.5, 2.0))
    if rng.random() < 0.5:
        p = 1.0 - p  # film look: dense = white on dark or the reverse
    img = np.clip(p * 255.0, 0, 255)
    if rng.random() < 0.5:  # collimated: only a rotated rectangle of the field exposed
        h, w = img.shape
        yy, xx = np.mgrid[:h, :w].astype(np.float32)
        a = float(rng.uniform(-0.3, 0.3))
        u = (xx - w / 2) * np.cos(a) + (yy - h / 2) * np.sin(a)
        v = -(xx - w / 2) * np.sin(a) + (yy - h / 2) * np.cos(a)
        img = np.where((np.abs(u) < rng.uniform(0.2, 0.5) * w) & (np.abs(v) < rng.uniform(0.3, 0.5) * h), img, 0.0)
    return np.asarray(Image.fromarray(img.astype(np.uint8)).resize(
        (int(rng.integers(128, 513)), int(rng.integers(128, 513))), Image.BILINEAR))


def mask_picture(masks: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Segmentation masks shown as pictures: one or more nested masks as flat grey or colour levels, hard or soft edges."""
    levels = sum(m.astype(np.float32) for m in masks)
    n = int(levels.max()) + 1
    if rng.random() < 0.6:
        lut = np.concatenate([[0.0], np.sort(rng.uniform(80, 256, n - 1))])
        img = lut[levels.astype(int)]
    else:
        lut = rng.integers(0, 256, (n, 3)).astype(np.float32)
        lut[0] = 0
        img = lut[levels.astype(int)]
    if rng.random() < 0.3:
        img = ndi.gaussian_filter(img, (1.5, 1.5) + ((0,) if img.ndim == 3 else ()))
    if rng.random() < 0.2:
        img = 255.0 - img
    return np.clip(img, 0, 255).astype(np.uint8)


def nuclear_like(rng: np.random.Generator) -> np.ndarray:
    """Blurry, count-noisy grey pictures of body-like blobs (planar scintigraphy, SPECT/PET look), often black on white."""
    h = int(rng.integers(64, 160))
    w = int(h * rng.uniform(0.3, 1.0))
    a = np.zeros((h, w), np.float32)
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    for _ in range(int(rng.integers(3, 12))):
        cy, cx = rng.uniform(0, h), rng.uniform(0.2, 0.8) * w
        ry, rx = rng.uniform(3, h / 3), rng.uniform(2, w / 3)
        a += rng.uniform(0.2, 1.0) * (((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 < 1)
    if rng.random() < 0.6:
        a = np.maximum(a, a[:, ::-1])
    a = ndi.gaussian_filter(a, float(rng.uniform(1, 4)))
    a = rng.poisson(a / (a.max() + 1e-6) * float(rng.uniform(5, 60))).astype(np.float32)
    a = a / (a.max() + 1e-6) * 255.0
    if rng.random() < 0.6:
        a = 255.0 - a
    side = int(rng.integers(128, 513))
    resample = Image.NEAREST if rng.random() < 0.5 else Image.BILINEAR
    return np.asarray(Image.fromarray(a.astype(np.uint8)).resize((max(8, int(side * w / h)), side), resample))


def angiography_like(rng: np.random.Generator) -> np.ndarray:
    """Dark branching vessel trees over a mottled X-ray background (bone and soft-tissue shadows), vignetted and noisy:
    the X-ray angiography / fluoroscopy look."""
    side = int(rng.integers(192, 513))
    bg = float(rng.uniform(90, 200))
    base = bg + smooth_field(rng, side, side, int(rng.integers(3, 8)), float(rng.uniform(10, 45)))
    if rng.random() < 0.5:  # rib- or skull-like bright bands
        yy, xx = np.mgrid[:side, :side].astype(np.float32)
        ang, period = float(rng.uniform(0, np.pi)), float(rng.uniform(25, 80))
        base += float(rng.uniform(10, 40)) * (np.sin((xx * np.cos(ang) + yy * np.sin(ang)) / period * 2 * np.pi) > 0.3)
    im = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(im)
    stack = [(float(rng.uniform(0, side)), float(rng.uniform(0, side)), float(rng.uniform(0, 2 * np.pi)), float(rng.uniform(5, 14)))
             for _ in range(int(rng.integers(4, 13)))]
    segs = 0
    while stack and segs < 1500:
        x, y, ang, wd = stack.pop()
        for _ in range(int(rng.integers(8, 30))):
            nx, ny = x + np.cos(ang) * 10, y + np.sin(ang) * 10
            d.line([(x, y), (nx, ny)], fill=int(bg * rng.uniform(0.1, 0.5)), width=max(1, int(wd)))
            x, y, ang = nx, ny, ang + rng.normal(0, 0.25)
            segs += 1
            if rng.random() < 0.25 and wd > 1.5:
                stack.append((x, y, ang + rng.choice([-1, 1]) * rng.uniform(0.4, 1.0), wd * 0.7))
        if wd > 1.5:
            stack.append((x, y, ang, wd * 0.8))
    a = np.asarray(im).astype(np.float32)
    a = ndi.gaussian_filter(a, float(rng.uniform(0.5, 2)))
    yy, xx = np.mgrid[:side, :side]
    r = np.hypot(yy - side / 2, xx - side / 2) / (side / 2)
    a = a * np.clip(1.2 - 0.5 * r ** 2, 0, 1) + rng.normal(0, float(rng.uniform(2, 10)), a.shape)
    if rng.random() < 0.4:
        a[r > rng.uniform(0.85, 1.0)] = 0  # round image intensifier field
    if rng.random() < 0.3:
        a = 255.0 - a
    return np.clip(a, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- round 2: families the first gate let through
# (New functions only: the ones above stay as they were, so the sources that use them reproduce round 1's images.)
def _fill_pattern(rng: np.random.Generator, h: int, w: int, cy: float, cx: float, r: float) -> np.ndarray:
    """What fills a drawn shape: flat, a linear or radial (sphere-like) gradient, smooth texture or grain, 0..1."""
    k = rng.random()
    if k < 0.45:
        return np.full((h, w), 1.0, np.float32)
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    if k < 0.6:
        ang = float(rng.uniform(0, 2 * np.pi))
        t = ((xx - cx) * np.cos(ang) + (yy - cy) * np.sin(ang)) / (2 * r + 1e-6) + 0.5
        return np.clip(0.35 + 0.65 * t, 0, 1)
    if k < 0.75:
        t = np.hypot(yy - cy, xx - cx) / (r + 1e-6)
        return np.clip(1.0 - float(rng.uniform(0.3, 0.9)) * t ** float(rng.uniform(0.7, 2.5)), 0.05, 1)
    if k < 0.9:
        f = smooth_field(rng, h, w, int(rng.integers(3, 16)), 1.0)
        return np.clip(0.7 + float(rng.uniform(0.05, 0.25)) * f, 0, 1)
    return np.clip(rng.uniform(0.5, 1.0, (h, w)).astype(np.float32), 0, 1)


def disks(rng: np.random.Generator) -> np.ndarray:
    """Drawn disks, rings and ellipses of every size (2..60 % of the side), mostly on black: flat, gradient or textured
    fill, hard, antialiased or blurred edges, sometimes noise; one shape (the issue's plain white circle on black) or a
    few, sometimes a ring round a disk (a cartoon head). Grey, sometimes colour."""
    side = int(rng.integers(64, 769))
    h = side if rng.random() < 0.75 else int(side * rng.uniform(0.6, 1.0))
    w = side
    bg = 0.0 if rng.random() < 0.6 else (float(rng.uniform(0, 40)) if rng.random() < 0.8 else float(rng.uniform(0, 255)))
    ss = 2 if rng.random() < 0.5 else 1  # supersampled: antialiased edges
    H, W = h * ss, w * ss
    img = np.full((H, W), bg, np.float32)
    yy, xx = np.mgrid[:H, :W].astype(np.float32)
    n = 1 if rng.random() < 0.6 else int(rng.integers(2, 6))
    for _ in range(n):
        r = float(np.exp(rng.uniform(np.log(0.02), np.log(0.6)))) * min(H, W)
        ry = r * (1.0 if rng.random() < 0.5 else float(rng.uniform(0.5, 1.5)))
        cy = float(rng.uniform(0.15, 0.85)) * H if n > 1 or rng.random() < 0.4 else H / 2 + rng.normal(0, 0.03) * H
        cx = float(rng.uniform(0.15, 0.85)) * W if n > 1 or rng.random() < 0.4 else W / 2 + rng.normal(0, 0.03) * W
        a = float(rng.uniform(0, np.pi))
        u = (xx - cx) * np.cos(a) + (yy - cy) * np.sin(a)
        v = -(xx - cx) * np.sin(a) + (yy - cy) * np.cos(a)
        d = np.sqrt((u / r) ** 2 + (v / ry) ** 2)
        level = float(rng.choice([255.0, float(rng.uniform(60, 255))]))
        fill = _fill_pattern(rng, H, W, cy, cx, max(r, ry)) * level
        kind = rng.random()
        if kind < 0.55:
            m = d < 1
        elif kind < 0.8:
            m = (d < 1) & (d > 1 - float(rng.uniform(0.03, 0.4)))
        else:  # ring round a disk of another level: a drawn "head"
            t = float(rng.uniform(0.05, 0.2))
            m = (d < 1) & (d > 1 - t)
            inner = d <= 1 - t - float(rng.uniform(0, 0.05))
            img[inner] = (_fill_pattern(rng, H, W, cy, cx, r) * float(rng.uniform(30, 200)))[inner]
        img[m] = fill[m]
    if ss > 1:
        img = np.asarray(Image.fromarray(img, "F").resize((w, h), Image.BOX))
    if rng.random() < 0.35:
        img = ndi.gaussian_filter(img, float(np.exp(rng.uniform(np.log(0.5), np.log(12)))) * side / 256).astype(np.float32)
    if rng.random() < 0.35:
        sd = float(rng.uniform(1, 25))
        img = np.sqrt((img + rng.normal(0, sd, img.shape)) ** 2 + rng.normal(0, sd, img.shape) ** 2) if rng.random() < 0.5 \
            else img + rng.normal(0, sd, img.shape)
    if rng.random() < 0.1:
        img = 255.0 - img
    if rng.random() < 0.15:
        c = np.array(rand_colour(rng, 60, 256), np.float32) / 255.0
        return np.clip(img[:, :, None] * c[None, None], 0, 255).astype(np.uint8)
    return np.clip(img, 0, 255).astype(np.uint8)


def shapes_matplotlib(rng: np.random.Generator) -> np.ndarray:
    """Circles, rings and ellipses drawn by matplotlib's patches (another renderer than the training shapes' PIL/numpy),
    mostly one light shape on black, any size."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, Ellipse, Wedge
    side = float(rng.uniform(2.0, 6.0))
    dpi = int(rng.integers(50, 110))
    fig = plt.figure(figsize=(side, side * (1.0 if rng.random() < 0.8 else float(rng.uniform(0.7, 1.0)))), dpi=dpi)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    bg = "black" if rng.random() < 0.7 else str(float(rng.uniform(0, 1)))
    fig.patch.set_facecolor(bg)
    for _ in range(1 if rng.random() < 0.65 else int(rng.integers(2, 5))):
        g = float(rng.uniform(0.3, 1.0)) if rng.random() < 0.5 else 1.0
        colour = (g, g, g) if rng.random() < 0.85 else tuple(rng.uniform(0, 1, 3))
        cx, cy = rng.uniform(0.25, 0.75, 2)
        r = float(rng.uniform(0.05, 0.48))
        k = rng.random()
        if k < 0.5:
            p = Circle((cx, cy), r, color=colour)
        elif k < 0.75:
            p = Ellipse((cx, cy), 2 * r, 2 * r * float(rng.uniform(0.5, 1.5)), angle=float(rng.uniform(0, 180)), color=colour)
        else:
            p = Wedge((cx, cy), r, 0, 360, width=r * float(rng.uniform(0.05, 0.5)), color=colour)
        ax.add_patch(p)
    fig.canvas.draw()
    a = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].copy()
    plt.close(fig)
    return np.asarray(Image.fromarray(a).convert("L")) if rng.random() < 0.7 else a


def planar_views(img: np.ndarray, rng: np.random.Generator, both_p: float, dim: float) -> np.ndarray:
    """A planar nuclear medicine layout: one view, or (with probability both_p) anterior and posterior side by side, the
    posterior the mirror image scaled by dim..1.1, with a gap between them."""
    views = [img, img[:, ::-1] * float(rng.uniform(dim, 1.1))] if rng.random() < both_p else [img]
    gap = np.zeros((img.shape[0], int(img.shape[1] * rng.uniform(0.05, 0.4))), np.float32)
    return np.concatenate(sum(([v, gap] for v in views), [])[:-1], axis=1)


def bone_scan(rng: np.random.Generator) -> np.ndarray:
    """A whole-body bone scintigraphy look: anterior and/or posterior views of a skeleton of blurred hot lines and blobs
    (skull, spine, ribs, pelvis, long bones, bladder), Poisson counts, usually black on white, tall and narrow."""
    h = int(rng.integers(160, 400))
    w = int(h * rng.uniform(0.28, 0.45))
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    body = np.zeros((h, w), np.float32)
    cx = w / 2 + rng.normal(0, 0.02) * w
    head_r = h * float(rng.uniform(0.055, 0.07))
    head_y = head_r * float(rng.uniform(1.1, 1.4))

    def line(y0, x0, y1, x1, width, val):
        t = np.clip(((yy - y0) * (y1 - y0) + (xx - x0) * (x1 - x0)) / max((y1 - y0) ** 2 + (x1 - x0) ** 2, 1e-6), 0, 1)
        d = np.hypot(yy - (y0 + t * (y1 - y0)), xx - (x0 + t * (x1 - x0)))
        body[:] = np.maximum(body, val * (d < width))

    skull = np.hypot((yy - head_y) / (head_r * 1.1), (xx - cx) / head_r)
    body[:] = np.maximum(body, 0.8 * ((skull < 1) & (skull > float(rng.uniform(0.6, 0.85)))) + 0.3 * (skull < 1))
    neck = head_y + head_r
    pelvis_y = h * float(rng.uniform(0.5, 0.56))
    line(neck, cx, pelvis_y, cx, w * 0.035, 0.9)  # spine
    for k in range(int(rng.integers(8, 12))):  # ribs
        y = neck + h * 0.05 + k * h * 0.02
        for s in (-1, 1):
            line(y, cx, y + h * 0.03, cx + s * w * 0.28, w * 0.012, 0.45)
    shoulder = neck + h * 0.03
    for s in (-1, 1):
        line(shoulder, cx, shoulder, cx + s * w * 0.3, w * 0.02, 0.7)  # clavicles
        line(shoulder, cx + s * w * 0.3, pelvis_y, cx + s * w * 0.38, w * 0.025, 0.6)  # arms
        line(pelvis_y + h * 0.04, cx + s * w * 0.12, h * 0.96, cx + s * w * 0.14, w * 0.03, 0.65)  # legs
    pel = np.hypot((yy - pelvis_y) / (h * 0.05), (xx - cx) / (w * 0.22))
    body[:] = np.maximum(body, 0.85 * ((pel < 1) & (pel > 0.55)))
    body += 1.5 * (np.hypot(yy - pelvis_y, xx - cx) < w * 0.05) * (rng.random() < 0.8)  # bladder
    for _ in range(int(rng.integers(0, 6))):  # hot spots
        body += float(rng.uniform(0.5, 2)) * (np.hypot(yy - rng.uniform(0, h), xx - rng.uniform(0, w)) < rng.uniform(2, 6))
    body += 0.08 * (np.abs(xx - cx) < w * 0.3)  # soft tissue
    body = ndi.gaussian_filter(body, float(rng.uniform(1.0, 3.0)))
    counts = rng.poisson(body / (body.max() + 1e-6) * float(rng.uniform(8, 80))).astype(np.float32)
    img = counts / (np.percentile(counts, 99.5) + 1e-6)
    a = planar_views(img, rng, 0.7, 0.8)
    a = np.clip(a, 0, 1) ** float(rng.uniform(0.6, 1.3)) * 255.0
    if rng.random() < 0.7:
        a = 255.0 - a
    out_h = int(rng.integers(256, 1025))
    im = Image.fromarray(a.astype(np.uint8)).resize((max(16, int(out_h * a.shape[1] / a.shape[0])), out_h),
                                                    Image.NEAREST if rng.random() < 0.4 else Image.BILINEAR)
    return np.asarray(im)


def grey_photo_crop(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A small grey crop (8..45 % of the side) of a photograph, enlarged, sometimes blurred, darkened round the edge or
    contrast-stretched: grey, roundish, textured pictures that are not scans."""
    h, w = rgb.shape[:2]
    f = float(rng.uniform(0.08, 0.45))
    ch, cw = max(12, int(h * f)), max(12, int(min(h, w) * f * rng.uniform(0.75, 1.33)))
    ch, cw = min(ch, h), min(cw, w)
    y = int(rng.integers(0, h - ch + 1))
    x = int(rng.integers(0, w - cw + 1))
    g = np.asarray(Image.fromarray(rgb[y:y + ch, x:x + cw]).convert("L"), dtype=np.float32)
    side = int(rng.integers(96, 640))
    g = np.asarray(Image.fromarray(g, "F").resize((side, max(8, int(side * ch / cw))), Image.BILINEAR))
    if rng.random() < 0.3:
        g = ndi.gaussian_filter(g, float(rng.uniform(0.5, 3)))
    if rng.random() < 0.35:  # dark surround: an object on black, as a scan's head is
        hh, ww = g.shape
        yy, xx = np.mgrid[:hh, :ww]
        r = np.hypot((yy - hh / 2) / (hh / 2), (xx - ww / 2) / (ww / 2))
        g = g * np.clip((float(rng.uniform(0.8, 1.0)) - r) / 0.1, 0, 1)
    lo, hi = np.percentile(g, [float(rng.uniform(0, 5)), float(rng.uniform(95, 100))])
    g = (g - lo) / max(hi - lo, 1.0) * 255.0 if rng.random() < 0.5 else g
    return np.clip(g, 0, 255).astype(np.uint8)


def diffusion_look(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A brain slice (uint8) as a diffusion / EPI acquisition shows it: coarse matrix (48..128 px), a little
    phase-direction warp, low SNR (Rician noise 3..15 % of the tissue signal), sometimes a b1000 look (fluid dark,
    tissue grainy), enlarged again to the display matrix by bilinear or nearest-neighbour interpolation."""
    f = img.astype(np.float32)
    S = f.shape[0]
    m = int(rng.integers(48, 129))
    small = np.asarray(Image.fromarray(f, "F").resize((m, int(m * f.shape[0] / f.shape[1]) or 1), Image.BOX))
    if rng.random() < 0.5:  # EPI distortion along the phase axis
        ax = int(rng.integers(2))
        shift = smooth_field(rng, small.shape[0], small.shape[1], 3, float(rng.uniform(0.5, 2.5)))
        yy, xx = np.mgrid[:small.shape[0], :small.shape[1]].astype(np.float32)
        coords = [yy + shift, xx] if ax == 0 else [yy, xx + shift]
        small = ndi.map_coordinates(small, coords, order=1, mode="constant")
    top = float(np.percentile(small, 99)) + 1e-3
    if rng.random() < 0.35:  # b1000: fluid (the brightest on b0) falls, tissue keeps a grainy mid-grey
        small = small * np.exp(-float(rng.uniform(0.5, 2.0)) * np.clip(small / top - 0.55, 0, None) * 2)
        top = float(np.percentile(small, 99)) + 1e-3
    sd = float(rng.uniform(0.03, 0.15)) * top
    small = np.sqrt((small + rng.normal(0, sd, small.shape)) ** 2 + rng.normal(0, sd, small.shape) ** 2)
    out = np.asarray(Image.fromarray(small.astype(np.float32), "F").resize(
        (S, S) if f.shape[0] == f.shape[1] else (f.shape[1], f.shape[0]),
        Image.NEAREST if rng.random() < 0.3 else Image.BILINEAR))
    hi = float(np.percentile(out, float(rng.uniform(99, 99.9)))) + 1e-3
    return np.clip(out / hi * 255.0, 0, 255).astype(np.uint8)


CT_WINDOWS = ((40, 80), (75, 215), (35, 350), (500, 2000), (400, 1800), (40, 40), (600, 2800))


def head_ct_v2(t1: np.ndarray, head: np.ndarray, intracranial: np.ndarray, rng: np.random.Generator,
               skull_base: bool = False) -> np.ndarray:
    """Head CT from a generated T1 slice and its masks, in Hounsfield units then windowed like CT: bright bone (skull
    of varying thickness with darker diploe), nearly flat brain with grey matter a little brighter than white matter,
    dark fluid, fat-dark scalp, grainy correlated noise, a headrest arc, a round field of view; brain, subdural, stroke,
    soft-tissue or bone windows, or a percentile window. With `skull_base`, the head outside the skull ring (face, skull
    base) gets what CT shows there and MRI does not: islands of dense bone, air cells and sinuses."""
    t = t1.astype(np.float32) / 255.0
    n = t.shape[0]
    mm = n / 220.0
    brain_mean = float(t[intracranial].mean()) if intracranial.any() else 0.5
    hu = np.full(t.shape, -1000.0, np.float32)
    hu[head] = float(rng.uniform(-80, 50))
    thick = float(rng.uniform(3, 10)) * mm
    dist = ndi.distance_transform_edt(~intracranial)
    skull = head & ~intracranial & (dist <= thick)
    bone = float(rng.uniform(900, 1800))
    diploe = np.abs(dist / thick - 0.5) < float(rng.uniform(0.0, 0.25))
    hu[skull] = np.where(diploe[skull], bone * 0.5, bone)
    brain_hu = 34.0 - float(rng.uniform(12, 30)) * (t - brain_mean)
    brain_hu = np.where(t < 0.55 * brain_mean, float(rng.uniform(0, 15)), brain_hu)
    hu = np.where(intracranial, brain_hu, hu)
    if skull_base:
        outside = head & ~intracranial & ~skull & (ndi.distance_transform_edt(head) > 2 * mm)
        bone_f = ndi.gaussian_filter(rng.normal(0, 1, hu.shape).astype(np.float32), float(rng.uniform(3, 8)) * mm)
        air_f = ndi.gaussian_filter(rng.normal(0, 1, hu.shape).astype(np.float32), float(rng.uniform(2, 6)) * mm)
        bone_m = outside & (bone_f > np.quantile(bone_f, float(rng.uniform(0.55, 0.85))))
        hu[bone_m] = bone * float(rng.uniform(0.4, 1.0))
        air_m = outside & (air_f > np.quantile(air_f, float(rng.uniform(0.75, 0.95))))
        hu[air_m] = float(rng.uniform(-1000, -600))
        rim = air_m & ~ndi.binary_erosion(air_m, iterations=max(1, int(mm)))
        hu[rim] = bone * 0.6  # bony walls of air cells
    grain = ndi.gaussian_filter(rng.normal(0, 1, hu.shape).astype(np.float32), float(rng.uniform(0.6, 1.5)) * mm)
    hu = hu + grain / (grain.std() + 1e-6) * float(rng.uniform(2, 10))
    if rng.random() < 0.6:  # headrest / table arc under the head
        yy, xx = np.mgrid[:n, :n].astype(np.float32)
        rows = np.where(head.any(1))[0]
        bottom = rows[-1] if len(rows) else n * 0.8
        r = n * float(rng.uniform(0.4, 0.8))
        arc = np.abs(np.hypot(yy - (bottom + 4 * mm - r), xx - n / 2) - r) < float(rng.uniform(1, 4)) * mm
        hu[arc & (yy > bottom)] = float(rng.uniform(-300, 200))
    if rng.random() < 0.2:
        c, w = CT_WINDOWS[int(rng.integers(len(CT_WINDOWS)))]
    elif rng.random() < 0.2:
        lo = float(np.percentile(hu, rng.uniform(0, 3)))
        hi = float(np.percentile(hu, rng.uniform(97, 100)))
        c, w = (lo + hi) / 2, max(hi - lo, 1.0)
    else:
        c, w = CT_WINDOWS[int(rng.choice([0, 0, 0, 1, 2, 5]))]
    img = 255.0 * np.clip((hu - (c - w / 2)) / w, 0, 1)
    if rng.random() < 0.5:
        yy, xx = np.ogrid[:n, :n]
        img[(yy - n / 2) ** 2 + (xx - n / 2) ** 2 > (0.5 * n * float(rng.uniform(0.95, 1.05))) ** 2] = 0
    return np.clip(img, 0, 255).astype(np.uint8)


def label_grey(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A label map (integers) shown as grey levels: random or ordered level per label, sometimes outlines only or
    outlines over levels, sometimes slightly smoothed: brain-shaped, flat patches, not an MRI."""
    n = int(labels.max()) + 1
    k = rng.random()
    if k < 0.45:
        lut = np.concatenate([[0.0], rng.uniform(30, 256, n - 1)])
    elif k < 0.7:
        lut = np.linspace(0, 255, n) if rng.random() < 0.5 else np.concatenate([[0.0], np.linspace(40, 255, n - 1)])
    else:
        lut = np.concatenate([[0.0], rng.uniform(30, 256, n - 1)])
    img = lut[labels].astype(np.float32)
    if rng.random() < 0.3:  # outlines
        edge = (ndi.grey_dilation(labels, 3) != ndi.grey_erosion(labels, 3))
        img = np.where(edge, float(rng.uniform(150, 256)), img if rng.random() < 0.5 else 0.0)
    if rng.random() < 0.25:
        img = ndi.gaussian_filter(img, float(rng.uniform(0.4, 1.2)))
    if rng.random() < 0.15:
        img = 255.0 - img
    return np.clip(img, 0, 255).astype(np.uint8)


def mask_picture_v2(masks: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Segmentation masks shown as pictures: one binary mask white on black (or the reverse), nested masks as levels,
    outlines, or a colour label overlay; hard or soft edges."""
    k = rng.random()
    if k < 0.35:
        m = masks[int(rng.integers(len(masks)))]
        v = float(rng.choice([255.0, 1.0 * int(rng.integers(100, 256))]))
        img = m.astype(np.float32) * v
    elif k < 0.55:
        img = np.zeros(masks[0].shape, np.float32)
        for m in masks:
            edge = m & ~ndi.binary_erosion(m, iterations=int(rng.integers(1, 4)))
            img[edge] = float(rng.uniform(120, 256))
    else:
        return mask_picture(masks, rng)
    if rng.random() < 0.3:
        img = ndi.gaussian_filter(img, float(rng.uniform(0.5, 2.0)))
    if rng.random() < 0.2:
        img = 255.0 - img
    return np.clip(img, 0, 255).astype(np.uint8)


def body_ct(rng: np.random.Generator) -> np.ndarray:
    """A thorax or abdomen CT slice in Hounsfield units, windowed like CT: an oval body with skin and fat, muscle, the
    spine (vertebral body, canal), ribs or pelvis-free abdomen organs, air-dark lungs or bowel gas, contrast-bright
    vessels, the table under it, grainy noise; soft-tissue, lung, bone or brain windows, or a percentile window."""
    n = int(rng.integers(256, 513))
    yy, xx = np.mgrid[:n, :n].astype(np.float32)
    hu = np.full((n, n), -1000.0, np.float32)
    cy, cx = n * float(rng.uniform(0.48, 0.56)), n * float(rng.uniform(0.47, 0.53))
    a = n * float(rng.uniform(0.36, 0.47))
    b = a * float(rng.uniform(0.58, 0.8))

    ell = partial(_ellipse, yy, xx)

    body = ell(cy, cx, b, a)
    hu[body] = 40.0
    fat = float(rng.uniform(0.03, 0.12))
    hu[body & ~ell(cy, cx, b * (1 - fat), a * (1 - fat))] = -100.0
    hu[body & ~ell(cy, cx, b - 2, a - 2)] = 30.0  # skin
    hu += smooth_field(rng, n, n, 12, 8.0) * body
    sy, sx = cy + b * 0.55, cx  # spine, posterior
    vr = a * float(rng.uniform(0.09, 0.13))
    hu[ell(sy, sx, vr, vr * 1.1)] = float(rng.uniform(250, 450))
    hu[ell(sy, sx, vr, vr * 1.1) & ~ell(sy, sx, vr * 0.8, vr * 0.9)] = float(rng.uniform(900, 1400))
    hu[ell(sy + vr * 1.5, sx, vr * 0.45, vr * 0.45)] = 20.0  # canal
    hu[ell(sy + vr * 2.2, sx, vr * 0.5, vr * 1.6) & ~ell(sy + vr * 1.5, sx, vr * 0.5, vr * 0.5)] = float(rng.uniform(600, 1200))
    if rng.random() < 0.55:  # thorax: lungs, heart, ribs, sternum
        for s in (-1, 1):
            lung = ell(cy - b * 0.05, cx + s * a * 0.45, b * 0.62, a * 0.36) & ~ell(sy, sx, vr * 2, vr * 2)
            hu[lung] = -850.0 + smooth_field(rng, n, n, 20, 40.0)[lung]
            for _ in range(int(rng.integers(5, 25))):  # vessels in the lung
                vy, vx = cy + rng.normal(0, b * 0.3), cx + s * a * 0.45 + rng.normal(0, a * 0.15)
                hu[ell(vy, vx, 2, 2) & lung] = 30.0
        hu[ell(cy - b * 0.05, cx - a * 0.1, b * 0.4, a * 0.28)] = float(rng.uniform(30, 60))  # heart
        hu[ell(cy - b * 0.1, cx + a * 0.05, a * 0.06, a * 0.06)] = float(rng.uniform(150, 300))  # aorta
        for k in range(int(rng.integers(6, 12))):
            t = np.pi * (0.1 + 0.8 * k / 11)
            for s in (-1, 1):
                hu[ell(cy + (b * 0.86) * np.cos(t), cx + s * a * 0.86 * np.sin(t), 3 + n / 200, 5 + n / 150)] = 900.0
        hu[ell(cy - b * 0.9, cx, b * 0.05, a * 0.08)] = 700.0  # sternum
    else:  # abdomen: liver, kidneys, aorta, bowel gas
        hu[ell(cy - b * 0.1, cx - a * 0.4, b * 0.55, a * 0.4)] = float(rng.uniform(50, 70))
        for s in (-1, 1):
            hu[ell(sy - vr * 0.5, sx + s * a * 0.35, b * 0.15, a * 0.1)] = float(rng.uniform(30, 180))
        hu[ell(sy - vr * 1.6, sx + a * 0.05, a * 0.045, a * 0.045)] = float(rng.uniform(40, 250))
        for _ in range(int(rng.integers(3, 20))):
            gy, gx = cy + rng.normal(0, b * 0.3), cx + rng.normal(a * 0.15, a * 0.25)
            r = float(rng.uniform(2, 12)) * n / 512
            hu[ell(gy, gx, r, r * rng.uniform(0.7, 1.5)) & body] = -900.0
    table = (yy > cy + b + n * 0.02) & (yy < cy + b + n * float(rng.uniform(0.03, 0.06))) & (np.abs(xx - cx) < a * 1.2)
    hu[table] = float(rng.uniform(-300, 300))
    grain = ndi.gaussian_filter(rng.normal(0, 1, hu.shape).astype(np.float32), float(rng.uniform(0.6, 1.5)))
    hu += grain / (grain.std() + 1e-6) * float(rng.uniform(4, 15))
    k = rng.random()
    if k < 0.15:
        lo, hi = float(np.percentile(hu, rng.uniform(0, 3))), float(np.percentile(hu, rng.uniform(97, 100)))
        c, w = (lo + hi) / 2, max(hi - lo, 1.0)
    else:
        c, w = ((40, 400), (40, 400), (50, 350), (-600, 1500), (400, 1800), (40, 80))[int(rng.integers(6))]
    img = 255.0 * np.clip((hu - (c - w / 2)) / w, 0, 1)
    if rng.random() < 0.4:
        img[(yy - n / 2) ** 2 + (xx - n / 2) ** 2 > (0.5 * n) ** 2] = 0
    return np.clip(img, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- round 4: shape-randomised negatives near the brain
def deform(arrays: list[np.ndarray], rng: np.random.Generator, strength: float = 1.0) -> list[np.ndarray]:
    """The same random affine (each axis scaled 0.7..1.4, rotation, shear) and smooth elastic warp applied to every
    array (2-D, same shape): bool and integer arrays are resampled nearest, floats linearly. Brain-shaped pictures of
    shapes the four generator anatomies never have (other heads, other species, other templates)."""
    h, w = arrays[0].shape[:2]
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    sy, sx = np.exp(rng.uniform(-0.35, 0.35, 2) * strength)
    th = float(rng.uniform(-0.35, 0.35)) * strength
    sh = float(rng.uniform(-0.15, 0.15)) * strength
    c, s = np.cos(th), np.sin(th)
    # Output (y, x) samples the input at A^-1 (y - c) + c; A = R @ diag(sy, sx) @ shear.
    a = np.array([[c, -s], [s, c]]) @ np.diag([sy, sx]) @ np.array([[1, sh], [0, 1]])
    inv = np.linalg.inv(a)
    dy, dx = yy - cy, xx - cx
    py = inv[0, 0] * dy + inv[0, 1] * dx + cy
    px = inv[1, 0] * dy + inv[1, 1] * dx + cx
    amp = float(rng.uniform(0.0, 0.05)) * strength * max(h, w)
    grid = int(rng.integers(3, 7))
    py = py + smooth_field(rng, h, w, grid, amp)
    px = px + smooth_field(rng, h, w, grid, amp)
    out = []
    for arr in arrays:
        order = 0 if arr.dtype == bool or np.issubdtype(arr.dtype, np.integer) else 1
        res = ndi.map_coordinates(arr.astype(np.float32), [py, px], order=order, mode="constant", cval=0.0)
        out.append(res > 0.5 if arr.dtype == bool else res.astype(arr.dtype) if order == 0 else res)
    return out


def parcellate(region: np.ndarray, rng: np.random.Generator, n: int, symmetric: bool) -> np.ndarray:
    """A label map over `region` (bool): nearest of n random seeds inside it (Voronoi), seeds mirrored across the
    vertical midline with their own labels when `symmetric` (as most atlases are); 0 outside."""
    ys, xs = np.nonzero(region)
    if len(ys) == 0:
        return np.zeros(region.shape, np.int64)
    pick = rng.integers(0, len(ys), n)
    seeds = np.zeros(region.shape, np.int64)
    seeds[ys[pick], xs[pick]] = np.arange(1, n + 1)
    if symmetric:
        mx = int(round(np.mean(xs) * 2))
        mirror_x = np.clip(mx - xs[pick], 0, region.shape[1] - 1)
        seeds[ys[pick], mirror_x] = np.arange(n + 1, 2 * n + 1)
    _, (iy, ix) = ndi.distance_transform_edt(seeds == 0, return_indices=True)
    labels = seeds[iy, ix]
    return np.where(region, labels, 0)


def label_colour(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A label map with a random colour table, background dark (or white), as atlas viewers show them."""
    n = int(labels.max()) + 1
    lut = rng.integers(0, 256, (n, 3)).astype(np.uint8)
    lut[0] = rand_colour(rng, 0, 30) if rng.random() < 0.8 else (255, 255, 255)
    return lut[labels]


def whole_body_uptake(rng: np.random.Generator) -> np.ndarray:
    """Planar whole-body nuclear medicine or a PET maximum-intensity projection: a body silhouette (head, trunk, arms,
    legs) of faint soft-tissue activity with organ uptake (brain, salivary glands, thyroid, heart, liver, spleen,
    kidneys, bowel, bladder) and hot spots, blurred, Poisson counts; one or two views, grey (often black on white) or a
    colour table; the matrix enlarged nearest or bilinear."""
    h = int(rng.integers(128, 320))
    w = int(h * rng.uniform(0.3, 0.5))
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    cx = w / 2 + rng.normal(0, 0.02) * w
    act = np.zeros((h, w), np.float32)

    ell = partial(_ellipse, yy, xx)

    hr = h * float(rng.uniform(0.05, 0.07))
    hy = hr * float(rng.uniform(1.1, 1.4))
    trunk_top, trunk_bot = hy + hr * 1.6, h * float(rng.uniform(0.5, 0.56))
    tw = w * float(rng.uniform(0.18, 0.26))
    soft = float(rng.uniform(0.03, 0.2))
    act += soft * ell(hy, cx, hr * 1.15, hr)
    act += soft * ell((trunk_top + trunk_bot) / 2, cx, (trunk_bot - trunk_top) / 2, tw)
    for s in (-1, 1):
        act += soft * ell(trunk_top + (trunk_bot - trunk_top) * 0.45, cx + s * tw * 1.35, (trunk_bot - trunk_top) * 0.55, w * 0.04)
        act += soft * ell(trunk_bot + (h - trunk_bot) * 0.5, cx + s * tw * 0.45, (h - trunk_bot) * 0.5, w * 0.06)
    organs = {
        "brain": (hy, cx, hr * 0.85, hr * 0.75),
        "thyroid": (hy + hr * 1.5, cx, hr * 0.15, hr * 0.35),
        "heart": (trunk_top + (trunk_bot - trunk_top) * 0.25, cx + tw * 0.15, tw * 0.28, tw * 0.3),
        "liver": (trunk_top + (trunk_bot - trunk_top) * 0.45, cx - tw * 0.35, tw * 0.35, tw * 0.5),
        "spleen": (trunk_top + (trunk_bot - trunk_top) * 0.45, cx + tw * 0.6, tw * 0.2, tw * 0.15),
        "bladder": (trunk_bot - hr * 0.2, cx, hr * 0.4, hr * 0.5),
    }
    for name, (y0, x0, ry, rx) in organs.items():
        if rng.random() < 0.6:
            act += float(rng.uniform(0.2, 1.5)) * ell(y0, x0, ry, rx)
    if rng.random() < 0.6:  # kidneys
        for s in (-1, 1):
            act += float(rng.uniform(0.2, 1.0)) * ell(trunk_top + (trunk_bot - trunk_top) * 0.6, cx + s * tw * 0.45,
                                                      tw * 0.22, tw * 0.12)
    if rng.random() < 0.4:  # bowel
        act += float(rng.uniform(0.1, 0.5)) * ndi.gaussian_filter(
            (rng.random((h, w)) < 0.02).astype(np.float32), 1.5) * 20 * ell(trunk_bot - (trunk_bot - trunk_top) * 0.2, cx, tw * 0.5, tw * 0.8)
    for _ in range(int(rng.integers(0, 8))):
        act += float(rng.uniform(0.3, 3.0)) * (np.hypot(yy - rng.uniform(0, h), xx - rng.uniform(0.2, 0.8) * w) < rng.uniform(1.5, 5))
    act = ndi.gaussian_filter(act, float(rng.uniform(0.8, 3.0)))
    img = rng.poisson(act / (act.max() + 1e-6) * float(rng.uniform(6, 120))).astype(np.float32)
    img = img / (np.percentile(img, 99.7) + 1e-6)
    a = planar_views(img, rng, 0.5, 0.7)
    a = np.clip(a, 0, 1) ** float(rng.uniform(0.5, 1.2))
    out_h = int(rng.integers(256, 1025))
    size = (max(16, int(out_h * a.shape[1] / a.shape[0])), out_h)
    resample = Image.NEAREST if rng.random() < 0.4 else Image.BILINEAR
    if rng.random() < 0.25:
        rgb = (_cmaps()[int(rng.integers(len(_cmaps())))](a)[..., :3] * 255).astype(np.uint8)
        return np.asarray(Image.fromarray(rgb).resize(size, resample))
    a = a * 255.0
    if rng.random() < 0.6:
        a = 255.0 - a
    return np.asarray(Image.fromarray(a.astype(np.uint8)).resize(size, resample))


# ---------------------------------------------------------------- round 7: MRI of other body parts
# Tissue classes of the body-MR phantom; each sequence draws an intensity per class (a row of BODY_MR_SEQUENCES).
_BODY_TISSUES = ("air", "fat", "muscle", "marrow", "cortical", "csf", "cord", "lung", "blood", "myocardium", "liver",
                 "spleen", "kidney", "bowel", "fluid", "disc")
# (low, high) per tissue for: T1 spin echo, T2 fast spin echo, bSSFP cine (bright blood), fat-saturated T2, T1
# black-blood, STIR-like. Relative units; the image is scaled by a percentile afterwards.
BODY_MR_SEQUENCES = {
    "t1":    ((0, .02), (.8, 1.), (.25, .4), (.6, .85), (0, .05), (.1, .2), (.35, .5), (0, .04), (.15, .45), (.3, .45),
              (.4, .55), (.3, .45), (.3, .5), (.2, .6), (.1, .2), (.25, .4)),
    "t2":    ((0, .02), (.6, .9), (.15, .3), (.45, .7), (0, .05), (.85, 1.), (.35, .5), (0, .04), (0, .15), (.15, .3),
              (.15, .3), (.4, .6), (.45, .7), (.2, .8), (.85, 1.), (.55, .85)),
    "ssfp":  ((0, .02), (.6, .9), (.15, .3), (.4, .6), (0, .05), (.7, .95), (.3, .45), (0, .05), (.75, 1.), (.12, .25),
              (.25, .4), (.3, .45), (.35, .55), (.2, .7), (.7, .95), (.4, .6)),
    "fs_t2": ((0, .02), (.03, .12), (.12, .25), (.05, .15), (0, .05), (.85, 1.), (.35, .5), (0, .04), (0, .2), (.15, .3),
              (.15, .3), (.45, .65), (.5, .75), (.2, .8), (.85, 1.), (.55, .85)),
    "bb_t1": ((0, .02), (.8, 1.), (.3, .45), (.6, .85), (0, .05), (.1, .2), (.35, .5), (0, .04), (0, .05), (.35, .5),
              (.45, .6), (.35, .5), (.35, .5), (.2, .6), (.1, .2), (.25, .4)),
    "stir":  ((0, .02), (.02, .1), (.1, .22), (.05, .12), (0, .05), (.85, 1.), (.4, .55), (0, .04), (0, .2), (.15, .3),
              (.15, .3), (.5, .7), (.5, .75), (.2, .8), (.85, 1.), (.6, .9)),
}


def _body_phantom(rng: np.random.Generator, n: int, region: str) -> np.ndarray:
    """Tissue indices (into _BODY_TISSUES) of an axial thorax, short-axis cardiac, abdomen or pelvis slice, or a
    sagittal spine: ellipses and rings with jittered sizes, smooth-warped so no two bodies share an outline."""
    T = {t: i for i, t in enumerate(_BODY_TISSUES)}
    yy, xx = np.mgrid[:n, :n].astype(np.float32)
    lab = np.zeros((n, n), np.int64)

    ell = partial(_ellipse, yy, xx)

    cy, cx = n * float(rng.uniform(0.46, 0.54)), n * float(rng.uniform(0.46, 0.54))
    if region == "spine":  # sagittal: stacked vertebral bodies and discs, cord in its canal, back muscles and fat
        a = n * float(rng.uniform(0.3, 0.45))
        lab[(np.abs(xx - cx) < a) & (yy > n * 0.02) & (yy < n * 0.98)] = T["muscle"]
        lab[(np.abs(xx - cx) < a) & (np.abs(xx - cx) > a * float(rng.uniform(0.8, 0.92)))] = T["fat"]
        front = cx - a * float(rng.uniform(0.1, 0.3))
        h = n * float(rng.uniform(0.06, 0.1))
        d = h * float(rng.uniform(0.2, 0.35))
        w = a * float(rng.uniform(0.3, 0.45))
        y = float(rng.uniform(-h, 0))
        curve = smooth_field(rng, n, 1, 3, n * 0.04)[:, 0]
        while y < n:
            sh = float(curve[int(np.clip(y, 0, n - 1))])
            body = (yy >= y) & (yy < y + h) & (np.abs(xx - front - sh) < w / 2)
            lab[body] = T["marrow"]
            lab[body & ~((yy >= y + 2) & (yy < y + h - 2) & (np.abs(xx - front - sh) < w / 2 - 2))] = T["cortical"]
            lab[(yy >= y + h) & (yy < y + h + d) & (np.abs(xx - front - sh) < w / 2)] = T["disc"]
            y += h + d
        canal_x = front + w / 2 + w * float(rng.uniform(0.15, 0.3))
        lab[np.abs(xx - canal_x - curve[:, None]) < w * 0.28] = T["csf"]
        lab[np.abs(xx - canal_x - curve[:, None]) < w * 0.12] = T["cord"]
        if rng.random() < 0.5:
            lab[(xx < front - w / 2 - a * 0.1) & (np.abs(xx - cx) < a)] = T["bowel" if rng.random() < 0.5 else "liver"]
        return lab
    a = n * float(rng.uniform(0.34, 0.47))
    b = a * float(rng.uniform(0.6, 0.85))
    body = ell(cy, cx, b, a)
    lab[body] = T["fat"]
    fat = float(rng.uniform(0.04, 0.14))
    inner = ell(cy, cx, b * (1 - fat), a * (1 - fat))
    lab[inner] = T["muscle"]
    sy, sx = cy + b * 0.6, cx
    vr = a * float(rng.uniform(0.09, 0.13))
    if region != "pelvis":
        lab[ell(sy, sx, vr * 1.1, vr * 1.2)] = T["cortical"]
        lab[ell(sy, sx, vr, vr * 1.1)] = T["marrow"]
        lab[ell(sy + vr * 1.6, sx, vr * 0.5, vr * 0.5)] = T["csf"]
        lab[ell(sy + vr * 1.6, sx, vr * 0.25, vr * 0.3)] = T["cord"]
        for s in (-1, 1):  # paraspinal muscles sit in fat
            lab[ell(sy + vr * 1.6, sx + s * vr * 2.2, vr * 1.3, vr * 1.4) & inner] = T["muscle"]
    if region in ("thorax", "cardiac"):
        for s in (-1, 1):
            lab[ell(cy - b * 0.05, cx + s * a * 0.45, b * 0.6, a * 0.34) & inner & ~ell(sy, sx, vr * 2, vr * 2)] = T["lung"]
        hy, hx = cy - b * 0.1, cx - a * 0.08 * float(rng.uniform(-1, 1))
        r = a * float(rng.uniform(0.16, 0.24))
        lab[ell(hy, hx - r * 0.9, r * 1.1, r * 0.8)] = T["blood"]  # right ventricle
        lab[ell(hy, hx + r * 0.3, r * 1.05, r * 1.05)] = T["myocardium"]
        lab[ell(hy, hx + r * 0.3, r * 0.65, r * 0.65)] = T["blood"]  # left ventricular cavity
        for _ in range(int(rng.integers(0, 3))):  # papillary muscles
            t = float(rng.uniform(0, 2 * np.pi))
            lab[ell(hy + r * 0.45 * np.sin(t), hx + r * 0.3 + r * 0.45 * np.cos(t), r * 0.12, r * 0.12)] = T["myocardium"]
        lab[ell(cy - b * 0.02, cx + a * 0.12, a * 0.06, a * 0.06)] = T["blood"]  # descending aorta
        if rng.random() < 0.5:
            lab[ell(hy, hx + r * 1.9, r * 0.5, r * 0.4) & ~(lab == T["lung"])] = T["liver"]
    elif region == "abdomen":
        lab[ell(cy - b * 0.1, cx - a * 0.4, b * 0.55, a * 0.42) & inner] = T["liver"]
        lab[ell(cy + b * 0.05, cx + a * 0.55, b * 0.3, a * 0.18) & inner] = T["spleen"]
        for s in (-1, 1):
            lab[ell(sy - vr * 0.8, sx + s * a * 0.35, b * 0.17, a * 0.11)] = T["kidney"]
            lab[ell(sy - vr * 0.8, sx + s * a * 0.33, b * 0.07, a * 0.04)] = T["fat"]
        lab[ell(sy - vr * 1.8, sx + a * 0.05, a * 0.045, a * 0.045)] = T["blood"]
        for _ in range(int(rng.integers(4, 16))):
            gy, gx = cy + rng.normal(0, b * 0.25), cx + rng.normal(a * 0.1, a * 0.25)
            r = float(rng.uniform(4, 16)) * n / 512
            m = ell(gy, gx, r, r * rng.uniform(0.6, 1.6), float(rng.uniform(0, np.pi))) & inner & (lab == T["muscle"])
            lab[m] = T["bowel" if rng.random() < 0.7 else "fluid"]
    elif region == "pelvis":
        lab[ell(cy - b * 0.2, cx, b * 0.3, a * 0.25)] = T["fluid"]  # bladder
        for s in (-1, 1):
            fy, fx = cy + b * 0.05, cx + s * a * 0.62
            lab[ell(fy, fx, a * 0.17, a * 0.17)] = T["cortical"]
            lab[ell(fy, fx, a * 0.15, a * 0.15)] = T["marrow"]
        lab[ell(cy + b * 0.55, cx, b * 0.2, a * 0.22) & inner] = T["bowel"]
    return lab


def body_mr(rng: np.random.Generator) -> np.ndarray:
    """An MR slice of another body part (axial thorax or abdomen, short-axis cardiac cine, pelvis, sagittal spine): a
    tissue phantom warped smooth, an intensity per tissue from a random sequence (T1, T2, bSSFP bright blood, fat-sat,
    black blood, STIR), partial-volume blur, a surface-coil bias field, respiratory ghosts, Rician noise, a coarse
    matrix enlarged, a percentile window; cardiac views often zoomed on the heart. Brain MRI's nearest non-brain cousin."""
    region = ("thorax", "cardiac", "abdomen", "pelvis", "spine")[int(rng.choice(5, p=[0.15, 0.35, 0.2, 0.12, 0.18]))]
    n = int(rng.integers(160, 385))
    lab = _body_phantom(rng, n, region)
    if region == "spine" and rng.random() < 0.5:  # some viewers lay a sagittal spine on its side (the draws are kept)
        lab = lab.T.copy() if rng.random() < 0.3 else lab
    lab = deform([lab], rng, 0.5)[0]
    seq = str(rng.choice(["ssfp", "ssfp", "bb_t1"] if region == "cardiac" else list(BODY_MR_SEQUENCES)))
    ranges = np.array(BODY_MR_SEQUENCES[seq], np.float32)
    levels = rng.uniform(ranges[:, 0], ranges[:, 1]).astype(np.float32)
    img = levels[lab]
    img *= 1.0 + smooth_field(rng, n, n, 6, 0.06) * (lab > 0)  # tissue texture
    img = ndi.gaussian_filter(img, float(rng.uniform(0.5, 1.5)))  # partial volume
    body = ndi.binary_fill_holes(lab > 0)
    dist = ndi.distance_transform_edt(body)
    coil = 1.0 + float(rng.uniform(0.0, 1.5)) * np.exp(-dist / (n * float(rng.uniform(0.08, 0.25))))
    coil = coil * np.exp(smooth_field(rng, n, n, 3, 0.25))
    img = img * coil
    if rng.random() < 0.4:  # respiratory / flow ghosts along the phase direction
        ax = int(rng.integers(2))
        for _ in range(int(rng.integers(1, 4))):
            img = img + float(rng.uniform(0.03, 0.12)) * np.roll(img, int(rng.integers(n // 8, n // 2)), axis=ax)
    sd = float(rng.uniform(0.005, 0.06))
    img = np.sqrt((img + rng.normal(0, sd, img.shape)) ** 2 + rng.normal(0, sd, img.shape) ** 2).astype(np.float32)
    if rng.random() < 0.5:  # acquired coarse, shown enlarged
        m = int(rng.integers(64, 192))
        small = Image.fromarray(img, "F").resize((m, m), Image.BILINEAR)
        img = np.asarray(small.resize((n, n), Image.BICUBIC if rng.random() < 0.6 else Image.NEAREST), np.float32)
    if region == "cardiac" and rng.random() < 0.6:  # zoomed on the heart, as cine views are
        z = float(rng.uniform(0.35, 0.7))
        ch = max(16, int(n * z))
        y0 = int(np.clip(n * 0.4 - ch / 2 + rng.normal(0, n * 0.04), 0, n - ch))
        x0 = int(np.clip(n * 0.5 - ch / 2 + rng.normal(0, n * 0.04), 0, n - ch))
        img = img[y0:y0 + ch, x0:x0 + ch]
    hi = float(np.percentile(img, float(rng.uniform(98.5, 99.9)))) + 1e-6
    out = np.clip(img / hi, 0, 1) ** float(rng.uniform(0.7, 1.3)) * 255.0
    side = int(rng.integers(128, 513))
    return np.asarray(Image.fromarray(out.astype(np.uint8)).resize((side, side), Image.BILINEAR))
