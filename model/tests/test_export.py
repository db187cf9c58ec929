"""Smoke (generate, train 1 epoch, export, onnxruntime-node == PyTorch) and in-graph CAM == autograd Grad-CAM."""
import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnx
import torch

from brainmri import LABELS
from brainmri import familiarity as FAM
from brainmri.export import export_onnx, load_checkpoint
from brainmri.generate import generate
from brainmri.models import EdgeNet, SeedNet
from tests.helpers import ROOT, ort_run


def autograd_gradcam(net, x: torch.Tensor) -> np.ndarray:
    """Textbook Grad-CAM on the net's target layer: alpha = spatial mean of d logit_c / dA, cam = sum_k alpha_k A_k."""
    a = net.target_activations(x).detach().requires_grad_(True)
    logits = net.head(a)
    maps = []
    for c in range(logits.shape[1]):
        (g,) = torch.autograd.grad(logits[:, c].sum(), a, retain_graph=True)
        alpha = g.mean(dim=(2, 3), keepdim=True)
        maps.append((alpha * a).sum(1))
    return torch.stack(maps, 1).detach().numpy()


def normalise(cam: np.ndarray) -> np.ndarray:
    """The contract's saliency normalisation: ReLU, then divide each map by its max (all-zero stays zero)."""
    r = np.maximum(cam, 0)
    m = r.max(axis=(2, 3), keepdims=True)
    return np.where(m > 0, r / np.where(m > 0, m, 1), 0)


def randomise_bn(net, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=g) * 0.1)


class CamTest(unittest.TestCase):
    def check(self, net, scale: float, offset: float):
        torch.manual_seed(5)
        net.eval()
        x = torch.rand(3, net.channels, net.size, net.size) * scale + offset
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "m.onnx"
            export_onnx(net, path)
            ort = ort_run(path, x.numpy())
        expect = autograd_gradcam(net, x)
        self.assertEqual(ort["cam"].shape, expect.shape)
        self.assertGreater(float(np.abs(expect).max()), 0)
        self.assertLessEqual(float(np.abs(normalise(ort["cam"]) - normalise(expect)).max()), 1e-4)
        with torch.no_grad():
            logits = net(x).numpy()
        np.testing.assert_allclose(ort["logits"], logits, atol=1e-4)
        return ort, expect, logits

    def test_edge_cam_is_exactly_gradcam(self):
        net = EdgeNet()
        randomise_bn(net, 1)
        ort, expect, logits = self.check(net, 4.0, -1.0)
        # raw values agree too (cam is scaled by 1/(h*w), the GAP factor): logits = spatial sum of cam + bias
        self.assertLessEqual(float(np.abs(ort["cam"] - expect).max()), 1e-5)
        np.testing.assert_allclose(ort["cam"].sum(axis=(2, 3)) + net.fc.bias.detach().numpy(), logits, atol=1e-4)

    def test_seed_cam_is_analytic_gradcam(self):
        net = SeedNet(size=64)  # the paper's architecture on a smaller input keeps the Dense layer test-sized
        ort, expect, _ = self.check(net, 255.0, 0.0)
        scale = float(np.abs(expect).max())
        self.assertLessEqual(float(np.abs(ort["cam"] - expect).max()) / scale, 1e-4)


