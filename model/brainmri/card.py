"""Writes model/MODEL_CARD.md from the evaluation report, so the card's numbers are always the measured ones."""
from __future__ import annotations

import json
from pathlib import Path

from . import LABELS, NOTICE

TARGETS = {"accuracy": (">=", 0.97), "roc_auc_macro_ovr": (">=", 0.99), "ece": ("<=", 0.03), "pointing_game": (">=", 0.85)}


def _fmt(v) -> str:
    return "n/a" if v is None else f"{v:.4f}" if isinstance(v, float) else str(v)


def write_card(report: dict, manifest: dict | None, out: Path, reports_rel: str = "reports/edge") -> Path:
    s = report["summary"]
    t = report["training"]
    rows = []
    for key, label in (("accuracy", "accuracy"), ("precision_weighted", "precision (weighted)"),
                       ("recall_weighted", "recall (weighted)"), ("f1_weighted", "F1 (weighted)"), ("mcc", "Matthews correlation"),
                       ("roc_auc_macro_ovr", "ROC AUC (macro, one-vs-rest)"), ("ece", "expected calibration error (15 bins)"),
                       ("pointing_game", "pointing game (tumour classes)")):
        target = TARGETS.get(key)
        ok = ""
        if target and s.get(key) is not None:
            op, val = target
            ok = f"{op} {val}: " + ("met" if (s[key] >= val if op == ">=" else s[key] <= val) else "NOT met")
        rows.append(f"| {label} | {_fmt(s.get(key))} | {ok} |")
    per_class = "\n".join(
        f"| {k} | {v['precision']:.4f} | {v['recall']:.4f} | {v['f1-score']:.4f} | {int(v['support'])} | "
        f"{_fmt(report['pointing_game_per_class'].get(k))} |" for k, v in report["per_class"].items())
    cm = report["confusion_matrix"]["rows_actual_cols_predicted"]
    cm_rows = "\n".join(f"| **{LABELS[i]}** | " + " | ".join(str(c) for c in row) + " |" for i, row in enumerate(cm))
    m = manifest or {}
    model = m.get("model", {})
    cam_h, cam_w = m.get("cam", {}).get("height", "h"), m.get("cam", {}).get("width", "w")
    gmac = (report.get("macs") or 0) / 1e9
    size = report["input_size"]
    data = report["data"]
    chain, node = [], t
    while node:
        chain.append(node)
        node = node.get("resumed_from")
    total = sum(float(n.get("seconds") or 0) for n in chain)
    resumed = ""
    if len(chain) > 1:
        resumed = (f" This run resumed from earlier runs ({' + '.join(str(n.get('epochs')) for n in reversed(chain))} epochs, "
                   f"{' + '.join(str(n.get('seconds')) for n in reversed(chain))} s = {total:.0f} s in all; commands: "
                   + "; ".join(f"`{n.get('command')}`" for n in reversed(chain) if n.get("command")) + ").")
    loc = ""
    if t.get("location_loss"):
        loc = (f"a location loss (weight {t['location_loss']}) on the generated lesion masks: cells of the class map on a "
               "lesion should name its class, with evidence that still decides the image after global average pooling divides it by "
               "the lesion's share of the map, and cells off it should carry no class evidence"
               + (" (that pooled term weighted by the inverse of the lesion's share, so small lesions are pulled as hard as "
                  "large ones)" if t.get("size_balanced") else "") + "; ")
    bal = ""
    if t.get("balance"):
        bal = (f"training images drawn with weights count^-{t['balance']['power']:g} over `metadata.csv`'s "
               f"`{t['balance']['column']}` column (rarer acquisitions such as native T1 drawn more often; the test mix is "
               "left as generated); ")
    prog = ""
    if t.get("progressive"):
        prog = ("progressive resizing (" + ", then ".join(f"{p['size']} px to {p['until']:.0%} of the epochs" for p in t["progressive"])
                + f", then {size} px; the small early steps cost a half to a quarter as much); ")
    text = f"""# Model card: brain-mri-edge (demonstration)

> **{NOTICE}**

## What it is
A {model.get('parameters', report.get('parameters'))}-parameter convolutional network (`edge` architecture: two 3x3
stride-2 stem convolutions, five more 3x3 conv + batch-norm + ReLU blocks at 1/4, 1/8 and 1/16 of the input side, the
1/8 features concatenated with the upsampled 1/16 ones, global average pooling, one linear layer) that labels one 2-D brain MRI slice as
**glioma, meningioma, normal or pituitary** tumour and returns, in the same forward pass, a {cam_h} x {cam_w}
class-activation map for every class. ONNX opset {model.get('opset', 17)}, {model.get('bytes', 'n/a')} bytes, about
{gmac * 2:.2f} GFLOP ({gmac:.2f} GMAC) per {size} x {size} image (the scan is resized to {size} x {size} first). Input, preprocessing and outputs are described by [brain-mri-edge.manifest.json](brain-mri-edge.manifest.json)
([schema](MANIFEST.md)).

## Intended use
Demonstrating and testing the serving pipeline (Node, Cloudflare Workers, offline kiosk): realistic inputs, outputs,
latencies and heatmaps. **Not** for diagnosis, triage, screening or any decision about a person. It has never seen a real
tumour.

## Training data
Synthetic, made by `npm run data` (model/brainmri/generate.py) from **one real brain**: the Colin27 T1 volume (Holmes et al.
1998, as shipped in Debian's `mricron-data`, BSD-3-clause; see [licenses/](licenses/)). Slices in three planes at many
depths, randomly rotated, scaled, shifted, flipped and elastically deformed; four contrasts (T1, contrast-enhanced T1,
T2-like, FLAIR-like by tissue-intensity remapping); bias field, Rician noise, blur or lower resolution, gamma, matrix size
200 to 512 px, JPEG quality 65 to 95. Lesions are drawn with anatomical priors and a ground-truth mask: glioma in white
matter (irregular, necrotic core, enhancing rim, oedema, mass effect), meningioma attached to the dura of the convexity, falx
or skull base and at least 15 mm from the sella (round, homogeneous, dural tail, compressing cortex), pituitary adenoma in the sella (round or snowman, 1.2 to 3 cm).
A quarter of the normal scans are cut through the sella too, so the slice level alone does not give the class away.
Every image comes from the same anatomy, so **performance here says nothing about real scans** of other people.

Split ({data.get('layout')}; exact and near duplicates kept within one split, {data.get('duplicate_groups')} groups found):
train {t['images'].get('train')}, validation {t['images'].get('val')}, test {t['images'].get('test')} images, balanced over the four classes.

## Training
`{t.get('command', 'npm run train -- --arch edge --data data/brain-mri')}`: {t.get('optimizer')}; augmentation: random flip,
rotation (+-15 degrees), scale, shift, gamma, contrast, brightness and noise; {bal}{prog}{loc}early stopping on validation loss (best
checkpoint kept, best epoch {t.get('best_epoch')} of {t.get('epochs')}); temperature scaling fitted on validation
(T = {t.get('temperature')}) and baked into the last layer, so the exported logits and probabilities are calibrated.
Wall time {t.get('seconds')} s on {t.get('threads')} CPU threads (shared 2-core machine), seed {t.get('seed')}.{resumed}

## Test metrics ({s['test_images']} held-out generated images)
| metric | value | target |
| --- | --- | --- |
{chr(10).join(rows)}

Per class:

| class | precision | recall | F1 | support | pointing game |
| --- | --- | --- | --- | --- | --- |
{per_class}

Confusion matrix (rows actual, columns predicted):

| | {' | '.join(LABELS)} |
| --- | --- | --- | --- | --- |
{cm_rows}

ROC AUC is computed one-vs-rest from the probabilities for each class and averaged (macro). ECE bins the top
probability into 15 equal bins. The pointing game counts a hit when the peak of the true class's map (ReLU, upsampled
bilinearly to the image) falls inside the lesion mask (tumour or its oedema), over {report['pointing_game_images']} tumour
test images.

![training curves]({reports_rel}/curves.png)
![confusion matrix]({reports_rel}/confusion_matrix.png)
![test images]({reports_rel}/test_grid.png)
![heatmaps]({reports_rel}/cam_grid.png)

## Heatmaps
`cam[n, c] = sum_k W[c, k] A_k / (h w)` over the feature map A the head pools ({cam_h} x {cam_w}). For a global-average-pooling + linear head
this is exactly Grad-CAM: d logit_c / d A_k = W[c, k] / (h w) at every position, so Grad-CAM's channel weights are
W[c, k] / (h w) and its map is the one above (also `logits = spatial sum of cam + bias`). A test checks the exported
maps against PyTorch autograd Grad-CAM. The heatmap shows where the evidence for a class lies in this model; it is not a
segmentation.

## Limitations
One anatomy; synthetic lesions whose appearance is a simplification; no real artefacts (motion, wrap-around,
susceptibility); a 2-D slice classifier with no patient context. Parasellar meningiomas, the classic mimic of a
pituitary macroadenoma, are not generated, so the model has never had to tell the two apart. Expect it to fail on real
data. The `seed` architecture
(the paper's model) can be trained with `npm run train -- --arch seed` but is not shipped (31 M parameters, 126 MB).

## Retraining on real data
Put a public dataset in either layout (`Training/` and `Testing/` with `glioma`, `meningioma`, `notumor`, `pituitary`, or
`glioma_tumor`, `meningioma_tumor`, `no_tumor`, `pituitary_tumor`; or one folder of class folders for an 80/10/10 split),
then `npm run train -- --arch edge --data DIR`, `npm run evaluate`, `npm run export`. The loader reports and contains
duplicate images (exact and near) within one split and names unreadable files. Without masks the pointing game is
reported as n/a.
"""
    from .gate_card import keep_gate_section  # the input gate's section (npm run evaluate:gate) survives a rewrite
    out.write_text(keep_gate_section(out, text))
    return out


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    report = json.loads((root / "reports" / "edge" / "metrics.json").read_text())
    mpath = root / "brain-mri-edge.manifest.json"
    manifest = json.loads(mpath.read_text()) if mpath.exists() else None
    print(f"wrote {write_card(report, manifest, root / 'MODEL_CARD.md')}")


if __name__ == "__main__":
    main()
