"""Trains the input gate on data/gate (see gate_data), picks its acceptance threshold on the validation sources, and
exports model/brain-mri-gate.onnx with its manifest. Deterministic from --seed (same data, threads and machine type)."""
from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from . import gate_data as GD
from . import gate_export as GE
from .gate_model import GateNet, normalise
from .gate_sources import GATE_LABELS
from .models import conv_macs, count_parameters
from .progress import Progress

MODEL_DIR = Path(__file__).resolve().parents[1]
# The version a newly trained gate gets (manifest `version`).
GATE_VERSION = "0.5.0"
REPORT_DIR = MODEL_DIR / "reports" / "gate"
# The targets on held-out sources: accept >= 99 % of brain MRI slices, refuse >= 98 % of other images. The threshold
# is chosen on validation to keep the larger of (false-refusal rate / 1 %, false-acceptance rate / 2 %) smallest.
TARGET_FRR = 0.01
TARGET_FAR = 0.02
# The unsure band above the acceptance threshold (choose_band): accepted images under its edge go for review. It may flag
# or refuse at most this share of validation brain MRI slices.
BAND_MAX_FLAGGED = 0.10


def set_determinism(seed: int, threads: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)


# Negatives of these families may be shown in grey during training (a grey photograph or document is still not an MRI);
# colour pictures of brains may not (in grey they would be brain slices).
GREYABLE = ("natural photograph", "document / text", "chart / screenshot", "synthetic shapes", "gradients / noise / blank",
            "CT / other modality", "segmentation mask", "brain atlas (label map)")


def augment(x: torch.Tensor, g: torch.Generator, greyable: torch.Tensor | None = None, grey_p: float = 0.3) -> torch.Tensor:
    """Flips, quarter turns, a small shift and zoom, and a brightness/contrast change applied equally to R, G and B
    (so a grey image stays grey): orientation and window do not decide what a picture is. Images marked `greyable`
    are turned grey (Rec.601 luma on all three channels) with probability grey_p."""
    n = x.shape[0]
    if greyable is not None:
        grey = (torch.rand(n, generator=g) < grey_p) & greyable
        luma = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]).expand_as(x)
        x = torch.where(grey.view(n, 1, 1, 1), luma, x)
    flip = torch.rand(n, generator=g) < 0.5
    x = torch.where(flip.view(n, 1, 1, 1), x.flip(3), x)
    vflip = torch.rand(n, generator=g) < 0.15
    x = torch.where(vflip.view(n, 1, 1, 1), x.flip(2), x)
    rot = torch.rand(n, generator=g) < 0.15
    x = torch.where(rot.view(n, 1, 1, 1), x.transpose(2, 3).flip(3), x)
    # shift and zoom with one affine sampling grid
    s = 1.0 + (torch.rand(n, generator=g) - 0.5) * 0.2
    t = (torch.rand(n, 2, generator=g) - 0.5) * 0.12
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = s
    theta[:, 1, 1] = s
    theta[:, :, 2] = t
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    a = 1.0 + (torch.rand(n, 1, 1, 1, generator=g) - 0.5) * 0.4
    b = (torch.rand(n, 1, 1, 1, generator=g) - 0.5) * 30.0
    return (x * a + b).clamp(0, 255)


def source_weights(y: np.ndarray, src: np.ndarray) -> torch.Tensor:
    """Per-image sampling weight: each label half of the draws, each source of a label an equal share of that half."""
    w = np.zeros(len(y), np.float64)
    for label in np.unique(y):
        sel = y == label
        ids = np.unique(src[sel])
        for s in ids:
            m = sel & (src == s)
            w[m] = 0.5 / len(ids) / m.sum()
    return torch.from_numpy(w)


@torch.no_grad()
def predict(net: torch.nn.Module, x: np.ndarray, batch: int = 512) -> np.ndarray:
    """p(brain_mri) for stored 0..255 images (N x 3 x S x S)."""
    net.eval()
    out = []
    for i in range(0, len(x), batch):
        logits = net(normalise(torch.from_numpy(x[i:i + batch])))
        out.append(torch.softmax(logits, 1)[:, 0].numpy())
    return np.concatenate(out) if out else np.zeros(0)


