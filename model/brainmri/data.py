"""Dataset loader for generated and real data: both public layouts, duplicate detection, stratified seeded splits."""
from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from . import FOLDER_TO_LABEL, LABELS
from .preprocess import ImageReadError, SIZE, read_gray, resize
from .progress import Progress

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}
SPLIT_DIRS = {"training": "train", "train": "train", "testing": "test", "test": "test"}
# Near duplicates: correlation of zero-mean, unit-norm 32 x 32 thumbnails. Re-encoded, resized or re-windowed copies
# score above 0.998; distinct slices of the same generated anatomy stayed below 0.982 on 1,318 images.
NEAR_DUP_CORR = 0.995


class DatasetError(ValueError):
    """A dataset folder that cannot be used; the message says which path and what is accepted."""


@dataclass
class Item:
    path: Path
    label: str
    given_split: str | None  # 'train' / 'test' from a Training/Testing layout, else None


@dataclass
class Dataset:
    paths: list[str]
    labels: np.ndarray  # int64 index into LABELS
    images: np.ndarray  # float32 N x size x size, 0..255 grey after the contract's resize to the model's input
    split: np.ndarray  # 'train' | 'val' | 'test'
    report: dict = field(default_factory=dict)
    # Lesion masks at MASK_SIZE (fraction of lesion per pixel) where the dataset has a masks/ folder (generated data);
    # has_mask marks images whose lesion extent is known (normal images of such a dataset: known empty).
    masks: np.ndarray | None = None
    has_mask: np.ndarray | None = None

    def subset(self, name: str, keep: np.ndarray | None = None):
        idx = np.where((self.split == name) & (True if keep is None else keep))[0]
        return self.images[idx], self.labels[idx], idx


def _label_of(folder: str) -> str | None:
    return FOLDER_TO_LABEL.get(folder.lower())


def scan(root: str | Path) -> list[Item]:
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root}: not a folder; pass a folder with glioma/meningioma/notumor/pituitary (or *_tumor) "
                           "subfolders, optionally inside Training/ and Testing/")
    subdirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    split_dirs = [p for p in subdirs if p.name.lower() in SPLIT_DIRS]
    containers = [(p, SPLIT_DIRS[p.name.lower()]) for p in split_dirs] if split_dirs else [(root, None)]
    items: list[Item] = []
    for base, given in containers:
        class_dirs = sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
        for d in class_dirs:
            if d.name.lower() == "masks" and given is None:
                continue
            label = _label_of(d.name)
            if label is None:
                raise DatasetError(
                    f"{d}: unknown class folder {d.name!r}; accepted: glioma, meningioma, notumor, pituitary "
                    "or glioma_tumor, meningioma_tumor, no_tumor, pituitary_tumor (also 'normal')"
                )
            for f in sorted(d.rglob("*")):
                if f.is_file() and f.suffix.lower() in IMAGE_EXTS:
                    items.append(Item(f, label, given))
    if not items:
        raise DatasetError(f"{root}: no images found (looked for {', '.join(sorted(IMAGE_EXTS))} in class folders)")
    return items


def fingerprint(gray: np.ndarray) -> np.ndarray:
    """Perceptual fingerprint: the 32 x 32 thumbnail, zero-mean and unit-norm (brightness/contrast invariant)."""
    t = resize(gray, 32, 32).astype(np.float64).reshape(-1)
    t -= t.mean()
    return (t / (np.linalg.norm(t) + 1e-9)).astype(np.float32)


MASK_SIZE = 64


def _load_mask(path: str | None) -> np.ndarray | None:
    if path is None or not Path(path).exists():
        return None
    try:
        m = read_gray(path)
    except ImageReadError:
        return None
    return resize((m > 0).astype(np.float32), MASK_SIZE, MASK_SIZE)


def _load_one(job):
    path, mask_path, size = job
    try:
        data = Path(path).read_bytes()
        gray = read_gray(path, size)
    except (ImageReadError, OSError) as exc:
        return path, None, None, None, str(exc), None
    if gray.size == 0 or gray.shape[0] < 8 or gray.shape[1] < 8:
        return path, None, None, None, f"{path}: image is {gray.shape[1]}x{gray.shape[0]}, too small (need 8x8 or more)", None
    return path, hashlib.sha256(data).hexdigest(), fingerprint(gray), resize(gray, size, size), None, _load_mask(mask_path)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.p = list(range(n))

    def find(self, a: int) -> int:
        while self.p[a] != a:
            self.p[a] = self.p[self.p[a]]
            a = self.p[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)


