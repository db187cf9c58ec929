"""The input gate: its data sources resolve and are held out by whole source, the threshold rule, the exporter (ONNX in
onnxruntime-node equals PyTorch), and the committed gate (manifest matches the .onnx, threshold as chosen, accepts the
classifier's brain MRI fixtures and refuses a plain circle, a blank frame, a photograph and a colourised slice)."""
import hashlib
import json
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnx
import torch
from PIL import Image

from brainmri import gate_data as GD
from brainmri import gate_render as R
from brainmri import gate_sources as GS
from brainmri import preprocess as P
from brainmri.gate_export import export_onnx
from brainmri.gate_model import GateNet, normalise
from brainmri.gate_train import choose_band, choose_threshold, source_weights
from tests.helpers import ROOT, ort_run, typescript_schema_errors

MODEL = ROOT / "model" / "brain-mri-gate.onnx"
MANIFEST = ROOT / "model" / "brain-mri-gate.manifest.json"
REPORT = ROOT / "model" / "reports" / "gate" / "metrics.json"
FIX = ROOT / "test" / "fixtures"
# Every file a source reads lies under one of these package folders (the reserved example images live elsewhere).
ALLOWED_ROOTS = (GS.MRICRON, GS.DIPY, GS.NIBABEL, GS.NICOM, GS.PYDICOM, GS.SKIMAGE, GS.SKLEARN, GS.SCIPY_MISC, GS.BACKGROUNDS,
                 GS.GDCM_EXAMPLE.parent, GS.DICOM3TOOLS_EXAMPLE.parent, GS.DXSAMPLES, GS.CIMG,
                 GS.NPM_SOURCES)


def gate_input(rgb_or_grey: np.ndarray, side: int) -> np.ndarray:
    """An image as decoded pixels -> the gate's model input per its manifest (rgb, contract resize, normalise)."""
    a = np.asarray(rgb_or_grey, np.float32)
    if a.ndim == 2:
        a = np.repeat(a[:, :, None], 3, axis=2)
    return normalise(torch.from_numpy(R.to_input(a, side))).numpy()


def decode(path: Path) -> np.ndarray:
    """Decoded pixels per the contract: 16-bit grey divided by 257 (not clipped), everything else as 8-bit RGB."""
    with Image.open(path) as im:
        if im.mode.startswith("I"):
            return np.asarray(im, dtype=np.float32) / 257.0
        return np.asarray(im.convert("RGB"))


class SourcesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sources = GS.sources()

    def test_every_source_resolves_on_this_machine(self):
        missing = {s.name: s.missing() for s in self.sources if s.missing()}
        self.assertEqual(missing, {}, "install them with `npm run setup:training` (or `npm run setup:test`)")

    def test_sources_are_held_out_whole_and_each_split_has_both_labels(self):
        names = [s.name for s in self.sources]
        self.assertEqual(len(names), len(set(names)))
        for split in GS.SPLITS:
            labels = {s.label for s in self.sources if s.split == split}
            self.assertEqual(labels, set(GS.GATE_LABELS), split)
        # The generator's anatomy volumes feed generated images in every split (its test images are held out by
        # contrast instead); apart from those, no file read by a test source is read by a train or validation source
        # or is one of the generator's anatomies, and validation shares no file with training.
        anatomy = set(GS.generator_files())
        generated = {s.name for s in self.sources if set(s.files) == anatomy}
        used = {split: {f for s in self.sources if s.split == split and s.name not in generated for f in s.files}
                for split in GS.SPLITS}
        self.assertEqual(used["test"] & (used["train"] | used["val"] | anatomy), set())
        self.assertEqual((used["val"] & used["train"]) - anatomy, set())
        train_c, test_c = GS._contrasts()
        self.assertTrue(test_c)
        self.assertEqual(set(train_c) & set(test_c), set())
        self.assertEqual(set(train_c) | set(test_c), set(GS.generator_contrasts()))

    def test_generated_positives_cover_every_gate_anatomy_training_contrast_and_plane_with_and_without_lesions(self):
        from brainmri.anatomy import ANATOMIES, PLANES
        self.assertTrue(set(GS.GATE_ANATOMIES) <= set(ANATOMIES))
        train_c, _ = GS._contrasts()
        seen = [GS.generated(np.random.default_rng([5, i]), train_c).meta for i in range(80)]
        self.assertEqual({m["anatomy"] for m in seen}, set(GS.GATE_ANATOMIES))
        self.assertEqual({m["contrast"] for m in seen}, set(train_c))
        self.assertEqual({m["plane"] for m in seen}, set(PLANES))
        self.assertEqual({bool(m["site"]) for m in seen}, {True, False})  # with and without a lesion

    def test_reuse_copies_only_sources_whose_record_matches(self):
        with tempfile.TemporaryDirectory() as tmp:
            old = Path(tmp)
            names = np.array(["kept", "changed", "moved"])
            x = np.arange(6 * 3 * 2 * 2, dtype=np.uint8).reshape(6, 3, 2, 2)
            np.savez_compressed(old / "train.npz", x=x, y=np.zeros(6, np.int64), src=np.array([0, 0, 1, 1, 2, 2], np.int16),
                                names=names)
            rec = {"seed": 0, "size": 2, "sources": [{"name": n, "split": "train", "count": 2} for n in names]}
            (old / "sources.json").write_text(json.dumps(rec))
            now = {"seed": 0, "size": 2, "sources": [{"name": "kept", "split": "train", "count": 2, "rev": 1},
                                                     {"name": "changed", "split": "train", "count": 2, "rev": 2},
                                                     {"name": "moved", "split": "val", "count": 2, "rev": 1}]}
            got = GD.reusable(old, now)
            self.assertEqual(sorted(got), ["kept"])
            np.testing.assert_array_equal(got["kept"], x[:2])
            self.assertEqual(GD.reusable(old, dict(now, seed=1)), {})

    def test_sources_read_only_files_from_the_listed_packages(self):
        for s in self.sources:
            for f in s.files:
                self.assertTrue(any(Path(f).is_relative_to(r) for r in ALLOWED_ROOTS), f"{s.name}: {f}")

    def test_images_are_deterministic_and_shaped_as_the_gate_reads_them(self):
        by_name = {s.name: s for s in self.sources}
        for name in ("disks-drawn", "ct-head", "photos-sklearn", "atlas-aal-brodmann-jhu189", "ct-synthetic-head",
                     "generated-mri-heldout-contrast"):
            a = GD.make_input(by_name[name], 3, 5, 64)
            b = GD.make_input(by_name[name], 3, 5, 64)
            self.assertEqual(a.shape, (3, 64, 64), name)
            np.testing.assert_array_equal(a, b, name)
            self.assertGreaterEqual(a.min(), 0.0)
            self.assertLessEqual(a.max(), 255.0)
        c = GD.make_input(by_name["disks-drawn"], 3, 6, 64)
        self.assertFalse(np.array_equal(c, GD.make_input(by_name["disks-drawn"], 3, 5, 64)))

    def test_held_out_generator_contrast_is_the_only_one_its_test_source_gives(self):
        _, test_c = GS._contrasts()
        for i in range(3):
            s = GS.generated(np.random.default_rng([11, i]), test_c)
            self.assertIn(s.meta["contrast"], test_c)

    def test_a_grey_image_reaches_the_gate_as_three_equal_channels_of_the_contract_resize(self):
        grey = (np.arange(300 * 200) % 251).reshape(300, 200).astype(np.float32)
        x = R.to_input(np.repeat(grey[:, :, None], 3, 2), 64)
        expected = P.resize(grey, 64, 64)
        for c in range(3):
            np.testing.assert_array_equal(x[c], expected)


