"""Export a trained checkpoint to ONNX (opset 17, dynamic batch, logits/probabilities/cam) and write its manifest."""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from . import LABELS, NOTICE
from .familiarity import Familiarity
from .models import ExportWrapper, build, count_parameters

MODEL_DIR = Path(__file__).resolve().parents[1]
OPSET = 17


def load_checkpoint(path: str | Path):
    ckpt = torch.load(path, map_location="cpu")
    net = build(ckpt["arch"])
    net.load_state_dict(ckpt["state_dict"])
    net.eval()
    return net, ckpt


def familiarity_module(ckpt: dict) -> Familiarity | None:
    fam = ckpt.get("familiarity")
    return Familiarity(fam["means"], fam["chol"]) if fam else None


def export_onnx(net: torch.nn.Module, out: str | Path, familiarity: Familiarity | None = None) -> None:
    """ONNX with logits, probabilities and cam; with `familiarity` also the pooled `features` (N x D) and their
    Mahalanobis distance `familiarity` (N), its means and Cholesky factor baked in as initializers."""
    wrapper = ExportWrapper(net, familiarity).eval()
    dummy = torch.zeros(2, net.channels, net.size, net.size)
    names = ["logits", "probabilities", "cam"] + (["features", "familiarity"] if familiarity is not None else [])
    torch.onnx.export(
        wrapper,
        dummy,
        str(out),
        input_names=["image"],
        output_names=names,
        dynamic_axes={"image": {0: "N"}, **{n: {0: "N"} for n in names}},
        opset_version=OPSET,
        do_constant_folding=True,
    )


def sha256_of(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def model_entry(onnx_path: Path, architecture: str, net: torch.nn.Module) -> dict:
    """The manifest's `model` block, shared by the classifier and the gate: the file, its hash and size, the network."""
    return {
        "file": onnx_path.name,
        "sha256": sha256_of(onnx_path),
        "bytes": onnx_path.stat().st_size,
        "opset": OPSET,
        "architecture": architecture,
        "parameters": count_parameters(net),
    }


def build_manifest(net, ckpt: dict, onnx_path: Path, name: str, metrics: dict | None = None) -> dict:
    size = net.size
    with torch.no_grad():
        _, cam = net.forward_with_cam(torch.zeros(1, net.channels, size, size))
    arch = ckpt["arch"]
    fam = ckpt.get("familiarity")
    manifest = {
        "schema": "brain-mri-manifest/1",
        "name": name,
        "version": ckpt.get("version", "0.1.0"),
        "description": (
            f"{arch} CNN classifying a brain MRI slice as glioma, meningioma, normal or pituitary tumour, "
            "with class-activation maps computed in the graph."
        ),
        "notice": NOTICE,
        "model": model_entry(onnx_path, arch, net),
        "labels": list(LABELS),
        "input": {
            "name": "image",
            "shape": [None, net.channels, size, size],
            "layout": "NCHW",
            "dtype": "float32",
            "channels": net.channels,
        },
        "preprocessing": {"resize": {"width": size, "height": size, "filter": "bilinear-antialias"}, **net.norm},
        "outputs": {"logits": "logits", "probabilities": "probabilities", "cam": "cam",
                    **({"features": "features", "familiarity": "familiarity"} if fam else {})},
        "cam": {"width": int(cam.shape[3]), "height": int(cam.shape[2]), "method": "cam" if arch == "edge" else "grad-cam"},
        "thresholds": {"uncertain": 0.6},
        "training": ckpt["training"],
        "card": "MODEL_CARD.md",
    }
    if fam:
        manifest["familiarity"] = {"method": fam["method"], "threshold": round(float(fam["threshold"]), 4),
                                   "higher_is_unfamiliar": True, "calibration": fam["calibration"],
                                   "features": int(np.asarray(fam["means"]).shape[1])}
    if metrics:
        manifest["metrics"] = metrics
    return manifest


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Export a checkpoint to ONNX with in-graph CAM and write its manifest.")
    ap.add_argument("--checkpoint", default=str(MODEL_DIR / "runs" / "edge" / "best.pt"))
    ap.add_argument("--out", default=None, help="output .onnx (default model/brain-mri-<arch>.onnx)")
    ap.add_argument("--metrics", default=None, help="metrics.json to embed (default: the run's reports, if present)")
    args = ap.parse_args(argv)
    net, ckpt = load_checkpoint(args.checkpoint)
    arch = ckpt["arch"]
    out = Path(args.out) if args.out else MODEL_DIR / f"brain-mri-{arch}.onnx"
    out.parent.mkdir(parents=True, exist_ok=True)
    export_onnx(net, out, familiarity_module(ckpt))
    metrics = None
    mpath = Path(args.metrics) if args.metrics else MODEL_DIR / "reports" / arch / "metrics.json"
    if mpath.exists():
        metrics = json.loads(mpath.read_text())["summary"]
    manifest = build_manifest(net, ckpt, out, f"brain-mri-{arch}", metrics)
    stem = out.name[: -len(".onnx")] if out.name.endswith(".onnx") else out.name
    mfile = out.parent / (stem + ".manifest.json")
    mfile.write_text(json.dumps(manifest, indent=2) + "\n")
    if metrics and arch == "edge" and out.resolve() == (MODEL_DIR / "brain-mri-edge.onnx").resolve():
        from .card import write_card
        write_card(json.loads(mpath.read_text()), manifest, MODEL_DIR / "MODEL_CARD.md")
    print(f"wrote {out} ({out.stat().st_size} bytes, sha256 {manifest['model']['sha256'][:12]}...) and {mfile}")


if __name__ == "__main__":
    main()
