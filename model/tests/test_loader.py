"""Loader: both public layouts, duplicate detection kept within one split, stratified splits, each bad input."""
import io
import shutil
import tempfile
import unittest
from pathlib import Path

import numpy as np
from PIL import Image

from brainmri import LABELS
from brainmri.data import DatasetError, load, scan
from brainmri.generate import generate

OLD_NAMES = {"glioma": "glioma_tumor", "meningioma": "meningioma_tumor", "notumor": "no_tumor", "pituitary": "pituitary_tumor"}


class LoaderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.gen = Path(cls.tmp.name) / "gen"
        generate(cls.gen, seed=21, per_class=10, test_fraction=0.2, workers=2, quiet=True, anatomies=("colin27",))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def fresh(self, name: str) -> Path:
        d = Path(self.tmp.name) / name
        if d.exists():
            shutil.rmtree(d)
        return d

    def test_training_testing_layout_uses_given_test_split(self):
        ds = load(self.gen, seed=0, quiet=True)
        self.assertEqual(len(ds.paths), 40)
        self.assertEqual(ds.report["duplicate_groups"], 0)  # distinct generated scans are not merged
        for p, s in zip(ds.paths, ds.split):
            self.assertEqual(s == "test", "/Testing/" in p, p)
        self.assertEqual(ds.report["per_split"]["test"], {k: 2 for k in LABELS})
        self.assertTrue(all(v >= 1 for v in ds.report["per_split"]["val"].values()))
        self.assertEqual(ds.images.shape[1:], (256, 256))
        self.assertEqual(load(self.gen, seed=0, quiet=True, size=96).images.shape[1:], (96, 96))
        # generated data brings lesion masks: tumours have some lesion, normal scans none
        self.assertTrue(ds.has_mask.all())
        lesion = ds.masks.reshape(len(ds.paths), -1).max(1)
        normal = ds.labels == LABELS.index("normal")
        self.assertTrue((lesion[~normal] > 0).all())
        self.assertTrue((lesion[normal] == 0).all())

    def test_single_folder_old_names_split_80_10_10_stratified_and_seeded(self):
        root = self.fresh("single")
        for folder, old in OLD_NAMES.items():
            (root / old).mkdir(parents=True)
            for split in ("Training", "Testing"):
                for f in (self.gen / split / folder).glob("*.jpg"):
                    shutil.copy(f, root / old / f.name)
        a = load(root, seed=3, quiet=True)
        b = load(root, seed=3, quiet=True)
        c = load(root, seed=4, quiet=True)
        self.assertEqual(a.report["layout"], "single folder (80/10/10)")
        self.assertIsNone(a.masks)  # real-data layout without masks/: no location supervision
        np.testing.assert_array_equal(a.split, b.split)
        self.assertFalse(np.array_equal(a.split, c.split))
        for k, label in enumerate(LABELS):
            m = a.labels == k
            self.assertEqual(int(m.sum()), 10)
            self.assertEqual(int((a.split[m] == "test").sum()), 1, label)
            self.assertEqual(int((a.split[m] == "val").sum()), 1, label)
            self.assertEqual(int((a.split[m] == "train").sum()), 8, label)

    def test_exact_and_near_duplicates_stay_in_one_split(self):
        root = self.fresh("dups")
        shutil.copytree(self.gen / "Training", root / "Training")
        shutil.copytree(self.gen / "Testing", root / "Testing")
        src = sorted((root / "Training" / "glioma").glob("*.jpg"))[0]
        shutil.copy(src, root / "Training" / "glioma" / "copy-exact.jpg")
        im = Image.open(src)
        im.resize((int(im.width * 0.8), int(im.height * 0.8)), Image.BILINEAR).save(
            root / "Training" / "glioma" / "copy-near.jpg", quality=60)
        leak = sorted((root / "Testing" / "meningioma").glob("*.jpg"))[0]
        shutil.copy(leak, root / "Training" / "meningioma" / "leaked.jpg")
        ds = load(root, seed=0, quiet=True)
        split = dict(zip((Path(p).name for p in ds.paths), ds.split))
        self.assertEqual(split["copy-exact.jpg"], split[src.name])
        self.assertEqual(split["copy-near.jpg"], split[src.name])
        self.assertEqual(split["leaked.jpg"], "test")
        self.assertEqual(ds.report["duplicate_groups"], 2)
        self.assertEqual(ds.report["exact_duplicates"], 2)
        self.assertGreaterEqual(ds.report["near_duplicate_links"], 1)
        self.assertEqual(ds.report["moved_to_test_to_avoid_leak"], 1)

    def test_empty_folder(self):
        root = self.fresh("empty")
        (root / "glioma").mkdir(parents=True)
        with self.assertRaises(DatasetError) as ctx:
            scan(root)
        self.assertIn(str(root), str(ctx.exception))
        self.assertIn("no images found", str(ctx.exception))

    def test_missing_folder(self):
        with self.assertRaises(DatasetError) as ctx:
            scan(Path(self.tmp.name) / "nope")
        self.assertIn("not a folder", str(ctx.exception))

    def test_unknown_class_folder_is_named(self):
        root = self.fresh("unknown")
        shutil.copytree(self.gen / "Training" / "glioma", root / "glioma")
        shutil.copytree(self.gen / "Training" / "glioma", root / "astrocytoma")
        with self.assertRaises(DatasetError) as ctx:
            scan(root)
        msg = str(ctx.exception)
        self.assertIn("astrocytoma", msg)
        self.assertIn("notumor", msg)

    def test_unreadable_images_are_skipped_counted_and_named(self):
        root = self.fresh("bad")
        for folder in ("glioma", "notumor"):
            shutil.copytree(self.gen / "Training" / folder, root / folder)
        (root / "glioma" / "garbage.jpg").write_bytes(b"this is not a jpeg")
        good = sorted((root / "notumor").glob("*.jpg"))[0].read_bytes()
        (root / "notumor" / "truncated.jpg").write_bytes(good[:200])
        log = io.StringIO()
        ds = load(root, seed=0, quiet=True, log=log)
        self.assertEqual(ds.report["skipped_unreadable"], 2)
        self.assertEqual(len(ds.paths), 16)
        text = log.getvalue()
        self.assertIn("garbage.jpg", text)
        self.assertIn("truncated.jpg", text)
        self.assertTrue(any(f.endswith("garbage.jpg") for f in ds.report["skipped_files"]))

    def test_all_unreadable_is_an_error(self):
        root = self.fresh("allbad")
        (root / "glioma").mkdir(parents=True)
        (root / "glioma" / "x.png").write_bytes(b"nope")
        with self.assertRaises(DatasetError) as ctx:
            load(root, quiet=True, log=io.StringIO())
        self.assertIn("x.png", str(ctx.exception))


if __name__ == "__main__":
    unittest.main()