class ShapeNegativesTest(unittest.TestCase):
    """Round 4's shape-randomised negatives: deformations keep masks masks and labels labels, parcellations stay inside
    their region and mirror as atlases do, tissue classes are ordered."""

    def test_deform_keeps_types_and_moves_shapes(self):
        rng = np.random.default_rng(0)
        yy, xx = np.mgrid[:96, :96]
        disk = (yy - 48) ** 2 + (xx - 48) ** 2 < 30 ** 2
        labels = np.where(disk, 1 + (xx // 24), 0).astype(np.int64)
        grey = disk.astype(np.float32) * 200.0
        m, lab, g = R.deform([disk, labels, grey], rng)
        self.assertEqual((m.dtype, lab.dtype, g.dtype), (np.dtype(bool), np.dtype(np.int64), np.dtype(np.float32)))
        self.assertEqual(m.shape, disk.shape)
        self.assertTrue(set(np.unique(lab)) <= set(np.unique(labels)))  # nearest: no new labels between old ones
        self.assertFalse(np.array_equal(m, disk))
        self.assertGreater(m.sum(), 0.3 * disk.sum())
        np.testing.assert_array_equal(m, lab > 0)  # one warp for every array
        same = R.deform([disk], np.random.default_rng(1), strength=0.0)[0]
        np.testing.assert_array_equal(same, disk)

    def test_parcellation_labels_only_the_region_and_mirrors_its_seeds(self):
        yy, xx = np.mgrid[:80, :81]
        region = (yy - 40) ** 2 / 30 ** 2 + (xx - 40) ** 2 / 35 ** 2 < 1
        lab = R.parcellate(region, np.random.default_rng(2), 12, symmetric=False)
        self.assertTrue((lab[~region] == 0).all() and (lab[region] > 0).all())
        self.assertLessEqual(len(np.unique(lab[region])), 12)
        sym = R.parcellate(region, np.random.default_rng(2), 12, symmetric=True)
        self.assertGreater(len(np.unique(sym[region])), 12)
        self.assertLessEqual(sym.max(), 24)
        # A mirrored seed's label sits on the other side of the midline (x = 40) from its own seed's.
        left = set(np.unique(sym[:, :38][region[:, :38]])) - set(np.unique(sym[:, 43:][region[:, 43:]]))
        self.assertTrue(left)

    def test_tissue_classes_are_ordered_and_cover_the_brain(self):
        rng = np.random.default_rng(3)
        t1 = np.zeros((60, 60), np.float32)
        t1[10:50, 10:50] = rng.choice([40.0, 120.0, 200.0], (40, 40)) + rng.normal(0, 5, (40, 40))
        brain = t1 > 0
        csf, gm, wm = GS.tissue_classes(t1, brain)
        self.assertTrue(((csf | gm | wm) == brain).all())
        self.assertFalse((csf & gm).any() or (gm & wm).any() or (csf & wm).any())
        self.assertLess(t1[csf].mean(), t1[gm].mean())
        self.assertLess(t1[gm].mean(), t1[wm].mean())

    def test_whole_body_uptake_is_a_tall_picture(self):
        for i in range(6):
            img = R.whole_body_uptake(np.random.default_rng(i))
            self.assertEqual(img.dtype, np.uint8)
            self.assertGreaterEqual(img.shape[0], 256)
            self.assertGreater(img.std(), 1.0)

    def test_body_mr_phantoms_hold_their_organs_and_sequences_order_their_tissues(self):
        T = {t: i for i, t in enumerate(R._BODY_TISSUES)}
        for region, organs in (("cardiac", ("lung", "blood", "myocardium", "marrow", "csf")),
                               ("abdomen", ("liver", "spleen", "kidney", "blood")), ("pelvis", ("fluid", "marrow")),
                               ("spine", ("marrow", "disc", "cord", "csf"))):
            lab = R._body_phantom(np.random.default_rng(4), 256, region)
            self.assertEqual(lab.shape, (256, 256))
            for o in organs:
                self.assertTrue((lab == T[o]).any(), f"{region} lacks {o}")
        seq = {k: np.array(v).mean(1) for k, v in R.BODY_MR_SEQUENCES.items()}
        self.assertEqual({len(v) for v in seq.values()}, {len(R._BODY_TISSUES)})
        self.assertGreater(seq["ssfp"][T["blood"]], seq["ssfp"][T["myocardium"]])  # bright blood
        self.assertLess(seq["bb_t1"][T["blood"]], seq["bb_t1"][T["myocardium"]])  # black blood
        self.assertLess(seq["fs_t2"][T["fat"]], seq["t2"][T["fat"]])  # fat saturated
        for i in range(6):
            img = R.body_mr(np.random.default_rng(i))
            self.assertEqual((img.dtype, img.ndim, img.shape[0] == img.shape[1]), (np.dtype(np.uint8), 2, True))
            self.assertGreater(img.std(), 5.0)

    def test_skull_base_head_ct_mottles_the_head_outside_the_skull_with_bone_and_air(self):
        n = 128
        yy, xx = np.mgrid[:n, :n]
        head = (yy - 64) ** 2 + (xx - 64) ** 2 < 60 ** 2
        intracranial = (yy - 50) ** 2 + (xx - 64) ** 2 < 30 ** 2
        t1 = np.where(head, 120, 0).astype(np.uint8)
        face = head & ~intracranial & ((yy - 50) ** 2 + (xx - 64) ** 2 > 45 ** 2)  # beyond the skull ring
        for i in range(4):  # a flat scalp becomes a mottle of bone and air; the brain stays flat
            plain = R.head_ct_v2(t1, head, intracranial, np.random.default_rng(i))
            base = R.head_ct_v2(t1, head, intracranial, np.random.default_rng(i), skull_base=True)
            self.assertGreater(base[face].std(), plain[face].std() + 30)
            self.assertLess(base[intracranial].std(), 30)

class ThresholdRuleTest(unittest.TestCase):
    def test_threshold_sits_in_the_gap_between_separable_scores(self):
        y = np.array([0] * 200 + [1] * 200)
        p = np.concatenate([np.full(200, 0.9), np.full(200, 0.1)])
        t = choose_threshold(p, y)
        self.assertEqual((t["val_false_refusal"], t["val_false_acceptance"]), (0.0, 0.0))
        self.assertAlmostEqual(t["accept"], 0.5, places=3)  # middle of logit(0.1) .. logit(0.9)

    def test_threshold_weighs_a_false_refusal_twice_a_false_acceptance(self):
        # one positive scores among the negatives: refusing it costs 1/100 / 1 % = 1, accepting 2 of 100 negatives
        # costs 2/100 / 2 % = 1; accepting 3 would cost 1.5, so the rule refuses the stray positive no more than it must
        y = np.array([0] * 100 + [1] * 100)
        p = np.concatenate([np.full(99, 0.95), [0.3], np.full(97, 0.05), [0.4, 0.35, 0.32]])
        t = choose_threshold(p, y)
        cost = max(t["val_false_refusal"] / 0.01, t["val_false_acceptance"] / 0.02)
        self.assertLessEqual(cost, 1.0 + 1e-9)

    def test_band_edge_is_the_lowest_that_leaves_at_most_2_percent_of_others_unflagged(self):
        # 100 others: 95 far below, 5 at 0.3..0.7; brain slices all at 0.95. Accepting at 0.2, the edge must pass 3 of
        # the 5 strays (0.3, 0.4, 0.5) so that only 2 % (0.6, 0.7) stay unflagged, and no brain slice is flagged.
        y = np.array([0] * 100 + [1] * 100)
        p = np.concatenate([np.full(100, 0.95), np.full(95, 0.01), [0.3, 0.4, 0.5, 0.6, 0.7]])
        b = choose_band(p, y, 0.2)
        self.assertGreater(b["uncertain"], 0.5)
        self.assertLessEqual(b["uncertain"], 0.6)
        self.assertEqual((b["val_other_accepted_unflagged"], b["val_brain_mri_flagged_or_refused"], b["capped"]), (0.02, 0.0, False))

    def test_band_never_flags_more_than_a_tenth_of_brain_slices_and_is_empty_when_not_needed(self):
        # Others sit above most brain slices: reaching 2 % would flag nearly all brain slices, so the cap decides.
        y = np.array([0] * 100 + [1] * 100)
        p = np.concatenate([np.linspace(0.3, 0.9, 100), np.full(90, 0.01), np.full(10, 0.95)])
        b = choose_band(p, y, 0.2)
        self.assertTrue(b["capped"])
        self.assertLessEqual(b["val_brain_mri_flagged_or_refused"], 0.10)
        self.assertGreater(b["val_brain_mri_flagged_or_refused"], 0.08)
        # Separable scores: the acceptance threshold already refuses every other image, so there is no band.
        p = np.concatenate([np.full(100, 0.9), np.full(100, 0.1)])
        self.assertEqual(choose_band(p, y, 0.5)["uncertain"], 0.5)

    def test_each_source_gets_an_equal_share_of_its_labels_draws(self):
        y = np.array([0, 0, 0, 1, 1, 1, 1])
        src = np.array([0, 0, 1, 2, 3, 3, 3])
        w = source_weights(y, src).numpy()
        self.assertAlmostEqual(w.sum(), 1.0)
        self.assertAlmostEqual(w[src == 0].sum(), w[src == 1].sum())
        self.assertAlmostEqual(w[src == 2].sum(), w[src == 3].sum())


class ExportTest(unittest.TestCase):
    def test_onnx_in_onnxruntime_node_equals_pytorch(self):
        torch.manual_seed(0)
        net = GateNet()
        for m in net.modules():  # non-trivial batch-norm statistics, so folding them is exercised
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
        net.eval()
        x = torch.randn(3, 3, 64, 64)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "gate.onnx"
            export_onnx(net, path)
            g = onnx.load(str(path))
            self.assertEqual([o.name for o in g.graph.output], ["logits", "probabilities"])
            out = ort_run(path, x.numpy())
        with torch.no_grad():
            logits = net(x)
        np.testing.assert_allclose(out["logits"], logits.numpy(), atol=1e-4)
        np.testing.assert_allclose(out["probabilities"], torch.softmax(logits, 1).numpy(), atol=1e-5)


class CommittedGateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.m = json.loads(MANIFEST.read_text())
        cls.side = cls.m["input"]["shape"][2]
        cls.accept = cls.m["thresholds"]["accept"]

    def scores(self, images) -> np.ndarray:
        x = np.stack([gate_input(a, self.side) for a in images])
        return ort_run(MODEL, x)["probabilities"][:, 0]

    def test_manifest_matches_the_onnx(self):
        data = MODEL.read_bytes()
        self.assertEqual(self.m["model"]["file"], MODEL.name)
        self.assertEqual(self.m["model"]["sha256"], hashlib.sha256(data).hexdigest())
        self.assertEqual(self.m["model"]["bytes"], len(data))
        self.assertEqual(self.m["task"], "gate")
        self.assertEqual(self.m["labels"], ["brain_mri", "other"])
        self.assertEqual(self.m["preprocessing"]["color"], "rgb")
        g = onnx.load(str(MODEL))
        self.assertEqual(self.m["model"]["opset"], g.opset_import[0].version)
        (inp,) = g.graph.input
        dims = [d.dim_value if d.HasField("dim_value") else None for d in inp.type.tensor_type.shape.dim]
        self.assertEqual(dims, self.m["input"]["shape"])
        self.assertEqual([o.name for o in g.graph.output], [self.m["outputs"]["logits"], self.m["outputs"]["probabilities"]])

    def test_threshold_is_the_one_chosen_on_validation_and_evaluated(self):
        report = json.loads(REPORT.read_text())
        self.assertGreater(self.accept, 0.0)
        self.assertLess(self.accept, 1.0)
        self.assertEqual(self.accept, report["threshold"]["accept"])
        self.assertEqual(self.accept, report["summary"]["threshold"])
        self.assertEqual(self.m["metrics"]["threshold"], self.accept)
        self.assertEqual(self.m["metrics"]["test_images"], report["summary"]["test_images"])

    def test_validates_against_the_typescript_manifest_schema(self):
        code, errors = typescript_schema_errors(MANIFEST)
        self.assertEqual(code, 0, errors)

    def test_accepts_the_classifiers_brain_mri_fixtures(self):
        entries = json.loads((FIX / "fixtures.json").read_text())
        images = [decode(FIX / e["file"]) for e in entries]
        p = self.scores(images)
        for e, s in zip(entries, p):
            self.assertGreaterEqual(s, self.accept, e["file"])

    def test_refuses_a_circle_a_blank_frame_a_photo_and_a_colourised_slice(self):
        circle = np.zeros((256, 256), np.uint8)
        yy, xx = np.mgrid[:256, :256]
        circle[(yy - 128) ** 2 + (xx - 128) ** 2 < 90 ** 2] = 200
        blank = np.full((300, 400), 0, np.uint8)
        photo = np.asarray(Image.open(GS.SKLEARN / "flower.jpg").convert("RGB"))
        fixture = np.asarray(Image.open(FIX / json.loads((FIX / "fixtures.json").read_text())[0]["file"]).convert("L"))
        tinted = np.stack([fixture, (fixture * 0.55).astype(np.uint8), (fixture * 0.35).astype(np.uint8)], 2)
        p = self.scores([circle, blank, photo, tinted])
        for name, s in zip(("circle", "blank", "photo", "tinted slice"), p):
            self.assertLess(s, self.accept, name)

    def test_refuses_the_issues_plain_white_disks_on_black_well_below_the_threshold(self):
        # The issue's example (a drawn circle came back "normal" at 99 %); the shared HTTP suite draws the first one and
        # expects a score under 0.3.
        disks = []
        for side, r in ((256, 75), (512, 150), (256, 40), (512, 240)):
            yy, xx = np.mgrid[:side, :side]
            disks.append(np.where((yy - side // 2) ** 2 + (xx - side // 2) ** 2 < r ** 2, 255, 0).astype(np.uint8))
        for (side, r), s in zip(((256, 75), (512, 150), (256, 40), (512, 240)), self.scores(disks)):
            self.assertLess(s, 0.3, f"{side} x {side}, radius {r}")


if __name__ == "__main__":
    unittest.main()
