"""Generator: same seed gives the same bytes; every anatomy segments into nested tissues; contrasts (recipes, PD,
random) keep lesions visible; deformed lesions' masks lie where their anatomy says."""
import csv
import hashlib
import json
import tempfile
import unittest
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

from brainmri import LABELS
from brainmri.anatomy import ANATOMIES, CSF, GM, SKULL, WM, Anatomy
from brainmri.contrasts import CONTRASTS, MIN_LESION_STEP, lesion_values, tissue_levels
from brainmri.generate import generate, load_anatomies
from brainmri.lesions import DURA_REACH_MM, FALX_REACH_MM, SELLA_CLEARANCE_MM, choose_lesion
from brainmri.rendering import render


def digest(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


class GeneratorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pool = load_anatomies()
        cls.anatomy = next(a for a in cls.pool if a.source.path.name == "ch2.nii.gz")

    def test_same_seed_same_bytes_and_layout(self):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b, tempfile.TemporaryDirectory() as c:
            generate(a, seed=11, per_class=3, test_fraction=0.34, workers=2, quiet=True)
            generate(b, seed=11, per_class=3, test_fraction=0.34, workers=1, quiet=True)
            generate(c, seed=12, per_class=3, test_fraction=0.34, workers=1, quiet=True)
            da, db, dc = digest(Path(a)), digest(Path(b)), digest(Path(c))
            self.assertEqual(da, db)
            self.assertEqual(set(da), set(dc))
            self.assertNotEqual(da, dc)
            for split in ("Training", "Testing"):
                for folder in ("glioma", "meningioma", "notumor", "pituitary"):
                    self.assertTrue(list((Path(a) / split / folder).glob("*.jpg")), (split, folder))
            rows = list(csv.DictReader(open(Path(a) / "metadata.csv")))
            self.assertEqual(len(rows), 12)
            for r in rows:
                self.assertIn(r["plane"], ("axial", "coronal", "sagittal"))
                self.assertIn(r["contrast"], CONTRASTS)
                self.assertIn(r["anatomy"], ANATOMIES)
                self.assertTrue((Path(a) / r["file"]).exists())
                if r["label"] == "normal":
                    self.assertEqual(r["mask"], "")
                else:
                    self.assertTrue((Path(a) / r["mask"]).exists())
                    self.assertGreater(float(r["lesion_radius_px"]), 0)

    def test_masks_lie_inside_the_head_where_anatomy_says(self):
        # Every anatomy, after rotation, affine, elastic deformation and mass effect: the mask moves with the tissue.
        seen = set()
        for label in LABELS:
            for i in range(10):
                s = render(label, np.random.default_rng([99, LABELS.index(label), i]), self.pool, size=256)
                seen.add(s.meta["anatomy"])
                self.assertEqual(s.image.shape, s.mask.shape)
                self.assertTrue(200 <= s.image.shape[0] <= 512)
                lesion = s.mask > 0
                if label == "normal":
                    self.assertFalse(lesion.any())
                    continue
                self.assertGreater(int((s.mask == 255).sum()), 20, (label, i))
                if label in ("glioma", "meningioma"):
                    # intra-axial and extra-axial tumours stay within the skull's inner table
                    self.assertTrue(np.all(s.intracranial[lesion]), (label, i))
                if label == "glioma":
                    self.assertTrue(np.all(s.brain[s.mask == 255]), i)  # a glioma grows in the brain itself
                else:
                    self.assertTrue(np.all(s.head[lesion]), (label, i))
                if label == "pituitary":
                    rows, cols = np.nonzero(lesion)
                    # the sella is at the midline skull base: the lesion sits in the lower half of the head
                    head_rows = np.nonzero(s.head.any(axis=1))[0]
                    self.assertGreater(rows.mean(), head_rows.mean() - 0.15 * (head_rows[-1] - head_rows[0]), i)
        self.assertEqual(seen, set(ANATOMIES))

    def test_glioma_is_in_white_matter_and_has_oedema_on_some(self):
        oedema = 0
        for i in range(6):
            s = render("glioma", np.random.default_rng([98, 0, i]), self.anatomy, size=256)
            oedema += int((s.mask == 128).any())
            self.assertEqual(s.meta["site"], "white matter")
        self.assertGreater(oedema, 3)

    def test_meningiomas_stay_clear_of_the_sella(self):
        # A meningioma on the sella looks like a pituitary macroadenoma; the generator keeps its label unambiguous.
        rng = np.random.default_rng(96)
        placed = 0
        for plane in ("sagittal", "coronal", "axial"):
            s = self.anatomy.slice(plane, int(round(self.anatomy.sella_slice(plane))))
            for _ in range(40):
                lesion = choose_lesion("meningioma", s, rng, plane)
                if lesion is None:
                    continue
                placed += 1
                gap = np.hypot(lesion.center[0] - s.sella[0], lesion.center[1] - s.sella[1])
                self.assertGreater(gap, SELLA_CLEARANCE_MM + 0.45 * lesion.radius, (plane, lesion.extra["site"]))
        self.assertGreater(placed, 60)

    def test_meningiomas_grow_from_the_dura(self):
        # Extra-axial: a convexity or skull-base meningioma reaches the inner table, a falx one sits in the fissure
        # near it; none lies on the ventricles or inside a lobe (the old generator put about one in five there).
        rng = np.random.default_rng(98)
        sites = set()
        for plane, index in (("axial", 88), ("axial", 120), ("coronal", 100), ("coronal", 140), ("sagittal", 145),
                             ("sagittal", 92)):
            s = self.anatomy.slice(plane, index)
            rows = np.where(s.intracranial[:, int(round(s.midline_col))])[0]
            for _ in range(25):
                lesion = choose_lesion("meningioma", s, rng, plane)
                if lesion is None:
                    continue
                site = lesion.extra["site"]
                sites.add(site)
                r, c = (int(round(v)) for v in lesion.center)
                if site == "falx" and plane != "sagittal":
                    depth = min(r - rows[0], rows[-1] - r)
                    self.assertLessEqual(depth, FALX_REACH_MM, (plane, index))
                    self.assertLess(abs(c - s.midline_col), lesion.radius + 1, (plane, index))
                else:
                    self.assertLessEqual(s.inner_table_mm[r, c], DURA_REACH_MM + 0.55 * lesion.radius + 1.5,
                                         (plane, index, site))
        self.assertEqual(sites, {"convexity", "falx", "base"})

    def test_slice_level_alone_does_not_tell_pituitary_from_normal(self):
        # Every pituitary scan is cut through the sella; some normal scans must be too, or the level is a class cue.
        def at_sella(meta) -> bool:
            return abs(meta["slice"] - self.anatomy.sella_slice(meta["plane"])) <= 4.5

        normal = [render("normal", np.random.default_rng([97, 2, i]), self.anatomy, size=200).meta for i in range(40)]
        pituitary = [render("pituitary", np.random.default_rng([97, 3, i]), self.anatomy, size=200).meta for i in range(6)]
        self.assertTrue(all(at_sella(m) for m in pituitary))
        self.assertGreaterEqual(sum(at_sella(m) for m in normal), 4)
        self.assertLessEqual(sum(at_sella(m) for m in normal), 24)


class TissueTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pool = load_anatomies()

    def test_every_volume_segments_into_nested_tissues(self):
        for a in self.pool:
            name = f"{a.name} {a.source.path.name}"
            self.assertTrue(np.all(a.head[a.intracranial]), name)
            self.assertTrue(np.all(a.intracranial[a.brain]), name)
            self.assertTrue(np.isin(a.tissue[a.brain], [CSF, GM, WM]).all(), name)
            self.assertTrue((a.tissue[a.head] > 0).all(), name)
            counts = np.bincount(a.tissue[a.brain], minlength=6)[[CSF, GM, WM]] / a.brain.sum()
            self.assertTrue(np.all(counts[1:] > 0.15), (name, counts))  # grey and white matter both substantial
            self.assertGreater(int((a.tissue == SKULL).sum()), 0, name)  # real or synthesised bone round the brain

    def test_tissue_order_follows_each_volumes_contrast(self):
        for a in self.pool:
            if a.source.kind == "labels":
                continue
            mean = {k: float(a.vol[a.brain & (a.tissue == k)].mean()) for k in (CSF, GM, WM)}
            order = [CSF, GM, WM] if a.source.kind == "t1" else [WM, GM, CSF]
            self.assertLess(mean[order[0]], mean[order[1]], a.source.path.name)
            self.assertLess(mean[order[1]], mean[order[2]], a.source.path.name)

    def test_landmarks(self):
        for a in self.pool:
            if a.has_sella:
                s = a.slice("sagittal", int(round(a.sella_slice("sagittal"))))
                r, c = (int(round(v)) for v in s.sella)
                self.assertTrue(s.head[r, c], a.source.path.name)  # the sella lies inside the head
        # A 53 mm slab does not reach the skull base: no sella, so no pituitary scans from it.
        epi = next(a for a in self.pool if a.name == "nibabel-epi")
        self.assertFalse(epi.has_sella)
        self.assertEqual(epi.planes, ("axial",))


class BrainBrowserTest(unittest.TestCase):
    def test_minc_raw_reader_places_voxels_as_minc_does(self):
        # A MINC world position is the sum over dimensions of (start + index * step) * direction cosines; the header
        # lists dimensions slowest first. A 2 x 3 x 4 volume in BrainBrowser's x, z, y order, one axis flipped.
        import gzip
        from brainmri.anatomy import _brainbrowser
        header = {"order": ["xspace", "zspace", "yspace"],
                  "xspace": {"start": 10.0, "space_length": 2, "step": -1.0, "direction_cosines": [1, 0, 0]},
                  "yspace": {"start": -5.0, "space_length": 4, "step": 2.0, "direction_cosines": [0, 1, 0]},
                  "zspace": {"start": 3.0, "space_length": 3, "step": 1.5, "direction_cosines": [0, 0, 1]}}
        data = np.arange(24, dtype=np.uint8)
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "v.mnc.raw.gz"
            raw.write_bytes(gzip.compress(data.tobytes()))
            (Path(tmp) / "v.mnc.header.gz").write_bytes(gzip.compress(json.dumps(header).encode()))
            img = _brainbrowser(raw)
        vol = np.asarray(img.dataobj)
        self.assertEqual(vol.shape, (2, 3, 4))
        self.assertEqual(int(vol[1, 2, 3]), 23)  # the last sample: x 1, z 2, y 3
        world = img.affine @ np.array([1, 2, 3, 1.0])
        np.testing.assert_allclose(world[:3], [10 - 1, -5 + 3 * 2, 3 + 2 * 1.5])

    def test_committed_colin27_fit_is_what_the_fit_gives(self):
        # colin27-fits.json spares every machine the 40 s fit and keeps their masks identical; it must stay the
        # fit's own result (one volume refitted here, to within a millimetre over the head).
        from brainmri import anatomy as A
        src = next((s for s in A.SOURCES if s.fit_colin and s.path.exists()), None)
        if src is None:
            self.skipTest("brainbrowser volumes not fetched (npm run setup:training)")
        vol, affine = A._load(src.path, world_fix=src.world_fix)
        vol = A._normalised(vol)
        committed = A._colin_to_vol(vol, affine, src.path)
        self.assertIn(A._sha256(src.path), json.loads(A.COLIN_FITS.read_text()))
        refit = A._fit_colin(vol, affine)
        corners = np.array([[x, y, z, 1.0] for x in (-70, 70) for y in (-100, 70) for z in (-70, 80)]).T  # Colin27's head, mm
        self.assertLess(float(np.abs((committed - refit) @ corners).max()), 1.0)

    def test_colin27_fit_finds_brain_and_sella(self):
        pool = [a for a in load_anatomies() if a.source.fit_colin]
        if not pool:
            self.skipTest("npm volumes not fetched (npm run setup:training)")
        self.assertEqual({a.name for a in pool}, {"brainbrowser", "almi5"})
        for a in pool:
            name = a.source.path.name
            scales = np.linalg.svd(a.colin_to_vol[:3, :3], compute_uv=False)
            self.assertTrue(np.all((scales > 0.8) & (scales < 1.25)), (name, scales))  # a head, not a warp
            # Oriented as Colin27 (RAS): each axis maps mostly onto itself, so a header that misnames the axes (almi5's
            # before its world_fix) would show here as a quarter turn.
            rot = a.colin_to_vol[:3, :3] / scales.mean()
            self.assertTrue(np.all(np.diag(rot) > 0.85), (name, rot.round(2)))
            self.assertTrue(1.0e6 < a.brain.sum() < 1.7e6, (name, a.brain.sum()))  # 1 mm voxels: 1.0 to 1.7 litres
            x, y, z = (int(round(v)) for v in a.sella_vox)
            brain_z = np.where(a.brain.any(axis=(0, 1)))[0]
            # The fossa sits low in the brain's height and close to the midline, below the brain (in the skull base)
            # or at its lower edge, with brain tissue above it.
            self.assertLess(z - brain_z[0], 0.35 * (brain_z[-1] - brain_z[0]), name)
            self.assertTrue(a.brain[x, y, z:z + 40].any(), name)
            brain_x = np.where(a.brain.any(axis=(1, 2)))[0]
            self.assertLess(abs(a.midline_x - (brain_x[0] + brain_x[-1]) / 2), 6, name)  # between the hemispheres


class ContrastTest(unittest.TestCase):
    def test_random_contrasts_vary_the_tissue_order_and_keep_grey_and_white_apart(self):
        rng = np.random.default_rng(3)
        draws = [tissue_levels("random", rng) for _ in range(200)]
        self.assertTrue(all(abs(d[GM] - d[WM]) >= 20 for d in draws))
        brighter_wm = sum(d[WM] > d[GM] for d in draws)
        self.assertTrue(40 < brighter_wm < 160, brighter_wm)  # both orders, like T1 and T2
        csf_darkest = sum(d[CSF] < min(d[GM], d[WM]) for d in draws)
        self.assertTrue(20 < csf_darkest < 180, csf_darkest)

    def test_random_contrast_lesions_differ_from_their_tissue(self):
        rng = np.random.default_rng(4)
        for _ in range(200):
            lv = tissue_levels("random", rng)
            v = lesion_values("random", lv, rng)
            self.assertGreaterEqual(abs(v["rim"] - lv[WM]), MIN_LESION_STEP - 1e-6)
            self.assertGreaterEqual(abs(v["menin"] - lv[GM]), MIN_LESION_STEP - 1e-6)
            self.assertGreaterEqual(abs(v["pit"] - lv[GM]), MIN_LESION_STEP - 1e-6)
            self.assertTrue(all(0 <= x <= 255 for x in v.values()))

    def test_proton_density_recipe(self):
        # PD: CSF at least as bright as grey matter, grey above white, low contrast; tumours bright (water-rich).
        rng = np.random.default_rng(5)
        for _ in range(50):
            lv = tissue_levels("pd", rng)
            self.assertGreater(lv[GM], lv[WM])
            self.assertLess(lv[GM] - lv[WM], 70)
            v = lesion_values("pd", lv)
            self.assertGreater(v["solid"], lv[GM])
            self.assertGreater(v["menin"], lv[GM])
        pool = load_anatomies()
        pd = [render("glioma", np.random.default_rng([95, 0, i]), pool, size=200, contrast="pd") for i in range(8)]
        pd = [s for s in pd if not s.meta["inverted"]]
        self.assertTrue(all(s.meta["contrast"] == "pd" for s in pd))
        for s in pd:  # the rendered tumour is brighter than most of the brain away from it (its oedema is bright too)
            tumour = s.mask == 255
            away = s.brain & ~ndi.binary_dilation(s.mask > 0, iterations=10)
            self.assertGreater(float(np.median(s.float_image[tumour])), float(np.median(s.float_image[away])), s.meta)


if __name__ == "__main__":
    unittest.main()
