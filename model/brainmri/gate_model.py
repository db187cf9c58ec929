"""The input gate's network: a tiny RGB CNN answering "is this a brain MRI slice?" (labels brain_mri, other)."""
from __future__ import annotations

import torch
from torch import nn

from .models import _block

# Same normalisation as the classifier's grey channel, on each of R, G, B: x = (v / 255 - 0.2) / 0.25.
SCALE = 1.0 / 255.0
MEAN = 0.2
STD = 0.25


class GateNet(nn.Module):
    """Six 3x3 conv + batch-norm + ReLU blocks (four of them stride 2: 64 -> 4 px), global average and max pooling, one
    linear layer. About 0.28 M parameters and 19 M multiply-accumulates at 3 x 64 x 64 (width 24; width 16 has 0.13 M and
    8 M but generalised less well to held-out sources). RGB in, so colour is visible to it:
    an MRI slice is grey (R = G = B); a photograph of a specimen or a colour-mapped slice is not. The max pool lets a small
    patch (a coloured spot, a line of text) decide as well as the overall look."""

    arch = "gate"
    channels = 3
    size = 64

    def __init__(self, num_classes: int = 2, width: int = 24) -> None:
        super().__init__()
        w = width
        self.body = nn.Sequential(
            _block(3, w, stride=2), _block(w, 2 * w, stride=2), _block(2 * w, 2 * w),
            _block(2 * w, 4 * w, stride=2), _block(4 * w, 4 * w), _block(4 * w, 6 * w, stride=2))
        self.fc = nn.Linear(12 * w, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.body(x)
        return self.fc(torch.cat([a.mean(dim=(2, 3)), a.amax(dim=(2, 3))], dim=1))


class GateExport(nn.Module):
    """What goes into the ONNX graph: image -> (logits, probabilities)."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, image: torch.Tensor):
        logits = self.net(image)
        return logits, torch.softmax(logits, dim=1)


def normalise(x_uint8: torch.Tensor) -> torch.Tensor:
    """0..255 values (as stored by gate_data, already resized) -> the model input the manifest describes."""
    return (x_uint8.float() * SCALE - MEAN) / STD