def duplicate_groups(sha: list[str], fp: np.ndarray, corr: float = NEAR_DUP_CORR):
    """Union of exact (same bytes) and near (fingerprint correlation >= corr) duplicates. Returns (group root per item, counts)."""
    n = len(sha)
    uf = _UnionFind(n)
    first: dict[str, int] = {}
    exact = 0
    for i, h in enumerate(sha):
        if h in first:
            uf.union(first[h], i)
            exact += 1
        else:
            first[h] = i
    near = 0
    for start in range(0, n, 512):
        sim = fp[start:start + 512] @ fp.T
        ii, jj = np.nonzero(sim >= corr)
        for i, j in zip(ii + start, jj):
            if i < j and sha[i] != sha[j]:
                if uf.find(i) != uf.find(j):
                    near += 1
                uf.union(i, j)
    roots = np.array([uf.find(i) for i in range(n)])
    return roots, {"exact_duplicates": exact, "near_duplicate_links": near}


def _assign_splits(labels: np.ndarray, roots: np.ndarray, given: list, seed: int, fractions=(0.8, 0.1, 0.1)):
    rng = np.random.default_rng(seed)
    n = len(labels)
    split = np.empty(n, dtype=object)
    groups: dict[int, list[int]] = {}
    for i, r in enumerate(roots):
        groups.setdefault(int(r), []).append(i)
    moved = 0
    has_given = any(g is not None for g in given)
    pool: dict[int, list[list[int]]] = {k: [] for k in range(len(LABELS))}
    for members in groups.values():
        lab = int(np.bincount(labels[members]).argmax())  # a group with mixed labels goes by its majority
        if has_given:
            gs = {given[i] for i in members}
            if "test" in gs:
                if len(gs) > 1:
                    moved += sum(1 for i in members if given[i] != "test")
                for i in members:
                    split[i] = "test"
                continue
        pool[lab].append(members)
    for lab, glist in pool.items():
        order = rng.permutation(len(glist))
        total = sum(len(g) for g in glist)
        if has_given:
            targets = {"val": fractions[1] / (fractions[0] + fractions[1]) * total, "test": 0.0}
        else:
            targets = {"val": fractions[1] * total, "test": fractions[2] * total}
        counts = {"val": 0, "test": 0}
        for gi in order:
            members = glist[gi]
            if counts["test"] + len(members) / 2 <= targets["test"]:
                s = "test"
            elif counts["val"] + len(members) / 2 <= targets["val"]:
                s = "val"
            else:
                s = "train"
            if s != "train":
                counts[s] += len(members)
            for i in members:
                split[i] = s
    return split, moved


