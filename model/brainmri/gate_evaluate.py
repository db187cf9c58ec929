"""Evaluates the exported input gate (the .onnx itself, run in onnxruntime-node) on the held-out test sources: acceptance
of brain MRI slices and refusal of everything else, per source, against the targets; writes the metrics report, adds
the metrics to the manifest and writes the gate's card (model/GATE_CARD.md) and its section of MODEL_CARD.md."""
from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import torch

from . import gate_data as GD
from . import gate_export as GE
from .gate_card import write_cards
from .gate_model import normalise
from .gate_sources import GROUPS, test_round
from .gate_train import REPORT_DIR, TARGET_FAR, TARGET_FRR, per_source, predict

ROOT = Path(__file__).resolve().parents[2]


def ort_outputs(onnx: Path, x: np.ndarray, time_runs: int = 0) -> tuple[dict, dict]:
    """Outputs of the ONNX graph on x computed by onnxruntime-node (scripts/ort-run.mjs), and its timing when asked."""
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.f32"
        np.ascontiguousarray(x, dtype="<f4").tofile(inp)
        cmd = ["node", str(ROOT / "scripts" / "ort-run.mjs"), str(onnx), str(inp), ",".join(map(str, x.shape)), tmp]
        if time_runs:
            cmd += ["--time", str(time_runs)]
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        meta = json.loads((Path(tmp) / "outputs.json").read_text())
        outs = {n: np.fromfile(Path(tmp) / f"{n}.f32", dtype="<f4").reshape(d) for n, d in meta["outputs"].items()}
        return outs, meta.get("timing_ms", {})


def onnx_scores(onnx: Path, x_uint8: np.ndarray, chunk: int = 1000) -> np.ndarray:
    ps = []
    for i in range(0, len(x_uint8), chunk):
        xin = normalise(torch.from_numpy(x_uint8[i:i + chunk])).numpy()
        ps.append(ort_outputs(onnx, xin)[0]["probabilities"][:, 0])
    return np.concatenate(ps)


def band_metrics(p: np.ndarray, y: np.ndarray, threshold: float, uncertain: float) -> dict:
    """What the unsure band changes: brain MRI accepted without a flag, and other images refused or at least flagged."""
    pos, neg = p[y == 0], p[y == 1]
    return {"uncertain_below": uncertain,
            "brain_mri_accepted_sure": float((pos >= uncertain).mean()) if len(pos) else None,
            "brain_mri_accepted_unsure": float(((pos >= threshold) & (pos < uncertain)).mean()) if len(pos) else None,
            "other_accepted_unsure": float(((neg >= threshold) & (neg < uncertain)).mean()) if len(neg) else None,
            "other_refused_or_unsure": float((neg < uncertain).mean()) if len(neg) else None}


def summary_metrics(p: np.ndarray, y: np.ndarray, threshold: float) -> dict:
    """The manifest's metrics fields (the classifier's schema) for the two-label gate, plus the gate's own rates."""
    from sklearn.metrics import matthews_corrcoef, precision_recall_fscore_support, roc_auc_score
    pred = np.where(p >= threshold, 0, 1)
    pr, rc, f1, _ = precision_recall_fscore_support(y, pred, average="weighted", zero_division=0)
    conf = np.maximum(p, 1 - p)
    correct = (np.where(p >= 0.5, 0, 1) == y)
    bins = np.minimum((conf * 15).astype(int), 14)
    ece = float(sum(abs(correct[bins == b].mean() - conf[bins == b].mean()) * (bins == b).mean() for b in range(15) if (bins == b).any()))
    pos, neg = y == 0, y == 1
    return {
        "accuracy": float((pred == y).mean()), "precision_weighted": float(pr), "recall_weighted": float(rc),
        "f1_weighted": float(f1), "mcc": float(matthews_corrcoef(y, pred)), "roc_auc_macro_ovr": float(roc_auc_score(pos, p)),
        "ece": ece, "pointing_game": None, "test_images": int(len(y)),
        "brain_mri_accepted": float((p[pos] >= threshold).mean()), "other_refused": float((p[neg] < threshold).mean()),
        "brain_mri_images": int(pos.sum()), "other_images": int(neg.sum()),
        "targets": {"brain_mri_accepted": 1 - TARGET_FRR, "other_refused": 1 - TARGET_FAR},
    }


def group_rates(p: np.ndarray, y: np.ndarray, src: np.ndarray, names: list[str], threshold: float,
                uncertain: float | None = None) -> dict:
    """Pooled rates over the test sources new in rounds 5 and 4 and over those kept from rounds 1 and 2."""
    out = {}
    for group, rnd in GROUPS:
        ids = [i for i, n in enumerate(names) if test_round(n) == rnd and (src == i).any()]
        m = np.isin(src, ids)
        pos, neg = m & (y == 0), m & (y == 1)
        out[group] = {"sources": [names[i] for i in ids], "brain_mri_images": int(pos.sum()), "other_images": int(neg.sum()),
                      "brain_mri_accepted": float((p[pos] >= threshold).mean()) if pos.any() else None,
                      "other_refused": float((p[neg] < threshold).mean()) if neg.any() else None}
        if uncertain is not None:
            out[group].update(band_metrics(p[m], y[m], threshold, uncertain))
    return out


