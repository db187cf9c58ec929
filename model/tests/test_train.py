"""Training pieces: the location loss rewards lesion evidence big enough to survive average pooling, augmentation keeps
image and mask aligned at any output size, intensity augmentations keep the range, progressive resizing stages,
balanced sampling over a metadata column."""
import argparse
import csv
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch

from brainmri.models import EdgeNet
from brainmri.train import (affine_grid, augment, balance_weights, evaluate_logits, input_size, intensity_curve,
                            invert_head, location_loss, parse_balance, parse_progressive)


def one_lesion(h: int = 8, w: int = 8):
    """A batch of one glioma image whose lesion covers 2 of the 8 x 8 cells (mask given at 32 x 32)."""
    mask = torch.zeros(1, 1, 32, 32)
    mask[:, :, 8:12, 8:16] = 1.0  # cells (2, 2) and (2, 3)
    lesion = torch.zeros(h, w, dtype=torch.bool)
    lesion[2, 2:4] = True
    return mask, lesion, torch.tensor([0]), torch.tensor([True])


class LocationLossTest(unittest.TestCase):
    def setUp(self):
        self.mask, self.lesion, self.y, self.known = one_lesion()
        self.bias = torch.tensor([0.0, 0.0, 3.0, 0.0])  # the bias favours normal, as a trained model's does

    def evidence(self, per_cell: float, cls: int = 0) -> torch.Tensor:
        z = torch.zeros(1, 4, 8, 8)
        z[0, cls][self.lesion] = per_cell
        return z

    def test_lesion_evidence_must_outweigh_the_bias_after_pooling(self):
        weak, strong = self.evidence(10.0), self.evidence(400.0)
        # Both say glioma on the lesion cells; only the strong one survives the mean over 64 cells against the bias.
        self.assertEqual(int((strong.mean(dim=(2, 3)) + self.bias).argmax()), 0)
        self.assertEqual(int((weak.mean(dim=(2, 3)) + self.bias).argmax()), 2)
        lw = float(location_loss(weak, self.bias, self.y, self.mask, self.known))
        ls = float(location_loss(strong, self.bias, self.y, self.mask, self.known))
        self.assertLess(ls, lw - 1.0)
        # Without the pooled-share term, a per-cell loss alone cannot tell the two apart.
        lw0 = float(location_loss(weak, self.bias, self.y, self.mask, self.known, scaled_cells=False))
        ls0 = float(location_loss(strong, self.bias, self.y, self.mask, self.known, scaled_cells=False))
        self.assertLess(abs(lw0 - ls0), 1e-3)

    def test_wrong_class_and_background_evidence_cost(self):
        right = float(location_loss(self.evidence(400.0, 0), self.bias, self.y, self.mask, self.known))
        wrong = float(location_loss(self.evidence(400.0, 1), self.bias, self.y, self.mask, self.known))
        self.assertGreater(wrong, right + 10)
        z = self.evidence(400.0)
        z[0, 3, 6, 6] = 5.0  # class evidence on a cell far from the lesion
        self.assertGreater(float(location_loss(z, self.bias, self.y, self.mask, self.known)), right)

    def test_size_balanced_pulls_small_and_large_lesions_alike(self):
        # Two images, a 2-cell and an 8-cell lesion, both with no evidence yet: the pooled-share term's pull on a
        # lesion cell scales with the lesion's share unless size-balanced.
        mask = torch.zeros(2, 1, 32, 32)
        mask[0, :, 8:12, 8:16] = 1.0  # 2 cells
        mask[1, :, 16:24, 0:16] = 1.0  # 8 cells
        y, known = torch.tensor([1, 1]), torch.tensor([True, True])

        def pull(**kw) -> np.ndarray:
            z = torch.zeros(2, 4, 8, 8, requires_grad=True)
            location_loss(z, self.bias, y, mask, known, **kw).backward()
            g = z.grad[:, 1].abs()
            return np.array([float(g[0, 2, 2]), float(g[1, 4, 0])])

        per_cell = pull(scaled_cells=False)  # the same for every lesion cell
        small, large = pull() - per_cell
        self.assertAlmostEqual(small * 4, large, places=6)  # a quarter of the share, a quarter of the pull
        small, large = pull(size_balanced=True) - per_cell
        self.assertGreater(small, 0.0)
        self.assertAlmostEqual(small, large, places=6)

    def test_unknown_masks_add_nothing(self):
        z = torch.randn(1, 4, 8, 8)
        self.assertEqual(float(location_loss(z, self.bias, self.y, self.mask, torch.tensor([False]))), 0.0)


