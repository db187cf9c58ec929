"""Shared helpers for the model tests: repo paths and running ONNX in onnxruntime-node."""
from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def ort_run(onnx: Path, x: np.ndarray) -> dict:
    """Outputs of `onnx` on `x` computed by onnxruntime-node (scripts/ort-run.mjs)."""
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.f32"
        np.ascontiguousarray(x, dtype="<f4").tofile(inp)
        shape = ",".join(str(d) for d in x.shape)
        subprocess.run(["node", str(ROOT / "scripts" / "ort-run.mjs"), str(onnx), str(inp), shape, tmp],
                       check=True, capture_output=True, cwd=ROOT)
        meta = json.loads((Path(tmp) / "outputs.json").read_text())
        return {name: np.fromfile(Path(tmp) / f"{name}.f32", dtype="<f4").reshape(dims)
                for name, dims in meta["outputs"].items()}