def evaluate(data: Path, onnx: Path = GE.ONNX_PATH, manifest_path: Path = GE.MANIFEST_PATH) -> dict:
    manifest = json.loads(manifest_path.read_text())
    threshold = float(manifest["thresholds"]["accept"])
    uncertain = max(threshold, float(manifest["thresholds"].get("uncertain", threshold)))
    x, y, src, names = GD.load(data, "test")
    p = onnx_scores(onnx, x)
    previous = json.loads((REPORT_DIR / "metrics.json").read_text()) if (REPORT_DIR / "metrics.json").exists() else {}
    if GE.CHECKPOINT.exists():
        net, ckpt = GE.load_checkpoint()
        torch_diff = float(np.abs(p - predict(net, x)).max())
    elif not previous:
        raise SystemExit(f"no checkpoint ({GE.CHECKPOINT}) and no earlier report ({REPORT_DIR / 'metrics.json'}): "
                         "train the gate first (`npm run train:gate`)")
    else:
        # A shipped gate evaluated again without its training checkpoint (e.g. after `npm run band:gate`): the .onnx is
        # the one exported then, so the threshold record, the training record and the export check carry over.
        ckpt = {"threshold": previous["threshold"], "training": manifest["training"]}
        torch_diff = previous["summary"]["onnx_vs_torch_max_abs_diff"]
    s = summary_metrics(p, y, threshold)
    s.update(band_metrics(p, y, threshold, uncertain))
    per = per_source(p, y, src, names, threshold, uncertain)
    sources = {d["name"]: d for d in json.loads((data / "sources.json").read_text())["sources"]}
    for k, v in per.items():
        v.update(family=sources[k]["family"], origin=sources[k]["origin"], licence=sources[k]["licence"],
                 min_p_brain=float(p[src == names.index(k)].min()), max_p_brain=float(p[src == names.index(k)].max()))
    s["groups"] = group_rates(p, y, src, names, threshold, uncertain)
    side = manifest["input"]["shape"][2]
    timing = ort_outputs(onnx, np.zeros((1, 3, side, side), np.float32) + 0.1, time_runs=1000)[1]
    s["onnx_ms_node_cpu_1thread"] = {k: round(v, 4) if isinstance(v, float) else v for k, v in timing.items()}
    s["onnx_vs_torch_max_abs_diff"] = torch_diff
    s["threshold"] = threshold
    manifest["metrics"] = s
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    built = json.loads((data / "sources.json").read_text())
    # Evaluating needs only the validation and test splits (`npm run data:gate -- --splits val,test`); the training
    # split's counts then come from the previous report, for the same sources.
    built["splits"] = {**{k: v for k, v in previous.get("data", {}).get("splits", {}).items() if k not in built["splits"]},
                       **built["splits"]}
    built["splits"] = {k: built["splits"][k] for k in ("train", "val", "test") if k in built["splits"]}
    report = {"summary": s, "per_source": per, "threshold": ckpt["threshold"], "training": ckpt["training"], "data": built}
    train_report = REPORT_DIR / "train.json"
    if train_report.exists():
        t = json.loads(train_report.read_text())
        report.update(val_per_source=t.get("val_per_source"), history=t.get("history"), macs=t.get("macs"))
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "metrics.json").write_text(json.dumps(report, indent=2) + "\n")
    write_cards(report, manifest)
    return report


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Evaluate the exported gate on its held-out test sources; write report and card.")
    ap.add_argument("--data", default=str(GD.DEFAULT_OUT))
    args = ap.parse_args(argv)
    r = evaluate(Path(args.data))
    s = r["summary"]
    print(f"brain MRI accepted {s['brain_mri_accepted']:.4f} (target >= {1 - TARGET_FRR}), other refused "
          f"{s['other_refused']:.4f} (target >= {1 - TARGET_FAR}), threshold {s['threshold']}, "
          f"ONNX p50 {s['onnx_ms_node_cpu_1thread'].get('p50', float('nan')):.4f} ms")
    if s["uncertain_below"] > s["threshold"]:
        print(f"unsure band [{s['threshold']}, {s['uncertain_below']}): brain MRI accepted sure {s['brain_mri_accepted_sure']:.4f}, "
              f"unsure {s['brain_mri_accepted_unsure']:.4f}; other refused or unsure {s['other_refused_or_unsure']:.4f}")
    for k, v in sorted(r["per_source"].items(), key=lambda kv: (kv[1]["label"], kv[1]["correct_rate"])):
        print(f"  {v['label']:9s} {k:32s} {v['correct_rate']:.4f}  accepted {v['accepted']:4d} refused {v['refused']:4d}")


if __name__ == "__main__":
    main()