class AugmentTest(unittest.TestCase):
    def test_affine_grid_matches_torch(self):
        theta = torch.randn(3, 2, 3, generator=torch.Generator().manual_seed(4))
        for h, w in ((40, 40), (24, 56)):
            want = torch.nn.functional.affine_grid(theta, [3, 1, h, w], align_corners=False)
            self.assertLess(float((affine_grid(theta, h, w) - want).abs().max()), 1e-5)

    def test_image_and_mask_move_together_at_a_smaller_output_size(self):
        raw = torch.zeros(4, 1, 64, 64)
        raw[:, :, 10:22, 36:50] = 255.0
        mask = (raw > 0).float()[:, :, ::2, ::2].contiguous()  # masks are kept at a lower resolution
        g = torch.Generator().manual_seed(5)
        x, m = augment(raw, g, mask, size=40)
        self.assertEqual(tuple(x.shape), (4, 1, 40, 40))
        up = torch.nn.functional.interpolate(m, size=(40, 40), mode="bilinear", align_corners=False)
        for i in range(4):
            bright = (x[i, 0] > 128).float()
            inside = float((bright * up[i, 0]).sum() / bright.sum())
            self.assertGreater(inside, 0.8)

    def test_tone_curves_are_increasing_and_keep_the_range(self):
        g = torch.Generator().manual_seed(2)
        ramp = torch.linspace(0, 255, 256).view(1, 1, 1, 256).repeat(8, 1, 1, 1)
        out = intensity_curve(ramp, g, 1.0)
        self.assertTrue(bool((out[..., 1:] >= out[..., :-1] - 1e-4).all()))
        self.assertTrue(torch.allclose(out[..., 0], torch.zeros(8, 1, 1), atol=1e-4))
        self.assertTrue(torch.allclose(out[..., -1], torch.full((8, 1, 1), 255.0), atol=1e-3))
        self.assertFalse(torch.allclose(out, ramp, atol=1.0))
        self.assertTrue(torch.equal(intensity_curve(ramp, g, 0.0), ramp))

    def test_inversion_flips_the_head_and_leaves_the_air_black(self):
        x = torch.zeros(2, 1, 32, 32)
        x[:, :, 8:24, 8:24] = 200.0
        x[:, :, 14:18, 14:18] = 40.0  # a dark lesion in bright tissue
        out = invert_head(x, torch.Generator().manual_seed(0), 1.0)
        self.assertEqual(float(out[0, 0, 0, 0]), 0.0)
        self.assertEqual(float(out[0, 0, 10, 10]), 55.0)
        self.assertEqual(float(out[0, 0, 15, 15]), 215.0)
        self.assertTrue(torch.equal(invert_head(x, torch.Generator().manual_seed(0), 0.0), x))


class ProgressiveResizingTest(unittest.TestCase):
    def test_stages_then_full_size(self):
        stages = parse_progressive("128:0.5,192:0.75")
        sizes = [input_size(stages, e, 8) for e in range(1, 9)]
        self.assertEqual(sizes, [128] * 4 + [192] * 2 + [None] * 2)
        self.assertEqual(input_size(parse_progressive(""), 1, 8), None)

    def test_validation_runs_at_the_epochs_input_size(self):
        net = EdgeNet().eval()
        images = np.random.default_rng(0).random((3, net.size, net.size)).astype(np.float32) * 255
        seen = []
        hook = net.stem.register_forward_pre_hook(lambda m, inp: seen.append(tuple(inp[0].shape[2:])))
        self.assertEqual(tuple(evaluate_logits(net, images, size=128).shape), (3, 4))
        evaluate_logits(net, images)
        hook.remove()
        self.assertEqual(seen, [(128, 128), (net.size, net.size)])

    def test_bad_specs_say_what_is_accepted(self):
        for bad in ("128", "128:0.7,192:0.5", "16:0.5", "128:1.5"):
            with self.assertRaises(argparse.ArgumentTypeError) as ctx:
                parse_progressive(bad)
            self.assertIn("128:0.5" if bad == "128" else "increasing", str(ctx.exception))


class BalancedSamplingTest(unittest.TestCase):
    def write(self, root: Path, contrasts: list[str]) -> list[str]:
        paths = []
        with (root / "metadata.csv").open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["file", "label", "contrast"])
            for i, c in enumerate(contrasts):
                w.writerow([f"Training/glioma/{i}.jpg", "glioma", c])
                paths.append(str(root / f"Training/glioma/{i}.jpg"))
        return paths

    def test_power_one_draws_every_value_equally_and_smaller_powers_part_way(self):
        with tempfile.TemporaryDirectory() as tmp:
            contrasts = ["t1"] * 10 + ["t1c"] * 60 + ["t2"] * 30
            paths = self.write(Path(tmp), contrasts)
            share = lambda w, v: float(sum(wi for wi, c in zip(w, contrasts) if c == v))  # noqa: E731
            equal, values = balance_weights(paths, tmp, "contrast", 1.0)
            self.assertEqual(values, contrasts)
            for v in ("t1", "t1c", "t2"):
                self.assertAlmostEqual(share(equal, v), 1 / 3)
            part, _ = balance_weights(paths, tmp, "contrast", 0.5)
            self.assertTrue(0.1 < share(part, "t1") < 1 / 3)
            self.assertAlmostEqual(float(part.sum()), 1.0)

    def test_missing_metadata_or_column_says_what_is_needed(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(SystemExit) as ctx:
                balance_weights([str(Path(tmp) / "a.jpg")], tmp, "contrast", 1.0)
            self.assertIn("metadata.csv", str(ctx.exception))
            paths = self.write(Path(tmp), ["t1", "t2"])
            with self.assertRaises(SystemExit) as ctx:
                balance_weights(paths, tmp, "scanner", 1.0)
            self.assertIn("columns there: file, label, contrast", str(ctx.exception))

    def test_spec_parsing(self):
        self.assertEqual(parse_balance("contrast:0.75"), ("contrast", 0.75))
        self.assertEqual(parse_balance("contrast"), ("contrast", 1.0))
        self.assertIsNone(parse_balance(""))
        for bad in ("contrast:2", "contrast:x", ":0.5"):
            with self.assertRaises(argparse.ArgumentTypeError):
                parse_balance(bad)


if __name__ == "__main__":
    unittest.main()
