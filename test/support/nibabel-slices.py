"""Reference NIfTI slices, cut the way model/brainmri/anatomy.py cuts the training slices.

Usage: nibabel-slices.py OUT_DIR JSON  where JSON is [{"file", "plane", "slice", "qform_only"?}]; writes OUT_DIR/<n>.f64
(rows x columns, float64) and OUT_DIR/index.json ([{"rows", "columns", "slices"}]).
"""
import json
import os
import sys

import nibabel as nib
import numpy as np

AXIS_OF = {"sagittal": 0, "coronal": 1, "axial": 2}


def main():
    out_dir, requests = sys.argv[1], json.loads(sys.argv[2])
    index = []
    for n, r in enumerate(requests):
        img = nib.load(r["file"])
        if r.get("qform_only"):
            img.set_sform(None, code=0)
        img = nib.as_closest_canonical(img)
        vol = np.asarray(img.dataobj, dtype=np.float64)
        if vol.ndim == 4:
            vol = vol[..., 0]
        axis = AXIS_OF[r["plane"]]
        a = np.take(vol, r["slice"], axis=axis)
        cut = np.ascontiguousarray(a.T[::-1])  # anatomy.py: rows superior (or anterior) at the top
        cut.tofile(os.path.join(out_dir, f"{n}.f64"))
        index.append({"rows": cut.shape[0], "columns": cut.shape[1], "slices": vol.shape[axis]})
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump(index, f)


if __name__ == "__main__":
    main()
