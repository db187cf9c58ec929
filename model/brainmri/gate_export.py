"""Exports the input gate to ONNX (opset 17, dynamic batch, logits + probabilities) and writes its manifest
(schema brain-mri-manifest/1 with "task": "gate" and thresholds.accept; see model/MANIFEST.md)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from .gate_model import MEAN, SCALE, STD, GateExport, GateNet
from .gate_sources import GATE_LABELS
from .export import OPSET, model_entry

MODEL_DIR = Path(__file__).resolve().parents[1]
ONNX_PATH = MODEL_DIR / "brain-mri-gate.onnx"
MANIFEST_PATH = MODEL_DIR / "brain-mri-gate.manifest.json"
CHECKPOINT = MODEL_DIR / "runs" / "gate" / "best.pt"
NOTICE = ("Demonstration input check: it says whether an image looks like a brain MRI slice before the classifier runs. "
          "Trained on generated slices over the few brain volumes in Debian packages and on images from Debian packages; "
          "not a medical device.")


def load_checkpoint(path: str | Path = CHECKPOINT):
    ckpt = torch.load(path, map_location="cpu")
    net = GateNet(width=ckpt.get("width", 24))
    net.load_state_dict(ckpt["state_dict"])
    net.eval()
    return net, ckpt


def export_onnx(net: torch.nn.Module, out: str | Path) -> None:
    wrapper = GateExport(net).eval()
    torch.onnx.export(
        wrapper, torch.zeros(2, net.channels, net.size, net.size), str(out),
        input_names=["image"], output_names=["logits", "probabilities"],
        dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}, "probabilities": {0: "N"}},
        opset_version=OPSET, do_constant_folding=True)


def build_manifest(net: GateNet, ckpt: dict, onnx_path: Path, metrics: dict | None = None) -> dict:
    size = net.size
    accept = float(ckpt["threshold"]["accept"])
    m = {
        "schema": "brain-mri-manifest/1",
        "name": "brain-mri-gate",
        "task": "gate",
        "version": ckpt.get("version", "0.2.0"),
        "description": "tiny RGB CNN that answers whether an image is a brain MRI slice (brain_mri) or not (other), "
                       "run before the classifier so that photographs, documents, other modalities and crops are refused.",
        "notice": NOTICE,
        "model": model_entry(onnx_path, net.arch, net),
        "labels": list(GATE_LABELS),
        "input": {"name": "image", "shape": [None, net.channels, size, size], "layout": "NCHW", "dtype": "float32",
                  "channels": net.channels},
        "preprocessing": {"resize": {"width": size, "height": size, "filter": "bilinear-antialias"}, "color": "rgb",
                          "scale": SCALE, "mean": [MEAN] * 3, "std": [STD] * 3},
        "outputs": {"logits": "logits", "probabilities": "probabilities"},
        # accept: p(brain_mri) at or above which the input goes on to the classifier; uncertain: accepted inputs under
        # it are marked uncertain (reason input_unsure). Equal to accept (no band) for checkpoints from before 0.5.1.
        "thresholds": {"accept": accept, "uncertain": float(ckpt["threshold"].get("uncertain", accept))},
        "training": ckpt["training"],
        "card": "GATE_CARD.md",
    }
    if metrics:
        m["metrics"] = metrics
    return m


def write(net: GateNet, ckpt: dict, onnx_path: Path = ONNX_PATH, manifest_path: Path = MANIFEST_PATH,
          metrics: dict | None = None) -> dict:
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    export_onnx(net, onnx_path)
    manifest = build_manifest(net, ckpt, onnx_path, metrics)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Export the gate checkpoint to ONNX and write its manifest.")
    ap.add_argument("--checkpoint", default=str(CHECKPOINT))
    ap.add_argument("--out", default=str(ONNX_PATH))
    args = ap.parse_args(argv)
    net, ckpt = load_checkpoint(args.checkpoint)
    out = Path(args.out)
    # test metrics belong to one exported graph: `npm run evaluate:gate` adds them again
    m = write(net, ckpt, out, out.with_name(out.name.replace(".onnx", ".manifest.json")))
    print(f"wrote {out} ({m['model']['bytes']} bytes, sha256 {m['model']['sha256'][:12]}...)")


if __name__ == "__main__":
    main()
