"""Shared helpers for the model tests: repo paths, running ONNX in onnxruntime-node, the TypeScript manifest schema."""
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


def typescript_schema_errors(manifest: Path) -> tuple[int, str]:
    """Exit code and stderr of validating `manifest` with the runtimes' own zod schema (src/core/manifest.ts)."""
    script = (
        "import { readFileSync } from 'node:fs';\n"
        f"import {{ manifestSchema }} from {json.dumps(str(ROOT / 'src' / 'core' / 'manifest.ts'))};\n"
        f"const r = manifestSchema.safeParse(JSON.parse(readFileSync({json.dumps(str(manifest))}, 'utf8')));\n"
        "if (!r.success) { console.error(JSON.stringify(r.error.issues)); process.exit(1); }\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "check.ts"
        f.write_text(script)
        res = subprocess.run([str(ROOT / "node_modules" / ".bin" / "tsx"), str(f)], cwd=ROOT, capture_output=True, text=True)
    return res.returncode, res.stderr
