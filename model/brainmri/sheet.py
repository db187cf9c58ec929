"""Contact sheet of a generated dataset: a few images per class with the lesion masks outlined."""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from . import LABELS


def outline(mask: np.ndarray) -> np.ndarray:
    m = mask > 0
    inner = m.copy()
    inner[1:-1, 1:-1] = m[1:-1, 1:-1] & m[:-2, 1:-1] & m[2:, 1:-1] & m[1:-1, :-2] & m[1:-1, 2:]
    return m & ~inner


def contact_sheet(root: str | Path, out: str | Path, per_class: int = 8, cell: int = 150) -> Path:
    root = Path(root)
    rows = list(csv.DictReader(open(root / "metadata.csv")))
    label_h = 16
    sheet = Image.new("RGB", (per_class * cell, len(LABELS) * (cell + label_h)), (0, 0, 0))
    draw = ImageDraw.Draw(sheet)
    for r, label in enumerate(LABELS):
        picks = [row for row in rows if row["label"] == label and row["split"] == "Training"][:per_class]
        for c, row in enumerate(picks):
            im = Image.open(root / row["file"]).convert("L")
            rgb = np.stack([np.asarray(im)] * 3, -1).copy()
            if row["mask"]:
                m = np.asarray(Image.open(root / row["mask"]))
                rgb[outline(m >= 255)] = (255, 40, 40)
                rgb[outline(m > 0) & (m < 255)] = (255, 200, 0)
            tile = Image.fromarray(rgb).resize((cell, cell), Image.BILINEAR)
            x, y = c * cell, r * (cell + label_h)
            sheet.paste(tile, (x, y + label_h))
            draw.text((x + 3, y + 2), f"{label} {row.get('anatomy', '')} {row['plane'][:3]} {row['contrast']}", fill=(230, 230, 230))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, optimize=True)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Write a contact sheet PNG of a generated dataset.")
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-class", type=int, default=8)
    args = ap.parse_args(argv)
    print(f"wrote {contact_sheet(args.data, args.out, args.per_class)}")


if __name__ == "__main__":
    main()