def load(root: str | Path, seed: int = 0, workers: int | None = None, quiet: bool = False, log=sys.stderr,
         size: int = SIZE) -> Dataset:
    """Scan, decode and resize (to the model's input `size`, straight from the original as the runtimes do), find
    duplicates and split."""
    items = scan(root)
    workers = workers or min(len(os.sched_getaffinity(0)), 8)
    results = []
    bar = None if quiet else Progress(len(items), "load")
    root_path = Path(root)
    with_masks = (root_path / "masks").is_dir()

    def mask_of(p: Path) -> str | None:
        return str(root_path / "masks" / p.relative_to(root_path).with_suffix(".png")) if with_masks else None

    paths = [(str(it.path), mask_of(it.path), size) for it in items]
    if workers > 1 and len(items) > 64:
        with get_context("fork").Pool(workers) as pool:
            for r in pool.imap(_load_one, paths, chunksize=16):
                results.append(r)
                bar and bar.update()
    else:
        for p in paths:
            results.append(_load_one(p))
            bar and bar.update()
    bar and bar.close()
    skipped = [r[4] for r in results if r[4] is not None]
    for msg in skipped:
        print(f"skipped unreadable image: {msg}", file=log)
    keep = [i for i, r in enumerate(results) if r[4] is None]
    if not keep:
        raise DatasetError(f"{root}: none of the {len(items)} images could be read (first error: {skipped[0]})")
    items = [items[i] for i in keep]
    results = [results[i] for i in keep]
    labels = np.array([LABELS.index(it.label) for it in items], dtype=np.int64)
    sha = [r[1] for r in results]
    dh = np.stack([r[2] for r in results])
    images = np.stack([r[3] for r in results]).astype(np.float32)
    masks = has_mask = None
    if with_masks:
        masks = np.zeros((len(results), MASK_SIZE, MASK_SIZE), np.float32)
        has_mask = np.zeros(len(results), bool)
        for i, (r, it) in enumerate(zip(results, items)):
            if r[5] is not None:
                masks[i] = r[5]
                has_mask[i] = True
            elif it.label == "normal":
                has_mask[i] = True  # a generated normal scan has no lesion anywhere
    roots, dup = duplicate_groups(sha, dh)
    given = [it.given_split for it in items]
    split, moved = _assign_splits(labels, roots, given, seed)
    sizes = np.bincount(np.unique(roots, return_inverse=True)[1])
    conflicts = 0
    for r in np.unique(roots):
        if len(set(labels[roots == r].tolist())) > 1:
            conflicts += 1
    report = {
        "root": str(root),
        "layout": "Training/Testing" if any(g is not None for g in given) else "single folder (80/10/10)",
        "images": len(items),
        "skipped_unreadable": len(skipped),
        "skipped_files": [m.split(":")[0] for m in skipped],
        "duplicate_groups": int((sizes > 1).sum()),
        "images_in_duplicate_groups": int(sizes[sizes > 1].sum()),
        **dup,
        "moved_to_test_to_avoid_leak": moved,
        "groups_with_conflicting_labels": conflicts,
        "per_split": {s: {LABELS[k]: int(((split == s) & (labels == k)).sum()) for k in range(len(LABELS))}
                      for s in ("train", "val", "test")},
    }
    if report["duplicate_groups"] and not quiet:
        print(f"duplicates: {report['duplicate_groups']} groups ({report['images_in_duplicate_groups']} images, "
              f"{dup['exact_duplicates']} exact), each kept within one split", file=log)
    report["images_with_masks"] = int(has_mask.sum()) if has_mask is not None else 0
    return Dataset([str(it.path) for it in items], labels, images, np.asarray(split, dtype=str), report, masks, has_mask)


def load_cached(root: str | Path, seed: int = 0, size: int = SIZE, quiet: bool = False) -> Dataset:
    """`load`, kept in ROOT/.cache keyed by the file list (names, sizes, times), seed and input size: training runs
    and evaluations on the same data (the six held-out folds, the evaluations) decode and hash the images once."""
    import json
    root = Path(root)
    files = sorted(p for p in root.rglob("*") if p.is_file() and ".cache" not in p.parts)
    h = hashlib.sha256(f"{seed}:{size}".encode())
    for p in files:
        st = p.stat()
        h.update(f"{p.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    cache = root / ".cache" / f"load-{h.hexdigest()[:16]}.npz"
    if cache.exists():
        z = np.load(cache, allow_pickle=False)
        masks = z["masks"] if z["masks"].size else None
        has_mask = z["has_mask"] if z["has_mask"].size else None
        return Dataset([str(root / p) for p in z["paths"]], z["labels"], z["images"], z["split"],
                       json.loads(str(z["report"])), masks, has_mask)
    ds = load(root, seed=seed, quiet=quiet, size=size)
    cache.parent.mkdir(exist_ok=True)
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, paths=np.array([str(Path(p).relative_to(root)) for p in ds.paths]), labels=ds.labels,
             images=ds.images, split=ds.split, report=json.dumps(ds.report),
             masks=ds.masks if ds.masks is not None else np.zeros(0), has_mask=ds.has_mask if ds.has_mask is not None else np.zeros(0))
    tmp.rename(cache)
    return ds


def metadata_column(root: str | Path, paths: list[str], column: str) -> np.ndarray:
    """Each image's value in ROOT/metadata.csv's `column` ('' where the image or the column is missing)."""
    import csv
    meta = Path(root) / "metadata.csv"
    if not meta.is_file():
        raise SystemExit(f"{meta} not found: selecting images by '{column}' needs the generator's metadata.csv")
    with meta.open(newline="") as f:
        rows = {r["file"]: r for r in csv.DictReader(f)}
    return np.array([rows.get(Path(p).relative_to(root).as_posix(), {}).get(column, "") for p in paths])


def parse_selector(text: str) -> tuple[str, list[str]] | None:
    """'anatomy=jhu-eve' or 'contrast=pd,flair' -> ('anatomy', ['jhu-eve'])."""
    if not text:
        return None
    column, _, values = text.partition("=")
    vals = [v for v in values.split(",") if v]
    if not column or not vals:
        raise SystemExit(f"{text!r}: expected COLUMN=VALUE[,VALUE], for example anatomy=jhu-eve or contrast=pd")
    return column, vals
