"""Held-out evaluation: metrics (accuracy, weighted P/R/F1, MCC, macro OvR ROC AUC, ECE, pointing game), figures, card."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from . import LABELS, LABEL_TO_FOLDER
from .export import load_checkpoint
from .models import conv_macs, to_input

MODEL_DIR = Path(__file__).resolve().parents[1]


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:
    conf = probs.max(1)
    correct = probs.argmax(1) == labels
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - conf[m].mean())
    return float(ece)


def upsample_cam(cam: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear, half-pixel centres, clamped at the edges (the contract's saliency upsampling)."""
    t = torch.from_numpy(cam[None, None].astype(np.float32))
    return F.interpolate(t, size=(height, width), mode="bilinear", align_corners=False)[0, 0].numpy()


def mask_path_for(root: Path, image_path: str) -> Path | None:
    p = Path(image_path)
    try:
        rel = p.relative_to(root)
    except ValueError:
        return None
    cand = root / "masks" / rel.with_suffix(".png")
    return cand if cand.exists() else None


def pointing_hit(cam: np.ndarray, mask: np.ndarray) -> bool:
    """Is the peak of the class map (upsampled to the image) inside the lesion (tumour or oedema)?"""
    up = upsample_cam(np.maximum(cam, 0), mask.shape[0], mask.shape[1])
    r, c = np.unravel_index(int(np.argmax(up)), up.shape)
    return bool(mask[r, c] > 0)


def run_model(net, images: np.ndarray, batch: int = 64):
    logits, cams = [], []
    net.eval()
    with torch.no_grad():
        for i in range(0, len(images), batch):
            raw = torch.from_numpy(images[i:i + batch]).unsqueeze(1)
            lg, cam = net.forward_with_cam(to_input(raw, net))
            logits.append(lg)
            cams.append(cam)
    return torch.cat(logits).numpy(), torch.cat(cams).numpy()


def compute_metrics(probs: np.ndarray, y: np.ndarray) -> dict:
    from sklearn.metrics import (accuracy_score, classification_report, confusion_matrix, matthews_corrcoef,
                                 precision_recall_fscore_support, roc_auc_score)
    pred = probs.argmax(1)
    p, r, f, _ = precision_recall_fscore_support(y, pred, average="weighted", zero_division=0)
    return {
        "accuracy": float(accuracy_score(y, pred)),
        "precision_weighted": float(p),
        "recall_weighted": float(r),
        "f1_weighted": float(f),
        "mcc": float(matthews_corrcoef(y, pred)),
        "roc_auc_macro_ovr": float(roc_auc_score(y, probs, multi_class="ovr", average="macro", labels=list(range(len(LABELS))))),
        "ece": expected_calibration_error(probs, y),
    }, classification_report(y, pred, labels=list(range(len(LABELS))), target_names=list(LABELS), output_dict=True,
                             zero_division=0), confusion_matrix(y, pred, labels=list(range(len(LABELS))))


def figures(out: Path, history: list, cm: np.ndarray, paths, y, probs, cams) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if history:
        ep = [h["epoch"] for h in history]
        fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
        ax[0].plot(ep, [h["accuracy"] for h in history], label="train")
        ax[0].plot(ep, [h["val_accuracy"] for h in history], label="validation")
        ax[0].set_title("accuracy"), ax[0].set_xlabel("epoch"), ax[0].legend()
        ax[1].plot(ep, [h["loss"] for h in history], label="train")
        ax[1].plot(ep, [h["val_loss"] for h in history], label="validation")
        ax[1].set_title("loss"), ax[1].set_xlabel("epoch"), ax[1].legend()
        fig.tight_layout()
        fig.savefig(out / "curves.png", dpi=90)
        plt.close(fig)

    fig, ax = plt.subplots(figsize=(4.6, 4))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(LABELS)), LABELS, rotation=30)
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted"), ax.set_ylabel("actual")
    for i in range(len(LABELS)):
        for j in range(len(LABELS)):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", color="white" if cm[i, j] > cm.max() / 2 else "black")
    ax.set_title("confusion matrix (test)")
    fig.tight_layout()
    fig.savefig(out / "confusion_matrix.png", dpi=90)
    plt.close(fig)

    rng = np.random.default_rng(0)
    pick = rng.choice(len(paths), size=min(9, len(paths)), replace=False)
    for name, with_cam in (("test_grid.png", False), ("cam_grid.png", True)):
        fig, axes = plt.subplots(3, 3, figsize=(8, 8.4))
        for ax, i in zip(axes.flat, pick):
            im = np.asarray(Image.open(paths[i]).convert("L"))
            ax.imshow(im, cmap="gray")
            pred = int(probs[i].argmax())
            if with_cam:
                heat = upsample_cam(np.maximum(cams[i, pred], 0), im.shape[0], im.shape[1])
                heat = heat / heat.max() if heat.max() > 0 else heat
                ax.imshow(heat, cmap="turbo", alpha=0.45 * heat)
            ok = pred == y[i]
            ax.set_title(f"actual {LABELS[y[i]]}\npredicted {LABELS[pred]} ({probs[i, pred]:.2f})", fontsize=9,
                         color="black" if ok else "red")
            ax.axis("off")
        fig.tight_layout()
        fig.savefig(out / name, dpi=80)
        plt.close(fig)


