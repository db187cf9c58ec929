"""Image makers for the input gate's data: scan-like renders of brain volumes, photo crops, documents, UI, charts, shapes,
noise, colourised brains, crops, synthetic head CT, and the delivery step (JPEG/PNG round trip) every image goes through."""
from __future__ import annotations

import glob
import io
import string
from functools import lru_cache

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
