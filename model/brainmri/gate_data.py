"""Builds the input gate's data set: every source in gate_sources drawn, delivered (JPEG/PNG), preprocessed per the contract
(RGB, antialiased bilinear resize) and stored per split as data/gate/<split>.npz plus data/gate/sources.json.

Deterministic from --seed: image i of source s draws from its own generator seeded by (seed, crc32(s), i)."""
from __future__ import annotations

import argparse
import json
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import time
import zlib
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from . import gate_render as R
from . import gate_sources as GS
from .progress import Progress

MODEL_DIR = Path(__file__).resolve().parents[1]
DEFAULT_OUT = MODEL_DIR.parent / "data" / "gate"
SIZE = 64


def image_rng(seed: int, source: str, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(source.encode()), index])


_SOURCES: dict | None = None


def _source(name: str) -> GS.Source:
    global _SOURCES
    if _SOURCES is None:
        _SOURCES = {s.name: s for s in GS.sources()}
    return _SOURCES[name]


def make_input(source: GS.Source, seed: int, index: int, size: int = SIZE) -> np.ndarray:
    """Image `index` of `source` as the gate sees it: 3 x size x size, 0..255 float32."""
    rng = image_rng(seed, source.name, index)
    return R.to_input(R.deliver(source.make(rng), rng), size)


def _job(job: tuple) -> np.ndarray:
    name, seed, index, size = job
    x = make_input(_source(name), seed, index, size)
    return np.clip(np.round(x), 0, 255).astype(np.uint8)


def reusable(reuse: str | Path | None, summary: dict) -> dict:
    """{source name: its stored images} from an earlier build at `reuse` for every source whose name, split, count and
    rev (1 when the record has none) match this build's, with the same seed and size: those images are what drawing
    them again would give, as long as a source's rev is bumped whenever its images change."""
    if not reuse:
        return {}
    reuse = Path(reuse)
    old = json.loads((reuse / "sources.json").read_text())
    if old.get("seed") != summary["seed"] or old.get("size") != summary["size"]:
        return {}
    old_by_name = {d["name"]: d for d in old["sources"]}
    out: dict = {}
    for split in GS.SPLITS:
        if not (reuse / f"{split}.npz").exists():
            continue
        want = [d for d in summary["sources"] if d["split"] == split and d["name"] in old_by_name
                and all(old_by_name[d["name"]].get(k, 1 if k == "rev" else None) == d[k] for k in ("split", "count", "rev"))]
        if not want:
            continue
        x, _, src, names = load(reuse, split)
        for d in want:
            got = x[src == names.index(d["name"])]
            if len(got) == d["count"]:
                out[d["name"]] = got
    return out


def build(out: str | Path, seed: int = 0, size: int = SIZE, scale: float = 1.0, workers: int | None = None,
          splits=GS.SPLITS, quiet: bool = False, reuse: str | Path | None = None) -> dict:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    srcs = GS.sources()
    missing = {s.name: s.missing() for s in srcs if s.missing()}
    if missing:
        raise SystemExit("gate data sources missing (run `npm run setup:training`):\n"
                         + "\n".join(f"  {k}: {', '.join(v)}" for k, v in missing.items()))
    workers = workers or min(len(os.sched_getaffinity(0)), 8)
    summary = {"seed": seed, "size": size, "scale": scale, "labels": list(GS.GATE_LABELS), "splits": {}, "sources": []}
    for s in srcs:
        summary["sources"].append({"name": s.name, "label": s.label, "split": s.split, "family": s.family, "origin": s.origin,
                                   "licence": s.licence, "count": max(1, int(round(s.count * scale))), "rev": s.rev})
    names = [s["name"] for s in summary["sources"]]
    t0 = time.time()
    ctx = get_context("fork")
    kept = reusable(reuse, summary)
    summary["reused"] = sorted(kept)
    GS.anatomies()  # load the generator's anatomies once, before the workers fork
    for split in splits:
        jobs = [(s["name"], seed, i, size) for s in summary["sources"] if s["split"] == split for i in range(s["count"])]
        todo = [j for j in jobs if j[0] not in kept]
        bar = None if quiet else Progress(len(todo), f"gate {split}")
        made = []
        if workers <= 1:
            for j in todo:
                made.append(_job(j))
                bar and bar.update()
        else:
            with ctx.Pool(workers) as pool:
                for x in pool.imap(_job, todo, chunksize=4):
                    made.append(x)
                    bar and bar.update()
        bar and bar.close()
        fresh = iter(made)
        xs = [kept[j[0]][j[2]] if j[0] in kept else next(fresh) for j in jobs]
        label_of = {s["name"]: GS.GATE_LABELS.index(s["label"]) for s in summary["sources"]}
        y = np.array([label_of[j[0]] for j in jobs], np.int64)
        src = np.array([names.index(j[0]) for j in jobs], np.int16)
        np.savez_compressed(out / f"{split}.npz", x=np.stack(xs), y=y, src=src, names=np.array(names))
        summary["splits"][split] = {"images": len(jobs), "brain_mri": int((y == 0).sum()), "other": int((y == 1).sum())}
        _write_summary(out, summary)  # after every split, so training can start while the test split is built
    summary["seconds"] = round(time.time() - t0, 1)
    _write_summary(out, summary)
    return summary


def _write_summary(out: Path, summary: dict) -> None:
    """sources.json, with the record of every split on disk (a partial rebuild with --splits keeps the others)."""
    for split in GS.SPLITS:
        if split not in summary["splits"] and (out / f"{split}.npz").exists():
            y = np.load(out / f"{split}.npz")["y"]
            summary["splits"][split] = {"images": len(y), "brain_mri": int((y == 0).sum()), "other": int((y == 1).sum())}
    summary["splits"] = {k: summary["splits"][k] for k in GS.SPLITS if k in summary["splits"]}
    (out / "sources.json").write_text(json.dumps(summary, indent=2) + "\n")


def load(data: str | Path, split: str):
    z = np.load(Path(data) / f"{split}.npz")
    return z["x"], z["y"], z["src"], [str(n) for n in z["names"]]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Build the input gate's data set (brain MRI slice or not) from its sources.")
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--size", type=int, default=SIZE, help="input side in pixels (default 64)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every source's image count (0.1 for a quick run)")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--splits", default=",".join(GS.SPLITS), help="which splits to (re)build, comma-separated")
    ap.add_argument("--reuse", default=None,
                    help="an earlier build's folder: copy the images of sources whose name, split, count and rev match")
    ap.add_argument("--list", action="store_true", help="list the sources and exit")
    args = ap.parse_args(argv)
    if args.list:
        for s in GS.sources():
            print(f"{s.split:5s} {s.label:9s} {s.count:5d} r{s.rev} {s.name:32s} {s.origin}  [{s.licence}]"
                  + (f"  MISSING {s.missing()}" if s.missing() else ""))
        return
    splits = tuple(x for x in args.splits.split(",") if x)
    bad = [x for x in splits if x not in GS.SPLITS]
    if bad:
        raise SystemExit(f"unknown split(s) {bad}; use {', '.join(GS.SPLITS)}")
    summary = build(args.out, args.seed, args.size, args.scale, args.workers, splits, reuse=args.reuse)
    print(json.dumps(summary["splits"]), f"in {summary['seconds']} s ->", args.out)


if __name__ == "__main__":
    main()