FALSE_ALARM_CONFIDENCE = 0.9
FOLDS_DIR = MODEL_DIR / "reports" / "folds"


def reliability(probs: np.ndarray, y: np.ndarray, bins: int = 15) -> list[dict]:
    """Per confidence bin: mean confidence, accuracy and count (the reliability diagram's points)."""
    conf, correct = probs.max(1), probs.argmax(1) == y
    edges = np.linspace(0, 1, bins + 1)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            out.append({"lo": round(float(lo), 4), "hi": round(float(hi), 4), "confidence": float(conf[m].mean()),
                        "accuracy": float(correct[m].mean()), "count": int(m.sum())})
    return out


def false_alarms(probs: np.ndarray, y: np.ndarray) -> dict:
    """Healthy slices called a tumour with confidence above FALSE_ALARM_CONFIDENCE (target: none)."""
    normal = y == LABELS.index("normal")
    pred = probs.argmax(1)
    hit = normal & (pred != LABELS.index("normal")) & (probs.max(1) > FALSE_ALARM_CONFIDENCE)
    return {"normal_images": int(normal.sum()), "confident_tumour_calls": int(hit.sum()),
            "rate": float(hit.sum() / normal.sum()) if normal.any() else None,
            "any_tumour_call_rate": float((normal & (pred != LABELS.index("normal"))).sum() / normal.sum()) if normal.any() else None}


def safe_metrics(probs: np.ndarray, y: np.ndarray):
    """compute_metrics, with ROC AUC left out (None) when a class is missing (a slab anatomy has no sella, so no
    pituitary scans)."""
    present = np.unique(y)
    if len(present) == len(LABELS):
        return compute_metrics(probs, y)
    from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, matthews_corrcoef, precision_recall_fscore_support
    pred = probs.argmax(1)
    p, r, f, _ = precision_recall_fscore_support(y, pred, average="weighted", zero_division=0)
    summary = {"accuracy": float(accuracy_score(y, pred)), "precision_weighted": float(p), "recall_weighted": float(r),
               "f1_weighted": float(f), "mcc": float(matthews_corrcoef(y, pred)), "roc_auc_macro_ovr": None,
               "ece": expected_calibration_error(probs, y)}
    return summary, classification_report(y, pred, labels=list(range(len(LABELS))), target_names=list(LABELS),
                                          output_dict=True, zero_division=0), confusion_matrix(y, pred, labels=list(range(len(LABELS))))


def breakdown(values: np.ndarray, probs: np.ndarray, y: np.ndarray) -> dict:
    pred = probs.argmax(1)
    return {str(v): {"images": int((values == v).sum()), "accuracy": float((pred[values == v] == y[values == v]).mean())}
            for v in sorted(set(values.tolist())) if v != ""}


