"""Chooses the exported gate's unsure band on the validation split (gate_train.choose_band, scored by the .onnx itself
in onnxruntime-node) and writes its edge into the manifest as thresholds.uncertain: accepted images scoring under it
are marked uncertain (reason input_unsure) by every runtime. Weights and acceptance threshold stay as they are, so a
shipped gate gets its band without its training checkpoint. `npm run evaluate:gate` then reports the test split."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from . import gate_data as GD
from . import gate_export as GE
from .gate_evaluate import onnx_scores
from .gate_train import REPORT_DIR, choose_band, per_source


def apply_band(data: Path, version: str, manifest_path: Path = GE.MANIFEST_PATH, onnx: Path = GE.ONNX_PATH) -> dict:
    manifest = json.loads(manifest_path.read_text())
    accept = float(manifest["thresholds"]["accept"])
    x, y, src, names = GD.load(data, "val")
    p = onnx_scores(onnx, x)
    band = choose_band(p, y, accept)
    manifest["version"] = version
    manifest["thresholds"]["uncertain"] = band["uncertain"]
    manifest["training"]["band"] = (f"unsure band chosen on {len(y)} validation images by `npm run band:gate -- --version "
                                    f"{version}` ({band['band_rule']})")
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    # The reports keep the threshold record (and the validation table) the card is written from.
    for name in ("metrics.json", "train.json"):
        path = REPORT_DIR / name
        if path.exists():
            report = json.loads(path.read_text())
            report["threshold"] = {**report.get("threshold", {}), **band}
            report["val_per_source"] = per_source(p, y, src, names, accept, band["uncertain"])
            report.setdefault("training", manifest["training"])["band"] = manifest["training"]["band"]
            path.write_text(json.dumps(report, indent=2) + "\n")
    return band


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Choose the exported gate's unsure band on validation; write it to the manifest.")
    ap.add_argument("--data", default=str(GD.DEFAULT_OUT))
    ap.add_argument("--version", required=True, help="the manifest's new version (the band changes what the gate answers)")
    args = ap.parse_args(argv)
    band = apply_band(Path(args.data), args.version)
    print(json.dumps(band, indent=1))


if __name__ == "__main__":
    main()
