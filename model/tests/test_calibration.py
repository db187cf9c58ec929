"""Post-hoc calibration: temperature plus class biases undo a shifted class prior, and baking is exact and reversible."""
import unittest

import torch
import torch.nn.functional as F

from brainmri.calibration import bake, calibrate_logits, fit_temperature, unbake
from brainmri.models import EdgeNet


def shifted_logits(n: int = 4000, seed: int = 0):
    """Labels drawn from softmax(true); the model's logits are twice as sharp and favour the tumour classes by 1.5
    over "normal" (index 2), the way an under-trained network treats unseen healthy slices."""
    g = torch.Generator().manual_seed(seed)
    true = torch.randn(n, 4, generator=g) * 1.5
    y = torch.multinomial(true.softmax(1), 1, generator=g)[:, 0]
    seen = true * 2.0
    seen[:, 2] -= 1.5 * 2.0
    return seen, y, true


class CalibrationTest(unittest.TestCase):
    def test_biases_recover_the_prior_that_temperature_alone_cannot(self):
        seen, y, _ = shifted_logits()
        t_only, _ = calibrate_logits(seen, y, "temperature")
        t, cb = calibrate_logits(seen, y, "bias")
        nll_t = float(F.cross_entropy(seen / t_only, y))
        nll_b = float(F.cross_entropy(seen / t + torch.tensor(cb), y))
        self.assertLess(nll_b, nll_t - 0.02)
        self.assertAlmostEqual(t, 2.0, delta=0.2)
        self.assertAlmostEqual(sum(cb), 0.0, places=6)
        self.assertGreater(cb[2] - max(cb[0], cb[1], cb[3]), 1.0)  # normal lifted back by about 1.5
        normal = y == 2
        recall_before = float((seen[normal].argmax(1) == 2).float().mean())
        recall_after = float(((seen[normal] / t + torch.tensor(cb)).argmax(1) == 2).float().mean())
        self.assertGreater(recall_after, recall_before + 0.2)

    def test_temperature_mode_matches_the_golden_section_fit(self):
        seen, y, _ = shifted_logits(seed=1)
        t, cb = calibrate_logits(seen, y, "temperature")
        self.assertEqual(t, fit_temperature(seen, y))
        self.assertEqual(cb, [0.0] * 4)

    def test_bake_is_exact_and_unbake_restores_the_raw_layer(self):
        torch.manual_seed(0)
        net = EdgeNet().eval()
        x = torch.randn(2, 1, net.size, net.size)
        w0, b0 = net.classifier.weight.clone(), net.classifier.bias.clone()
        with torch.no_grad():
            raw = net(x)
        t, cb = 0.7, [0.3, -0.1, 0.5, -0.7]
        bake(net, t, cb)
        with torch.no_grad():
            torch.testing.assert_close(net(x), raw / t + torch.tensor(cb), rtol=1e-5, atol=1e-5)
        unbake(net, {"temperature": t, "class_bias": cb})
        torch.testing.assert_close(net.classifier.weight, w0, rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(net.classifier.bias, b0, rtol=1e-6, atol=1e-6)


if __name__ == "__main__":
    unittest.main()
