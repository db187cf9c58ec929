"""Familiarity of an input to the classifier: Mahalanobis distance of its pooled features to the nearest class mean
(tied covariance fitted on training features; Lee et al. 2018), with a threshold calibrated on validation data, plus
the energy score (Liu et al. 2020) it was compared with. Both are computed in PyTorch here and in the ONNX graph."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .models import to_input

QUANTILE = 0.99  # the threshold: 1 in 100 in-distribution validation images is called unfamiliar
MAX_FIT_IMAGES = 3000  # training images whose features fit the means and covariance (more changes little, costs time)


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
