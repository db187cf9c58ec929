"""Synthetic brain-MRI dataset on every real anatomy available: 3 planes, any contrast, acquisition variety, lesions with masks.

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
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from PIL import Image

from . import LABELS, LABEL_TO_FOLDER
from .anatomy import ANATOMIES, Anatomy, sources_for
from .progress import Progress
from .rendering import render

ABBR = {"glioma": "gl", "meningioma": "me", "normal": "no", "pituitary": "pi"}

_POOL: list[Anatomy] = []
_LOADED: dict = {}


def load_anatomies(names=(), templates=(), brain_mask=None, sella=None) -> list[Anatomy]:
    """The volumes to draw from: the named anatomies (all when none are named) plus any --template volumes (each its
    own anatomy, T1-weighted; --brain-mask and --sella apply when exactly one template is given)."""
    key = (tuple(names), tuple(templates), brain_mask, tuple(sella) if sella else None)
    if key in _LOADED:
        return _LOADED[key]
    pool = [Anatomy(source=s) for s in sources_for(names)] if names or not templates else []
    for t in templates:
        one = len(templates) == 1
        pool.append(Anatomy(t, brain_mask if one else None, sella if one else None))
    _LOADED.clear()  # one set kept per process: the volumes take a few hundred MB
    _LOADED[key] = pool
    return pool


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


def _job(job: tuple) -> dict:
    out, seed, label, index, split = job
    rng = np.random.default_rng([seed, LABELS.index(label), index])
    smp = render(label, rng, _POOL)
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
             template=None, brain_mask=None, sella=None, quiet: bool = False, anatomies=()) -> list[dict]:
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
    templates = [t for t in (template.split(",") if isinstance(template, str) else template or ()) if t]
    names = [n for n in (anatomies.split(",") if isinstance(anatomies, str) else anatomies or ()) if n]
    # Loaded once here; forked workers share the volumes instead of each segmenting them again.
    _POOL[:] = load_anatomies(names, templates, brain_mask, sella)
    rows: list[dict] = []
    bar = None if quiet else Progress(len(jobs), "generate")
    if workers <= 1:
        for j in jobs:
            rows.append(_job(j))
            bar and bar.update()
    else:
        with get_context("fork").Pool(workers) as pool:
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
    ap.add_argument("--anatomy", default="", help=f"comma-separated anatomies to draw from (default all: {', '.join(ANATOMIES)})")
    ap.add_argument("--template", default=None,
                    help="comma-separated T1-weighted NIfTI volumes, each its own anatomy (only these unless --anatomy is given)")
    ap.add_argument("--brain-mask", default=None, help="brain mask NIfTI for a single --template (estimated if omitted)")
    ap.add_argument("--sella", default=None, help="X,Y,Z of the pituitary fossa in the template's mm (default MNI 0,7,-29)")
    args = ap.parse_args(argv)
    sella = tuple(float(v) for v in args.sella.split(",")) if args.sella else None
    t = time.time()
    rows = generate(args.out, args.seed, args.per_class, args.test_fraction, args.workers, args.template, args.brain_mask, sella,
                    anatomies=args.anatomy)
    print(f"wrote {len(rows)} images to {args.out} in {time.time() - t:.1f}s")


if __name__ == "__main__":
    main()
