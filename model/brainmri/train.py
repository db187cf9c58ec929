"""Deterministic training: AdamW, geometric + intensity augmentation, early stopping on validation loss, best checkpoint,
then temperature scaling on validation baked into the last layer (so exported logits are calibrated)."""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from . import LABELS
from .data import load_cached, metadata_column, parse_selector
from . import familiarity as FAM
from .calibration import MODES as CALIBRATIONS, bake, calibrate_logits, fit_temperature, unbake  # noqa: F401 (re-exported)
from .models import build, count_parameters, to_input
from .progress import Progress

MODEL_DIR = Path(__file__).resolve().parents[1]
DEFAULT_DATA = MODEL_DIR.parent / "data" / "brain-mri"


def set_determinism(seed: int, threads: int | None) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads or max(1, min(len(os.sched_getaffinity(0)), 8)))


def intensity_curve(x: torch.Tensor, g: torch.Generator, p: float, knots: int = 4) -> torch.Tensor:
    """With probability p per image, a random increasing piecewise-linear remap of 0..255: tissue contrasts vary
    between scanners and sequences, and the rarer ones (native T1, T2) should not be learnt from few examples only."""
    n = x.shape[0]
    inc = torch.rand(n, knots, generator=g) + 0.35
    ys = torch.cat([torch.zeros(n, 1), inc.cumsum(1)], 1)
    ys = ys / ys[:, -1:]
    use = torch.rand(n, generator=g) < p
    xs = (x / 255.0).clamp(0, 1).flatten(1) * knots
    i = xs.floor().clamp(max=knots - 1).long()
    f = xs - i
    y0, y1 = ys.gather(1, i), ys.gather(1, i + 1)
    curved = ((y0 + f * (y1 - y0)) * 255.0).view_as(x)
    return torch.where(use.view(n, 1, 1, 1), curved, x)


def invert_head(x: torch.Tensor, g: torch.Generator, p: float) -> torch.Tensor:
    """With probability p per image, invert intensities inside the head (the air stays black). Inverted T1 looks like
    T2 (bright fluid and lesions, dark white matter) and inverted T2 like T1, so the rarer contrasts share what the
    others teach: native-T1 lesions, only a tenth of the data, were the ones missed most."""
    n = x.shape[0]
    use = (torch.rand(n, generator=g) < p).view(n, 1, 1, 1)
    head = F.avg_pool2d(x, 5, stride=1, padding=2) > 12.0
    return torch.where(use & head, 255.0 - x, x)


