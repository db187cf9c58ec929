"""Held-out folds: train without one anatomy (leave-one-anatomy-out) or one contrast (leave-one-contrast-out), then
evaluate on every image of what was left out. Reports go to model/reports/folds/<fold>/ for `npm run evaluate`."""
from __future__ import annotations

import argparse
import shlex
import time
from pathlib import Path

from .anatomy import ANATOMIES
from .evaluate import FOLDS_DIR, evaluate
from .train import main as train_main

MODEL_DIR = Path(__file__).resolve().parents[1]
# Cheaper than the shipped recipe (8 epochs, not 16): six folds had to fit beside it on two cores shared with other
# jobs (load average 4 to 17 while they ran), one thread each (two-thread runs lost most of their time waiting).
FOLD_RECIPE = "--epochs 8 --progressive 128:0.75 --balance contrast:0.75 --size-balanced --threads 1"
# Folds whose held-out data the previous shipped model (the usual --init) was trained on: Colin27 in FLAIR-like
# contrast among others. Starting them from it would leak what they hold out, so they train from scratch.
INIT_LEAKS = ("anatomy-colin27", "contrast-flair")
CONTRAST_FOLDS = ("pd", "flair")


def fold_list(names: list[str] | None = None) -> list[tuple[str, str, str]]:
    folds = [(f"anatomy-{a}", "anatomy", a) for a in ANATOMIES] + [(f"contrast-{c}", "contrast", c) for c in CONTRAST_FOLDS]
    return [f for f in folds if not names or f[0] in names]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Leave-one-anatomy-out and leave-one-contrast-out training and evaluation.")
    ap.add_argument("--data", required=True)
    ap.add_argument("--recipe", default=FOLD_RECIPE, help=f"training options for every fold (default: {FOLD_RECIPE})")
    ap.add_argument("--only", default="", help="comma-separated fold names, e.g. anatomy-jhu-eve,contrast-pd")
    ap.add_argument("--skip-trained", action="store_true", help="reuse a fold's checkpoint if it exists")
    ap.add_argument("--init", default=None, help="start folds from this checkpoint (e.g. model/runs/v5-rebuilt.pt, "
                                                  "`python -m brainmri.from_onnx`), except those it would leak into")
    ap.add_argument("--init-leaks", default=",".join(INIT_LEAKS), help="folds that train from scratch despite --init")
    args = ap.parse_args(argv)
    for name, column, value in fold_list([n for n in args.only.split(",") if n]):
        run = MODEL_DIR / "runs" / "folds" / name
        t = time.time()
        if not (args.skip_trained and (run / "best.pt").exists()):
            init = ["--init", args.init] if args.init and name not in args.init_leaks.split(",") else []
            train_main(["--arch", "edge", "--data", args.data, "--exclude", f"{column}={value}", "--out", str(run)]
                       + shlex.split(args.recipe) + init)
        rep = evaluate(run / "best.pt", args.data, FOLDS_DIR / name, (column, [value]))
        s = rep["summary"]
        print(f"fold {name}: accuracy {s['accuracy']:.4f} ECE {s['ece']:.4f} on {s['test_images']} held-out images, "
              f"false alarms {rep['false_alarms']['confident_tumour_calls']}/{rep['false_alarms']['normal_images']} "
              f"({time.time() - t:.0f}s)", flush=True)


if __name__ == "__main__":
    main()