class FamiliarityTest(unittest.TestCase):
    def test_onnx_features_and_distance_equal_the_pytorch_computation(self):
        net = EdgeNet()
        randomise_bn(net, 2)
        net.eval()
        g = torch.Generator().manual_seed(6)
        fit_x = torch.rand(24, 1, net.size, net.size, generator=g) * 4 - 1
        with torch.no_grad():
            _, _, feats = net.forward_all(fit_x)
        stats = FAM.fit(feats.numpy(), np.arange(24) % len(LABELS), len(LABELS))
        x = torch.rand(3, 1, net.size, net.size, generator=g) * 4 - 1
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "m.onnx"
            export_onnx(net, path, FAM.Familiarity(stats["means"], stats["chol"]))
            self.assertEqual([o.name for o in onnx.load(str(path)).graph.output],
                             ["logits", "probabilities", "cam", "features", "familiarity"])
            ort = ort_run(path, x.numpy())
        with torch.no_grad():
            logits, cam, f = net.forward_all(x)
        np.testing.assert_allclose(ort["features"], f.numpy(), rtol=1e-4, atol=1e-5)
        want = FAM.mahalanobis(f.numpy(), stats)  # numpy, independent of the graph's formulation
        np.testing.assert_allclose(ort["familiarity"], want, rtol=1e-4)
        np.testing.assert_allclose(ort["logits"], logits.numpy(), atol=1e-4)
        # Distance is zero at a class mean and grows away from it.
        d = FAM.mahalanobis(np.stack([stats["means"][1], stats["means"][1] * 3.0]), stats)
        self.assertLess(d[0], 1e-3)
        self.assertGreater(d[1], 1.0)

    def test_threshold_flags_the_calibration_quantile_and_far_inputs(self):
        rng = np.random.default_rng(7)
        means = rng.normal(size=(4, 16)) * 3
        y = rng.integers(0, 4, 4000)
        f = means[y] + rng.normal(size=(4000, 16))
        stats = FAM.fit(f[:3000], y[:3000], 4)
        d_val = FAM.mahalanobis(f[3000:].astype(np.float32), stats)
        thr = float(np.quantile(d_val, FAM.QUANTILE))
        self.assertAlmostEqual(float((d_val > thr).mean()), 1 - FAM.QUANTILE, delta=0.002)
        far = means[y[:200]] + rng.normal(size=(200, 16)) * 3  # three times the spread: unfamiliar
        self.assertGreater(float((FAM.mahalanobis(far.astype(np.float32), stats) > thr).mean()), 0.9)


class SmokeTest(unittest.TestCase):
    def test_generate_train_export_and_onnxruntime_node_matches_pytorch(self):
        with tempfile.TemporaryDirectory() as tmp:
            data, run = Path(tmp) / "data", Path(tmp) / "run"
            generate(data, seed=31, per_class=10, test_fraction=0.2, workers=2, quiet=True, anatomies=("colin27",))
            env = dict(os.environ, PYTHONPATH=str(ROOT / "model"))
            subprocess.run([str(ROOT / "scripts" / "python.sh"), "-m", "brainmri.train", "--arch", "edge", "--data", str(data),
                            "--epochs", "1", "--out", str(run), "--threads", "2"], check=True, env=env, cwd=ROOT,
                           capture_output=True)
            onnx_path = Path(tmp) / "smoke.onnx"
            subprocess.run([str(ROOT / "scripts" / "python.sh"), "-m", "brainmri.export", "--checkpoint", str(run / "best.pt"),
                            "--out", str(onnx_path)], check=True, env=env, cwd=ROOT, capture_output=True)
            manifest = json.loads((Path(tmp) / "smoke.manifest.json").read_text())
            self.assertEqual(manifest["labels"], list(LABELS))
            side = EdgeNet.size
            self.assertEqual(manifest["input"]["shape"], [None, 1, side, side])
            self.assertEqual(manifest["preprocessing"]["resize"], {"width": side, "height": side, "filter": "bilinear-antialias"})
            self.assertEqual(manifest["training"]["epochs"], 1)
            model = onnx.load(str(onnx_path))
            self.assertGreaterEqual(model.opset_import[0].version, 17)
            self.assertEqual([o.name for o in model.graph.output], ["logits", "probabilities", "cam", "features", "familiarity"])
            self.assertEqual(manifest["outputs"]["familiarity"], "familiarity")
            self.assertEqual(manifest["familiarity"]["method"], "mahalanobis")
            self.assertGreater(manifest["familiarity"]["threshold"], 0)
            net, _ = load_checkpoint(run / "best.pt")
            x = torch.randn(2, 1, side, side)
            ort = ort_run(onnx_path, x.numpy())
            with torch.no_grad():
                logits, cam = net.forward_with_cam(x)
            probs = torch.softmax(logits, 1)
            for name, ref in (("logits", logits), ("probabilities", probs), ("cam", cam)):
                diff = float(np.abs(ort[name] - ref.numpy()).max())
                self.assertLessEqual(diff, 1e-4, name)
            np.testing.assert_allclose(ort["probabilities"].sum(1), 1.0, atol=1e-5)


if __name__ == "__main__":
    unittest.main()