def affine_grid(theta: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """F.affine_grid(theta, (N, 1, h, w), align_corners=False) by broadcasting: the same sampling grid, without the
    batched matrix product that made up a third of the augmentation's time on the CPU."""
    ys = (torch.arange(h, dtype=theta.dtype) * 2 + 1) / h - 1
    xs = (torch.arange(w, dtype=theta.dtype) * 2 + 1) / w - 1
    t = theta.reshape(-1, 6, 1, 1)
    gx = t[:, 0] * xs.view(1, 1, w) + t[:, 1] * ys.view(1, h, 1) + t[:, 2]
    gy = t[:, 3] * xs.view(1, 1, w) + t[:, 4] * ys.view(1, h, 1) + t[:, 5]
    return torch.stack([gx, gy], dim=3)


def augment(raw: torch.Tensor, g: torch.Generator, mask: torch.Tensor | None = None, curves: float = 0.0,
            size: int | None = None, invert: float = 0.0):
    """The paper's random flip and rotation, plus small scale/shift and intensity changes (gamma, contrast, noise,
    optionally random tone curves). With `mask` (N x 1 x h x w lesion fractions) returns (image, mask) moved by the same
    geometric transform."""
    n = raw.shape[0]
    u = lambda lo, hi, *shape: lo + (hi - lo) * torch.rand(*(shape or (n,)), generator=g)  # noqa: E731
    flip = torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0)
    ang = u(-0.26, 0.26)  # about 15 degrees
    sc = u(0.9, 1.1)
    tx, ty = u(-0.06, 0.06), u(-0.06, 0.06)
    cos, sin = torch.cos(ang) / sc, torch.sin(ang) / sc
    theta = torch.stack([torch.stack([cos * flip, -sin, tx], 1), torch.stack([sin * flip, cos, ty], 1)], 1)
    out_h, out_w = size or raw.shape[2], size or raw.shape[3]
    grid = affine_grid(theta, out_h, out_w)
    x = F.grid_sample(raw, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    if mask is not None:
        mgrid = grid if mask.shape[2:] == (out_h, out_w) else affine_grid(theta, mask.shape[2], mask.shape[3])
        mask = F.grid_sample(mask, mgrid, mode="bilinear", padding_mode="zeros", align_corners=False)
    gamma = torch.exp(u(-0.2, 0.2)).view(n, 1, 1, 1)
    x = 255.0 * (x.clamp(0, 255) / 255.0) ** gamma
    if curves > 0:
        x = intensity_curve(x, g, curves)
    if invert > 0:
        x = invert_head(x, g, invert)
    x = x * u(0.9, 1.1).view(n, 1, 1, 1) + u(-5, 5).view(n, 1, 1, 1)
    x = x + torch.randn(x.shape, generator=g) * u(0, 3).view(n, 1, 1, 1)
    x = x.clamp(0, 255)
    return (x, mask) if mask is not None else x


def parse_progressive(text: str) -> list[tuple[int, float]]:
    stages = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            size, until = part.split(":")
            stages.append((int(size), float(until)))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{part!r}: expected SIZE:UNTIL, for example 128:0.5 (128 px for the first half)")
    if any(not 0 < u <= 1 or sz < 32 for sz, u in stages) or [u for _, u in stages] != sorted(u for _, u in stages):
        raise argparse.ArgumentTypeError(f"{text!r}: sizes must be >= 32 and UNTIL fractions increasing within (0, 1]")
    return stages


def input_size(stages: list[tuple[int, float]], epoch: int, epochs: int) -> int | None:
    """Progressive resizing: early epochs learn the coarse task on smaller, cheaper inputs (a 128 px step costs about a
    quarter of a 256 px one), the last ones adapt to the full size. None means full size."""
    for size, until in stages:
        if epoch <= round(until * epochs):
            return size
    return None


def parse_balance(text: str) -> tuple[str, float] | None:
    if not text:
        return None
    column, _, power = text.partition(":")
    try:
        p = float(power) if power else 1.0
    except ValueError:
        p = -1.0
    if not column or not 0 < p <= 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected COLUMN[:POWER] with POWER in (0, 1], for example contrast:0.75")
    return column, p


def balance_weights(paths: list[str], root: str | Path, column: str, power: float) -> tuple[np.ndarray, list[str]]:
    """Per-image sampling weights (summing to 1) and each image's value: weights count(value) ** -power over a metadata.csv column: power 1 draws every value (say
    each contrast) equally often, smaller powers flatten the mix part of the way. Native-T1 scans are a tenth of the
    generated data but most of the missed lesions; drawing them more often costs nothing at inference and leaves the
    held-out test mix as generated."""
    meta = Path(root) / "metadata.csv"
    if not meta.is_file():
        raise SystemExit(f"--balance {column}: {meta} not found; balancing needs a metadata.csv with 'file' and "
                         f"'{column}' columns (the generator writes one)")
    with meta.open(newline="") as f:
        rows = {r["file"]: r for r in csv.DictReader(f)}
    values = []
    for p in paths:
        r = rows.get(Path(p).relative_to(root).as_posix())
        if r is None or column not in r:
            raise SystemExit(f"--balance {column}: {p} has no '{column}' in {meta}; columns there: "
                             f"{', '.join(next(iter(rows.values()), {}).keys())}")
        values.append(r[column])
    _, inv, counts = np.unique(values, return_inverse=True, return_counts=True)
    w = counts[inv].astype(np.float64) ** -power
    return w / w.sum(), values


def location_loss(z: torch.Tensor, bias: torch.Tensor, y: torch.Tensor, mask: torch.Tensor, known: torch.Tensor,
                  scaled_cells: bool = True, size_balanced: bool = False) -> torch.Tensor:
    """Dense supervision of the per-cell class logits z (N x C x h x w, whose spatial mean plus the bias is the image
    logit) where the lesion extent is known (generated data).

    Cells covering a lesion should name its class twice over: on their own logits (cross-entropy, which teaches the
    features early), and with their logits scaled by the lesion's share k / (h w) of the map plus the bias, i.e. with
    evidence that still decides the image after global average pooling (`scaled_cells`). The per-cell term alone is
    satisfied at margins of about 10 while pooling divides a lesion's evidence by (h w) / k, 50 to 500 here: small
    lesions were then outvoted by the bias and called normal. Every cell off the lesion should carry no class evidence
    (its logits equal across classes), so the class-activation map peaks on the lesion and the image decision is the
    bias plus the lesion's evidence.

    `size_balanced`: the pooled-share term's gradient on a cell is the lesion's share times the error, so a lesion a
    tenth the size pulled its cells a tenth as hard, and small lesions stayed under-confident (most missed meningiomas
    were in the smallest quarter, 6 to 9 px radius at 192 px, with per-cell evidence a third of what they needed).
    Dividing that term by each image's share (relative to the batch's mean share) gives every lesion the same pull."""
    n, c, h, w = z.shape
    frac = F.adaptive_avg_pool2d(mask, (h, w))[:, 0]  # N x h x w lesion fraction per cell
    peak = frac.flatten(1).max(1).values.view(n, 1, 1)
    lesion = ((frac >= 0.5 * peak) & (peak > 0)).float() * known.view(n, 1, 1).float()
    background = (frac == 0).float() * known.view(n, 1, 1).float()
    share = lesion.sum(dim=(1, 2)) / (h * w)  # N
    target = y.view(n, 1, 1).expand(n, h, w)
    ce = F.cross_entropy(z, target, reduction="none")
    if scaled_cells:
        pooled = F.cross_entropy(z * share.view(n, 1, 1, 1) + bias.view(1, c, 1, 1), target, reduction="none")
        if size_balanced:
            mean_share = share.sum() / (share > 0).sum().clamp(min=1)
            pooled = pooled * (mean_share / share.clamp(min=1e-6)).detach().view(n, 1, 1)
        ce = ce + pooled
    pos = (ce * lesion).sum() / lesion.sum().clamp(min=1.0)
    spread = (z - z.mean(dim=1, keepdim=True)).pow(2).mean(dim=1)
    neutral = (spread * background).sum() / background.sum().clamp(min=1.0)
    return pos + neutral


def evaluate_logits(net, images: np.ndarray, batch: int = 64, size: int | None = None) -> torch.Tensor:
    """Logits at full size, or with `size` at the smaller input a progressive-resizing epoch trained on."""
    net.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            raw = torch.from_numpy(images[i:i + batch]).unsqueeze(1)
            if size:
                raw = F.interpolate(raw, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
            out.append(net(to_input(raw, net)))
    return torch.cat(out) if out else torch.zeros(0, len(LABELS))


def train(args) -> dict:
    set_determinism(args.seed, args.threads)
    t0 = time.time()
    # Channels-last activations: the CPU convolutions (oneDNN) run about a tenth faster in that layout.
    net = build(args.arch).to(memory_format=torch.channels_last)
    ds = load_cached(args.data, seed=args.seed, size=net.size)
    keep = np.ones(len(ds.paths), bool)
    for column, values in args.exclude:
        held = np.isin(metadata_column(args.data, ds.paths, column), values)
        keep &= ~held
        print(f"held out {column} in {values}: {int(held.sum())} images never seen in training or validation", flush=True)
    xtr, ytr, itr = ds.subset("train", keep)
    xva, yva, _ = ds.subset("val", keep)
    if len(xtr) == 0 or len(xva) == 0:
        raise SystemExit(f"{args.data}: need training and validation images; got {len(xtr)} and {len(xva)}")
    use_masks = ds.masks is not None and args.arch == "edge" and args.mask_loss > 0
    mtr = ds.masks[itr] if use_masks else None
    ktr = ds.has_mask[itr] if use_masks else None
    if args.subsample and args.subsample < len(xtr):
        # A random, seeded share of the training images (the cheap fold recipe): --limit takes the first N, one class.
        pick = np.sort(np.random.default_rng(args.seed).permutation(len(xtr))[: args.subsample])
        xtr, ytr, itr = xtr[pick], ytr[pick], itr[pick]
        mtr = mtr[pick] if use_masks else None
        ktr = ktr[pick] if use_masks else None
        print(f"subsample: {len(xtr)} training images drawn at random", flush=True)
    if args.limit:
        xtr, ytr = xtr[: args.limit], ytr[: args.limit]
        mtr = mtr[: args.limit] if use_masks else None
        ktr = ktr[: args.limit] if use_masks else None
    if use_masks:
        print(f"lesion masks: {int(ktr.sum())} of {len(ktr)} training images; location loss weight {args.mask_loss}", flush=True)
    print(f"data: {json.dumps(ds.report['per_split'])}", flush=True)
    weights = None
    if args.balance:
        column, power = args.balance
        w, values = balance_weights([ds.paths[i] for i in itr[:len(xtr)]], args.data, column, power)
        weights = torch.from_numpy(w)
        shares = {v: round(float(w[np.asarray(values) == v].sum()), 3) for v in sorted(set(values))}
        print(f"balanced sampling over {column} (power {power:g}): expected shares {shares}", flush=True)
    if args.init:
        init = torch.load(args.init, map_location="cpu")
        if init.get("arch") != args.arch:
            raise SystemExit(f"--init {args.init} is a {init.get('arch')} checkpoint, not {args.arch}")
        net.load_state_dict(init["state_dict"])
        unbake(net, init["training"])  # undo the baked calibration: resume from the raw weights
        print(f"initialised from {args.init} (trained {init['training'].get('epochs')} epochs, {init['training'].get('seconds')} s)")
    args.batch = args.batch or 32
    args.head_lr_mult = args.head_lr_mult or (20.0 if args.arch == "edge" else 1.0)
    lr = args.lr or (3e-3 if args.arch == "edge" else 1e-3)
    # The classifier of a GAP head must grow large weights before a small lesion's few cells can outvote the
    # background in the average; Adam moves each weight by about lr per step, so that layer gets a larger rate.
    head = net.classifier
    head_ids = {id(p) for p in head.parameters()}
    groups = [{"params": [p for p in net.parameters() if id(p) not in head_ids], "lr": lr},
              {"params": list(head.parameters()), "lr": lr * args.head_lr_mult}]
    opt = torch.optim.AdamW(groups, lr=lr, weight_decay=args.weight_decay)
    steps_per_epoch = math.ceil(len(xtr) / args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[lr, lr * args.head_lr_mult],
                                                total_steps=args.epochs * steps_per_epoch, pct_start=0.15)
    g = torch.Generator().manual_seed(args.seed)
    out = Path(args.out or MODEL_DIR / "runs" / args.arch)
    out.mkdir(parents=True, exist_ok=True)
    history = []
    best = (float("inf"), -1)
    bad = 0
    ytr_t = torch.from_numpy(ytr)
    yva_t = torch.from_numpy(yva)
    deadline = t0 + args.max_minutes * 60 if args.max_minutes else None
    for epoch in range(1, args.epochs + 1):
        net.train()
        perm = (torch.multinomial(weights, len(xtr), replacement=True, generator=g) if weights is not None
                else torch.randperm(len(xtr), generator=g))
        size = input_size(args.progressive, epoch, args.epochs)
        bar = Progress(steps_per_epoch, f"epoch {epoch:3d}/{args.epochs}" + (f" @{size}px" if size else ""))
        tot, correct, seen = 0.0, 0, 0
        for s in range(steps_per_epoch):
            idx = perm[s * args.batch:(s + 1) * args.batch]
            raw = torch.from_numpy(xtr[idx.numpy()]).unsqueeze(1)
            y = ytr_t[idx]
            if use_masks:
                m = torch.from_numpy(mtr[idx.numpy()]).unsqueeze(1)
                raw, m = augment(raw, g, m, args.curves, size, args.invert)
                a = net.features(to_input(raw, net).contiguous(memory_format=torch.channels_last))
                logits = net.pooled_logits(a)
                z = net.evidence(a)
                loss = F.cross_entropy(logits, y, label_smoothing=args.label_smoothing)
                loss = loss + args.mask_loss * location_loss(z, net.fc.bias, y, m, torch.from_numpy(ktr[idx.numpy()]),
                                                             size_balanced=args.size_balanced)
            else:
                logits = net(to_input(augment(raw, g, curves=args.curves, size=size, invert=args.invert), net))
                loss = F.cross_entropy(logits, y, label_smoothing=args.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss) * len(idx)
            correct += int((logits.argmax(1) == y).sum())
            seen += len(idx)
            bar.update(1, f"loss {tot / seen:.4f} acc {correct / seen:.3f}")
        bar.close()
        # A network trained on smaller inputs is validated at that size: at full size its scale is off and the numbers
        # say nothing (about chance), and validating small is cheaper.
        vl = evaluate_logits(net, xva, size=size)
        val_loss = float(F.cross_entropy(vl, yva_t))
        val_acc = float((vl.argmax(1) == yva_t).float().mean())
        history.append({"epoch": epoch, "loss": tot / seen, "accuracy": correct / seen, "val_loss": val_loss,
                        "val_accuracy": val_acc, "seconds": round(time.time() - t0, 1), "size": size or net.size})
        print(f"epoch {epoch}: loss {tot / seen:.4f} acc {correct / seen:.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f} "
              f"({time.time() - t0:.0f}s)", flush=True)
        if size is None:  # only full-size epochs can be the kept checkpoint or count towards patience
            if val_loss < best[0] - 1e-4:
                best = (val_loss, epoch)
                bad = 0
                torch.save(net.state_dict(), out / "best-weights.pt")
            else:
                bad += 1
                if bad >= args.patience:
                    print(f"early stop: no validation-loss improvement for {args.patience} epochs", flush=True)
                    break
        if deadline and time.time() > deadline:
            print(f"stopping: --max-minutes {args.max_minutes} reached", flush=True)
            break
    if best[1] < 0:  # stopped before any full-size epoch: keep the last weights rather than none
        print("no full-size epoch ran; keeping the last epoch's weights", flush=True)
        best = (history[-1]["val_loss"], history[-1]["epoch"])
        torch.save(net.state_dict(), out / "best-weights.pt")
    net.load_state_dict(torch.load(out / "best-weights.pt"))
    vl = evaluate_logits(net, xva)
    temperature, class_bias = calibrate_logits(vl, yva_t, args.calibrate)
    bake(net, temperature, class_bias if args.calibrate == "bias" else None)
    val_nll = float(F.cross_entropy(evaluate_logits(net, xva), yva_t))
    print(f"calibration ({args.calibrate}) on validation: T {temperature:.4f}, class biases "
          f"{[round(v, 3) for v in class_bias]}, NLL {best[0]:.4f} -> {val_nll:.4f}", flush=True)
    fam = None
    if args.arch == "edge":
        fam = FAM.calibrate(net, xtr, ytr, xva, len(LABELS), args.seed)
        print(f"familiarity: Mahalanobis threshold {fam['threshold']:.3f} ({fam['calibration']})", flush=True)
    seconds = round(time.time() - t0, 1)
    counts = {s: int((ds.split == s).sum()) for s in ("train", "val", "test")}
    training = {
        "data": args.data_description or f"generated synthetic set ({Path(args.data).name}); see MODEL_CARD.md",
        "seed": args.seed,
        "epochs": len(history),
        "best_epoch": best[1],
        "images": counts,
        "seconds": seconds,
        "threads": torch.get_num_threads(),
        "temperature": temperature,
        "class_bias": class_bias if args.calibrate == "bias" else None,
        "calibration": args.calibrate,
        "val_nll_calibrated": round(val_nll, 4),
        "optimizer": f"AdamW lr {lr} (last layer x{args.head_lr_mult:g}) wd {args.weight_decay}, one-cycle, batch {args.batch}",
        "command": "npm run train -- " + " ".join(args.argv),
        "resumed_from": ({"epochs": init["training"].get("epochs"), "seconds": init["training"].get("seconds"),
                          "command": init["training"].get("command"),
                          "resumed_from": init["training"].get("resumed_from")} if args.init else None),
        "location_loss": args.mask_loss if use_masks else 0.0,
        "size_balanced": bool(args.size_balanced),
        "tone_curves": args.curves,
        "invert": args.invert,
        "progressive": [{"size": sz, "until": u} for sz, u in args.progressive],
        "input_size": net.size,
        "balance": {"column": args.balance[0], "power": args.balance[1]} if args.balance else None,
        "held_out": [{"column": c, "values": v} for c, v in args.exclude],
    }
    ckpt = {"arch": args.arch, "state_dict": net.state_dict(), "training": training, "history": history,
            "data_root": str(args.data), "split_seed": args.seed, "parameters": count_parameters(net),
            "familiarity": fam}
    torch.save(ckpt, out / "best.pt")
    (out / "history.json").write_text(json.dumps({"history": history, "training": training, "data": ds.report}, indent=2))
    print(f"best epoch {best[1]} (val loss {best[0]:.4f}), temperature {temperature:.3f}, {seconds:.0f}s; wrote {out / 'best.pt'}")
    return ckpt


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Train the edge or seed brain-MRI classifier.")
    ap.add_argument("--arch", choices=["edge", "seed"], default="edge")
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--patience", type=int, default=10)
    ap.add_argument("--batch", type=int, default=None, help="batch size (the paper: 32)")
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--label-smoothing", type=float, default=0.0)
    ap.add_argument("--mask-loss", type=float, default=0.5,
                    help="weight of the location loss on lesion masks (edge; used when the data has masks/)")
    ap.add_argument("--size-balanced", action="store_true",
                    help="location loss: every lesion's pooled-share term pulls as hard, whatever its size (see location_loss)")
    ap.add_argument("--progressive", default="", type=parse_progressive,
                    help="progressive resizing, SIZE:UNTIL pairs: '128:0.5,192:0.7' trains at 128 px for the first half "
                         "of the epochs, 192 px up to 70 %%, then the full size")
    ap.add_argument("--balance", default="", type=parse_balance,
                    help="COLUMN[:POWER]: draw training images with weights count ** -POWER over a metadata.csv column, "
                         "for example contrast:0.75 (the generator's contrasts are 60 %% contrast-enhanced T1)")
    ap.add_argument("--invert", type=float, default=0.0, help="probability of inverting the head's intensities per image")
    ap.add_argument("--curves", type=float, default=0.0, help="probability of a random tone-curve augmentation per image")
    ap.add_argument("--calibrate", choices=CALIBRATIONS, default="bias",
                    help="post-hoc calibration on validation, baked into the last layer: 'temperature', or 'bias' "
                         "(temperature plus one offset per class; see calibration.fit_temperature_bias)")
    ap.add_argument("--head-lr-mult", type=float, default=None, help="learning-rate multiplier of the last layer (edge 20, seed 1)")
    ap.add_argument("--exclude", action="append", default=[], type=parse_selector,
                    help="COLUMN=VALUE[,VALUE]: leave these images (by metadata.csv) out of training and validation, "
                         "for example anatomy=jhu-eve or contrast=pd (repeatable)")
    ap.add_argument("--init", default=None, help="start from this checkpoint (resume training with a new schedule)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N training images (smoke tests)")
    ap.add_argument("--subsample", type=int, default=0, help="train on N training images drawn at random (cheap recipes)")
    ap.add_argument("--max-minutes", type=float, default=0, help="stop after the epoch that passes this wall time")
    ap.add_argument("--out", default=None, help="run folder (default model/runs/<arch>)")
    ap.add_argument("--data-description", default=None)
    args = ap.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    train(args)


if __name__ == "__main__":
    main()