def evaluate(checkpoint: Path, data: str | None, out: Path, holdout: tuple | None = None, grid: int = 3) -> dict:
    """Metrics on the test split, or with `holdout` (column, values) on every image of those values (any split: a
    fold's model never saw them)."""
    from .data import load_cached, metadata_column
    from . import familiarity as FAM
    net, ckpt = load_checkpoint(checkpoint)
    arch = ckpt["arch"]
    root = Path(data or ckpt["data_root"])
    ds = load_cached(root, seed=ckpt.get("split_seed", 0), size=net.size)
    if holdout:
        sel = np.isin(metadata_column(root, ds.paths, holdout[0]), holdout[1])
        idx = np.where(sel)[0]
        x, y = ds.images[idx], ds.labels[idx]
    else:
        x, y, idx = ds.subset("test")
    if len(x) == 0:
        raise SystemExit(f"{root}: no test images" + (f" with {holdout[0]} in {holdout[1]}" if holdout else ""))
    paths = [ds.paths[i] for i in idx]
    logits, cams = run_model(net, x)
    probs = torch.softmax(torch.from_numpy(logits), 1).numpy()
    summary, per_class, cm = safe_metrics(probs, y)
    hits, tried = 0, 0
    per_class_pg = {}
    for i, p in enumerate(paths):
        if LABELS[y[i]] == "normal":
            continue
        mp = mask_path_for(root.resolve(), str(Path(p).resolve()))
        if mp is None:
            continue
        mask = np.asarray(Image.open(mp))
        hit = pointing_hit(cams[i, y[i]], mask)
        hits += hit
        tried += 1
        c = per_class_pg.setdefault(LABELS[y[i]], [0, 0])
        c[0] += hit
        c[1] += 1
    summary["pointing_game"] = hits / tried if tried else None
    summary["test_images"] = int(len(y))
    fam_report = None
    fam = ckpt.get("familiarity")
    if fam:
        feats, _ = FAM.pooled_features(net, x)
        d = FAM.mahalanobis(feats, fam)
        e = FAM.energy(logits)
        fam_report = {"method": fam["method"], "threshold": fam["threshold"],
                      "fires": float((d > fam["threshold"]).mean()), "energy_fires": float((e > fam["energy_threshold"]).mean()),
                      "median_distance": float(np.median(d))}
        summary["familiarity_fires"] = fam_report["fires"]
        if not holdout:
            fam_report["probes"] = FAM.compare(net, fam, x)
    fa = false_alarms(probs, y)
    summary["false_alarm_rate"] = fa["rate"]
    summary["false_alarm_any_rate"] = fa["any_tumour_call_rate"]
    real = None
    if not holdout:
        from . import real_scans
        real = real_scans.check(net, net.size)
    out.mkdir(parents=True, exist_ok=True)
    meta = {c: metadata_column(root, paths, c) for c in ("anatomy", "contrast", "plane")} if (root / "metadata.csv").exists() else {}
    report = {
        "summary": summary,
        "holdout": {"column": holdout[0], "values": list(holdout[1])} if holdout else None,
        "per_class": {k: v for k, v in per_class.items() if k in LABELS},
        "pointing_game_per_class": {k: v[0] / v[1] for k, v in per_class_pg.items()},
        "pointing_game_images": tried,
        "confusion_matrix": {"labels": list(LABELS), "rows_actual_cols_predicted": cm.tolist()},
        "ece_bins": 15,
        "reliability": reliability(probs, y),
        "false_alarms": false_alarms(probs, y),
        "real_healthy_scans": real,
        "familiarity": fam_report,
        "by": {c: breakdown(v, probs, y) for c, v in meta.items()},
        "data": ds.report,
        "training": ckpt["training"],
        "arch": arch,
        "parameters": ckpt.get("parameters"),
        "input_size": net.size,
        "macs": conv_macs(net, (net.channels, net.size, net.size)),
    }
    (out / "metrics.json").write_text(json.dumps(report, indent=2) + "\n")
    # Grid samples drawn at random (seed 0), not picked for looks: the held-out figure shows what the fold saw.
    pick = np.sort(np.random.default_rng(0).choice(len(x), size=min(grid, len(x)), replace=False))
    np.savez_compressed(out / "samples.npz", images=x[pick].astype(np.uint8), cams=cams[pick], probs=probs[pick], labels=y[pick],
                        contrast=np.array([meta["contrast"][i] for i in pick]) if meta else np.array([""] * len(pick)))
    if not holdout:
        figures(out, ckpt.get("history", []), cm, paths, y, probs, cams)
    return report


def held_out_reports(folds_dir: Path = FOLDS_DIR) -> dict:
    """The fold reports (`npm run folds`), by fold name."""
    reps = {}
    for f in sorted(folds_dir.glob("*/metrics.json")):
        reps[f.parent.name] = json.loads(f.read_text())
    return reps