def choose_threshold(p: np.ndarray, y: np.ndarray) -> dict:
    """The p(brain_mri) threshold minimising max(FRR / 1 %, FAR / 2 %) on these images; among equally good thresholds
    the middle of the widest run, taken in logit space, so that it sits as far as possible from both kinds of errors."""
    logit = np.log(np.clip(p, 1e-12, 1)) - np.log(np.clip(1 - p, 1e-12, 1))
    grid = np.linspace(-12, 12, 2401)
    pos, neg = logit[y == 0], logit[y == 1]
    frr = (pos[None, :] < grid[:, None]).mean(1) if len(pos) else np.zeros(len(grid))
    far = (neg[None, :] >= grid[:, None]).mean(1) if len(neg) else np.zeros(len(grid))
    cost = np.maximum(frr / TARGET_FRR, far / TARGET_FAR)
    best = np.isclose(cost, cost.min())
    runs, start = [], None
    for i, b in enumerate(np.append(best, False)):
        if b and start is None:
            start = i
        elif not b and start is not None:
            runs.append((start, i - 1))
            start = None
    lo, hi = max(runs, key=lambda r: r[1] - r[0])
    t_logit = float((grid[lo] + grid[hi]) / 2)
    k = (lo + hi) // 2
    return {"accept": round(1.0 / (1.0 + math.exp(-t_logit)), 6), "logit": round(t_logit, 4),
            "val_false_refusal": float(frr[k]), "val_false_acceptance": float(far[k]),
            "interval": [round(1.0 / (1.0 + math.exp(-grid[lo])), 6), round(1.0 / (1.0 + math.exp(-grid[hi])), 6)],
            "rule": "minimise max(FRR / 0.01, FAR / 0.02) on the validation sources; middle (in logit) of the best run"}


def choose_band(p: np.ndarray, y: np.ndarray, accept: float) -> dict:
    """The unsure band's upper edge (the manifest's thresholds.uncertain): the smallest p(brain_mri) at or above `accept`
    at which at most TARGET_FAR of these "other" images are accepted unflagged, unless that flags or refuses more than
    BAND_MAX_FLAGGED of the brain MRI slices: then the highest edge that does not. On the logit grid of
    choose_threshold, pooled over images as it is (the rule was fixed before any score was read; GATE_CARD.md)."""
    logit = np.log(np.clip(p, 1e-12, 1)) - np.log(np.clip(1 - p, 1e-12, 1))
    a = math.log(accept) - math.log(1 - accept)
    grid = np.linspace(-12, 12, 2401)
    grid = np.concatenate([[a], grid[grid > a]])
    pos, neg = logit[y == 0], logit[y == 1]
    unflagged_other = (neg[None, :] >= grid[:, None]).mean(1)
    flagged_brain = (pos[None, :] < grid[:, None]).mean(1)
    ok = np.nonzero(unflagged_other <= TARGET_FAR)[0]
    k = int(ok[0]) if len(ok) else len(grid) - 1
    capped = bool(flagged_brain[k] > BAND_MAX_FLAGGED)
    if capped:
        k = int(np.nonzero(flagged_brain <= BAND_MAX_FLAGGED)[0][-1])
    edge = accept if k == 0 else round(1.0 / (1.0 + math.exp(-float(grid[k]))), 6)
    return {"uncertain": edge, "uncertain_logit": round(float(grid[k]), 4), "capped": capped,
            "val_other_accepted_unflagged": float(unflagged_other[k]),
            "val_brain_mri_flagged_or_refused": float(flagged_brain[k]),
            "band_rule": f"smallest edge >= accept with <= {TARGET_FAR:.0%} of validation other images accepted unflagged; "
                         f"at most {BAND_MAX_FLAGGED:.0%} of validation brain MRI flagged or refused"}


