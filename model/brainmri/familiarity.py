"""Familiarity of an input to the classifier: Mahalanobis distance of its pooled features to the nearest class mean
(tied covariance fitted on training features; Lee et al. 2018), with a threshold calibrated on validation data, plus
the energy score (Liu et al. 2020) it was compared with. Both are computed in PyTorch here and in the ONNX graph."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .models import to_input

QUANTILE = 0.99  # the threshold: 1 in 100 in-distribution validation images is called unfamiliar
MAX_FIT_IMAGES = 1500  # training images whose features fit the means and covariance (more changes little, costs time)


def pooled_features(net, images: np.ndarray, batch: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Penultimate pooled features (N x D) and logits (N x C) of 0..255 images at the network's input size."""
    net.eval()
    feats, logits = [], []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            raw = torch.from_numpy(images[i:i + batch]).unsqueeze(1)
            lg, _, f = net.forward_all(to_input(raw, net))
            feats.append(f)
            logits.append(lg)
    return torch.cat(feats).numpy(), torch.cat(logits).numpy()


def fit(features: np.ndarray, labels: np.ndarray, classes: int) -> dict:
    """Class means and the Cholesky factor L of the tied precision (Sigma^-1 = L L^T), so d^2 = ||(f - mu) L||^2.
    A small ridge (1e-3 of the mean variance) keeps Sigma invertible where features are nearly collinear."""
    f = features.astype(np.float64)
    means = np.stack([f[labels == c].mean(0) for c in range(classes)])
    centred = f - means[labels]
    cov = centred.T @ centred / len(f)
    cov += np.eye(cov.shape[0]) * 1e-3 * np.trace(cov) / cov.shape[0]
    chol = np.linalg.cholesky(np.linalg.inv(cov))
    return {"means": means.astype(np.float32), "chol": chol.astype(np.float32)}


def mahalanobis(features: np.ndarray, stats: dict) -> np.ndarray:
    z = (features[:, None, :] - stats["means"][None]) @ stats["chol"]
    return np.sqrt((z * z).sum(-1).min(1))


def energy(logits: np.ndarray) -> np.ndarray:
    """Negative free energy -logsumexp(logits): higher means less familiar, like the distance."""
    m = logits.max(1, keepdims=True)
    return -(m[:, 0] + np.log(np.exp(logits - m).sum(1)))


def calibrate(net, train_x, train_y, val_x, classes: int, seed: int = 0) -> dict:
    """Fit on (a sample of) the training images, threshold at the QUANTILE of the validation distances."""
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.permutation(len(train_x))[:MAX_FIT_IMAGES])
    ftr, _ = pooled_features(net, train_x[pick])
    stats = fit(ftr, train_y[pick], classes)
    fva, lva = pooled_features(net, val_x)
    d = mahalanobis(fva, stats)
    e = energy(lva)
    return {
        "method": "mahalanobis",
        "means": stats["means"], "chol": stats["chol"],
        "threshold": float(np.quantile(d, QUANTILE)),
        "energy_threshold": float(np.quantile(e, QUANTILE)),
        "calibration": (f"{QUANTILE:.0%} quantile of the distances of the {len(val_x)} validation images (in-distribution); "
                        f"means and tied covariance from {len(pick)} training images"),
    }


class Familiarity(nn.Module):
    """In-graph Mahalanobis distance to the nearest class mean: the constants are initializers of the ONNX graph."""

    def __init__(self, means: np.ndarray, chol: np.ndarray) -> None:
        super().__init__()
        self.register_buffer("means", torch.from_numpy(np.asarray(means, np.float32)))
        self.register_buffer("chol", torch.from_numpy(np.asarray(chol, np.float32)))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        z = torch.matmul(features.unsqueeze(1) - self.means, self.chol)  # N x C x D
        return torch.sqrt((z * z).sum(-1).min(dim=1).values)


def probe_images(size: int, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """Inputs that are not brain MRI, used only to compare the two scores (never to set the threshold): crops of
    SciPy's two sample photographs (not reserved images), rendered text, shapes, gradients, noise, blank frames."""
    from PIL import Image, ImageDraw
    import warnings
    rng = np.random.default_rng(seed)
    out, kinds = [], []

    def add(img: np.ndarray, kind: str) -> None:
        im = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).resize((size, size), Image.BILINEAR)
        out.append(np.asarray(im, np.float32))
        kinds.append(kind)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import scipy.misc
        photos = [scipy.misc.face(gray=True).astype(np.float32), scipy.misc.ascent().astype(np.float32)]
    for p in photos:
        for _ in range(8):
            h, w = p.shape
            s = int(rng.integers(min(h, w) // 3, min(h, w)))
            r0, c0 = int(rng.integers(0, h - s + 1)), int(rng.integers(0, w - s + 1))
            add(p[r0:r0 + s, c0:c0 + s] * (255.0 / max(p.max(), 1)), "photo")
    for i in range(8):
        im = Image.new("L", (256, 256), int(rng.integers(0, 256)))
        d = ImageDraw.Draw(im)
        for j in range(12):
            d.text((int(rng.integers(0, 200)), 20 * j), "Lorem ipsum dolor 0123", fill=int(rng.integers(0, 256)))
        add(np.asarray(im, np.float32), "text")
    for i in range(8):
        im = Image.new("L", (256, 256), 0)
        d = ImageDraw.Draw(im)
        for _ in range(int(rng.integers(1, 5))):
            x0, y0 = rng.integers(0, 200, 2)
            d.ellipse([int(x0), int(y0), int(x0 + rng.integers(20, 120)), int(y0 + rng.integers(20, 120))],
                      fill=int(rng.integers(60, 256)))
        add(np.asarray(im, np.float32), "shapes")
    yy, xx = np.mgrid[0:256, 0:256] / 255.0
    for i in range(4):
        add(255 * (xx if i % 2 else yy) ** float(rng.uniform(0.5, 2)), "gradient")
        add(rng.uniform(0, 255, (256, 256)), "noise")
        add(np.full((256, 256), float(rng.uniform(0, 255))), "blank")
    return np.stack(out), kinds


def compare(net, fam: dict, in_images: np.ndarray) -> dict:
    """AUROC of each score at telling the in-distribution test images from the probe images (1 = perfect)."""
    from sklearn.metrics import roc_auc_score
    probe, kinds = probe_images(net.size)
    f_in, l_in = pooled_features(net, in_images)
    f_out, l_out = pooled_features(net, probe)
    y = np.r_[np.zeros(len(f_in)), np.ones(len(f_out))]
    d = np.r_[mahalanobis(f_in, fam), mahalanobis(f_out, fam)]
    e = np.r_[energy(l_in), energy(l_out)]
    fires = mahalanobis(f_out, fam) > fam["threshold"]
    return {"probe_images": len(probe), "auroc": {"mahalanobis": float(roc_auc_score(y, d)), "energy": float(roc_auc_score(y, e))},
            "mahalanobis_fires_on_probes": {k: float(fires[np.array(kinds) == k].mean()) for k in sorted(set(kinds))},
            "energy_fires_on_probes": float((energy(l_out) > fam["energy_threshold"]).mean())}