def held_out_figures(out: Path, folds: dict, folds_dir: Path = FOLDS_DIR) -> None:
    """Reliability diagram per held-out fold, and the sample grid: per fold, random images with prediction,
    confidence and heatmap."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    if not folds:
        return
    names = list(folds)
    fig, axes = plt.subplots(1, len(names), figsize=(3.0 * len(names), 3.2), squeeze=False)
    for ax, n in zip(axes[0], names):
        pts = folds[n]["reliability"]
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8)
        ax.bar([(p["lo"] + p["hi"]) / 2 for p in pts], [p["accuracy"] for p in pts], width=1 / 15, alpha=0.5, edgecolor="k")
        ax.plot([p["confidence"] for p in pts], [p["accuracy"] for p in pts], "o-", ms=3)
        s = folds[n]["summary"]
        ax.set_title(f"{n}\nacc {s['accuracy']:.3f} ECE {s['ece']:.3f}", fontsize=8)
        ax.set_xlim(0, 1), ax.set_ylim(0, 1), ax.set_xlabel("confidence", fontsize=7)
        ax.tick_params(labelsize=6)
    axes[0][0].set_ylabel("accuracy")
    fig.tight_layout()
    fig.savefig(out / "reliability_held_out.png", dpi=80)
    plt.close(fig)
    samples = {n: np.load(folds_dir / n / "samples.npz") for n in names if (folds_dir / n / "samples.npz").exists()}
    cols = max(len(s["labels"]) for s in samples.values())
    fig, axes = plt.subplots(len(samples), cols, figsize=(2.6 * cols, 2.9 * len(samples)), squeeze=False)
    for r, (n, s) in enumerate(samples.items()):
        for c in range(cols):
            ax = axes[r][c]
            ax.axis("off")
            if c >= len(s["labels"]):
                continue
            im = s["images"][c]
            pred = int(s["probs"][c].argmax())
            heat = upsample_cam(np.maximum(s["cams"][c, pred], 0), im.shape[0], im.shape[1])
            heat = heat / heat.max() if heat.max() > 0 else heat
            ax.imshow(im, cmap="gray", vmin=0, vmax=255)
            ax.imshow(heat, cmap="turbo", alpha=0.4 * heat)
            ok = pred == int(s["labels"][c])
            ax.set_title(f"{n} ({s['contrast'][c]})\n{LABELS[int(s['labels'][c])]} -> {LABELS[pred]} {s['probs'][c, pred]:.2f}",
                         fontsize=7, color="black" if ok else "red")
    fig.tight_layout()
    fig.savefig(out / "held_out_grid.png", dpi=70)
    plt.close(fig)


def main(argv=None) -> None:
    from .data import parse_selector
    ap = argparse.ArgumentParser(description="Evaluate a checkpoint on its held-out test split (or on held-out images); "
                                             "write metrics, figures and the model card.")
    ap.add_argument("--arch", choices=["edge", "seed"], default="edge")
    ap.add_argument("--checkpoint", default=None, help="default model/runs/<arch>/best.pt")
    ap.add_argument("--data", default=None, help="dataset root (default: the one the checkpoint was trained on)")
    ap.add_argument("--out", default=None, help="report folder (default model/reports/<arch>)")
    ap.add_argument("--holdout", default="", type=parse_selector,
                    help="COLUMN=VALUE[,VALUE]: evaluate on every image with these metadata values (a fold's held-out set)")
    args = ap.parse_args(argv)
    ckpt = Path(args.checkpoint or MODEL_DIR / "runs" / args.arch / "best.pt")
    out = Path(args.out or MODEL_DIR / "reports" / args.arch)
    rep = evaluate(ckpt, args.data, out, args.holdout)
    if args.arch == "edge" and not args.holdout:
        folds = held_out_reports()
        rep["held_out"] = {n: {"holdout": f["holdout"], "summary": f["summary"], "false_alarms": f["false_alarms"],
                               "familiarity": f["familiarity"], "reliability": f["reliability"],
                               "recipe": f["training"].get("command"), "seconds": f["training"].get("seconds"),
                               "by_contrast": f["by"].get("contrast"), "confusion": f["confusion_matrix"]}
                           for n, f in folds.items()}
        (out / "metrics.json").write_text(json.dumps(rep, indent=2) + "\n")
        held_out_figures(out, folds)
    print(json.dumps(rep["summary"], indent=2))
    print(f"wrote {out / 'metrics.json'} and figures")
    if args.arch == "edge" and args.out is None:
        from .card import write_card
        mpath = MODEL_DIR / "brain-mri-edge.manifest.json"
        manifest = json.loads(mpath.read_text()) if mpath.exists() else None
        print(f"wrote {write_card(rep, manifest, MODEL_DIR / 'MODEL_CARD.md')}")


if __name__ == "__main__":
    main()