def per_source(p: np.ndarray, y: np.ndarray, src: np.ndarray, names: list[str], threshold: float,
               uncertain: float | None = None) -> dict:
    """Accepted and refused per source; with `uncertain` (the unsure band's edge) also how many were accepted unsure."""
    out = {}
    for s in np.unique(src):
        m = src == s
        label = GATE_LABELS[int(y[m][0])]
        accepted = int((p[m] >= threshold).sum())
        out[names[int(s)]] = {"label": label, "images": int(m.sum()), "accepted": accepted, "refused": int(m.sum()) - accepted,
                              "correct_rate": (accepted if label == "brain_mri" else int(m.sum()) - accepted) / int(m.sum())}
        if uncertain is not None:
            out[names[int(s)]]["unsure"] = int(((p[m] >= threshold) & (p[m] < uncertain)).sum())
    return out


def train(data: Path, out: Path, seed: int = 0, epochs: int = 30, batch: int = 128, lr: float = 3e-3, threads: int = 1,
          width: int = 24, quiet: bool = False, ema: float = 0.0) -> dict:
    set_determinism(seed, threads)
    x_tr, y_tr, s_tr, names = GD.load(data, "train")
    x_va, y_va, s_va, _ = GD.load(data, "val")
    summary = json.loads((data / "sources.json").read_text())
    net = GateNet(width=width)
    size = net.size
    if x_tr.shape[2] != size:
        raise SystemExit(f"{data} holds {x_tr.shape[2]} px images; GateNet takes {size}: rebuild with `npm run data:gate`")
    g = torch.Generator().manual_seed(seed)
    weights = source_weights(y_tr, s_tr)
    steps_per_epoch = math.ceil(len(y_tr) / batch)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps_per_epoch, pct_start=0.2)
    # With ema > 0, validation, selection and export use an exponential moving average of the weights (and batch-norm
    # statistics): one seed's epoch-to-epoch swings in validation loss were as large as the differences between recipes.
    avg = None
    if ema:
        from torch.optim.swa_utils import AveragedModel
        avg = AveragedModel(net, avg_fn=lambda a, m, n: ema * a + (1 - ema) * m, use_buffers=True)
    xt = torch.from_numpy(x_tr)
    yt = torch.from_numpy(y_tr)
    family = {d["name"]: d["family"] for d in summary["sources"]}
    greyable = torch.from_numpy(np.array([family.get(names[int(k)]) in GREYABLE for k in s_tr]) & (y_tr == 1))
    best, history = None, []
    t0 = time.time()
    for epoch in range(epochs):
        net.train()
        idx = torch.multinomial(weights, steps_per_epoch * batch, replacement=True, generator=g)
        bar = None if quiet else Progress(steps_per_epoch, f"gate epoch {epoch + 1}/{epochs}")
        total = 0.0
        for k in range(steps_per_epoch):
            b = idx[k * batch:(k + 1) * batch]
            xb = normalise(augment(xt[b].float(), g, greyable[b]))
            loss = F.cross_entropy(net(xb), yt[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if avg is not None:
                avg.update_parameters(net)
            total += float(loss)
            bar and bar.update()
        bar and bar.close()
        judged = avg.module if avg is not None else net
        p = predict(judged, x_va)
        vw = source_weights(y_va, s_va).numpy()  # each validation source counts equally within its label
        vloss = float(-(vw * np.log(np.clip(np.where(y_va == 0, p, 1 - p), 1e-7, 1))).sum())
        acc = float(((p >= 0.5) == (y_va == 0)).mean())
        history.append({"epoch": epoch + 1, "train_loss": round(total / steps_per_epoch, 5), "val_loss": round(vloss, 5),
                        "val_accuracy_at_0.5": round(acc, 5), "seconds": round(time.time() - t0, 1)})
        if not quiet:
            print(json.dumps(history[-1]))
        if best is None or vloss < best["val_loss"]:
            best = {"val_loss": vloss, "epoch": epoch + 1, "state": {k: v.clone() for k, v in judged.state_dict().items()}}
    net.load_state_dict(best["state"])
    net.eval()
    p = predict(net, x_va)
    threshold = choose_threshold(p, y_va)
    threshold.update(choose_band(p, y_va, threshold["accept"]))
    seconds = round(time.time() - t0, 1)
    training = {
        "data": f"gate sources (model/brainmri/gate_sources.py), seed {summary['seed']}; see GATE_CARD.md",
        "seed": seed, "epochs": epochs, "best_epoch": best["epoch"],
        "images": {k: v["images"] for k, v in summary["splits"].items()},
        "seconds": seconds, "threads": threads,
        "optimizer": f"AdamW lr {lr} wd 0.0001, one-cycle, batch {batch}, sources balanced within each label"
                     + (f", weights averaged (EMA {ema} per step)" if ema else ""),
        "command": f"npm run train:gate -- --seed {seed} --epochs {epochs} --threads {threads} --width {width}"
                   + (f" --ema {ema}" if ema else ""),
        "width": width,
        "threshold_rule": threshold["rule"],
    }
    ckpt = {"arch": "gate", "width": width, "state_dict": net.state_dict(), "threshold": threshold, "training": training,
            "version": GATE_VERSION}
    out.mkdir(parents=True, exist_ok=True)
    torch.save(ckpt, out / "best.pt")
    report = {"threshold": threshold, "history": history, "training": training, "parameters": count_parameters(net),
              "macs": conv_macs(net, (3, net.size, net.size)),
              "val_per_source": per_source(p, y_va, s_va, names, threshold["accept"])}
    return {"net": net, "ckpt": ckpt, "report": report}


def rethreshold(data: Path, checkpoint: Path, out: Path) -> dict:
    """A trained checkpoint's threshold chosen again on the validation split as it is now (after validation sources were
    added), by the same rule; the weights, their epoch and the training record are kept, the history from its run."""
    net, ckpt = GE.load_checkpoint(checkpoint)
    x_va, y_va, s_va, names = GD.load(data, "val")
    p = predict(net, x_va)
    threshold = choose_threshold(p, y_va)
    threshold.update(choose_band(p, y_va, threshold["accept"]))
    ckpt = dict(ckpt, state_dict=net.state_dict(), threshold=threshold,
                training=dict(ckpt["training"], threshold_rule=threshold["rule"],
                              rethreshold=f"threshold chosen again on {len(y_va)} validation images by `npm run train:gate -- "
                                          f"--rethreshold {checkpoint}`"))
    out.mkdir(parents=True, exist_ok=True)
    torch.save(ckpt, out / "best.pt")
    old = json.loads((REPORT_DIR / "train.json").read_text()) if (REPORT_DIR / "train.json").exists() else {}
    report = {"threshold": threshold, "history": old.get("history", []), "training": ckpt["training"],
              "parameters": count_parameters(net), "macs": conv_macs(net, (3, net.size, net.size)),
              "val_per_source": per_source(p, y_va, s_va, names, threshold["accept"])}
    return {"net": net, "ckpt": ckpt, "report": report}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Train the input gate, choose its threshold on validation, export ONNX + manifest.")
    ap.add_argument("--data", default=str(GD.DEFAULT_OUT))
    ap.add_argument("--out", default=str(MODEL_DIR / "runs" / "gate"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1: the cores are shared; more oversubscribe)")
    ap.add_argument("--width", type=int, default=24)
    ap.add_argument("--ema", type=float, default=0.0, help="judge and keep an exponential moving average of the weights (0: off)")
    ap.add_argument("--rethreshold", default=None, metavar="CHECKPOINT",
                    help="no training: choose CHECKPOINT's threshold again on the current validation split, then save and export")
    ap.add_argument("--no-export", action="store_true", help="keep the checkpoint only (no ONNX, no manifest)")
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not (data / "train.npz").exists():
        raise SystemExit(f"no gate data in {data}: run `npm run data:gate` first")
    if args.rethreshold:
        r = rethreshold(data, Path(args.rethreshold), Path(args.out))
    else:
        r = train(data, Path(args.out), args.seed, args.epochs, args.batch, args.lr, args.threads, args.width, ema=args.ema)
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "train.json").write_text(json.dumps(r["report"], indent=2) + "\n")
    print("threshold", json.dumps(r["report"]["threshold"]))
    if not args.no_export:
        m = GE.write(r["net"], r["ckpt"])
        print(f"wrote {GE.ONNX_PATH} ({m['model']['bytes']} bytes) and {GE.MANIFEST_PATH}; run `npm run evaluate:gate` next")


if __name__ == "__main__":
    main()
