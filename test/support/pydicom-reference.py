"""Reference pixels for the DICOM conformance test: what pydicom reads from each file, after the modality LUT.

Usage: pydicom-reference.py OUT_DIR FILE...  writes OUT_DIR/index.json and OUT_DIR/<n>.f64 (all frames, float64, C order).
Files pydicom cannot decompress itself here (JPEG-LS, JPEG lossless, 12-bit JPEG need codecs Debian's pydicom lacks)
are first decompressed with dcmtk's dcmdjpls / dcmdjpeg, the IJG reference codecs, then read by pydicom.
"""
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut, convert_color_space

warnings.simplefilter("ignore")

DCMTK = {
    "1.2.840.10008.1.2.4.80": "dcmdjpls",
    "1.2.840.10008.1.2.4.81": "dcmdjpls",
    "1.2.840.10008.1.2.4.51": "dcmdjpeg",
    "1.2.840.10008.1.2.4.57": "dcmdjpeg",
    "1.2.840.10008.1.2.4.70": "dcmdjpeg",
}


def pixels(path):
    ds = pydicom.dcmread(path, force=True)
    ts = str(getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", "") or "")
    via = "pydicom"
    if ts in DCMTK:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "raw.dcm")
            subprocess.run([DCMTK[ts], path, out], check=True, capture_output=True)
            ds = pydicom.dcmread(out, force=True)
            arr = ds.pixel_array
        via = DCMTK[ts]
    else:
        arr = ds.pixel_array
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    spp = int(ds.get("SamplesPerPixel", 1))
    pi = str(ds.get("PhotometricInterpretation", ""))
    if frames == 1:
        arr = arr[None]
    if spp == 1:
        arr = np.stack([apply_modality_lut(f, ds) for f in arr]).astype(np.float64)
    else:
        # dcmtk's decompressors and pydicom's JPEG handler hand back what the codestream holds; YBR is converted here.
        if pi.startswith("YBR_FULL"):
            arr = np.stack([convert_color_space(f, pi, "RGB") for f in arr])
        arr = arr.astype(np.float64)
    return arr, frames, spp, pi, via, ts


def main():
    out_dir, files = sys.argv[1], sys.argv[2:]
    index = []
    for n, path in enumerate(files):
        entry = {"file": path}
        try:
            arr, frames, spp, pi, via, ts = pixels(path)
            arr.tofile(os.path.join(out_dir, f"{n}.f64"))
            entry.update(ok=True, data=f"{n}.f64", frames=frames, rows=arr.shape[1], columns=arr.shape[2], channels=spp,
                         photometric=pi, via=via, transferSyntax=ts)
        except Exception as exc:  # noqa: BLE001 - the test reports what pydicom said
            entry.update(ok=False, error=f"{type(exc).__name__}: {str(exc)[:200]}")
        index.append(entry)
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump(index, f, indent=1)


if __name__ == "__main__":
    main()
