"""The two architectures (`edge`: compact GAP head; `seed`: the paper's Conv64/Conv128/Dense64) and their in-graph CAM heads."""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

from . import LABELS
from . import preprocess as P


def _block(cin: int, cout: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class EdgeNet(nn.Module):
    """Compact CNN, about 0.29M parameters and 0.1 GMAC at 1 x 192 x 192, with a 24 x 24 class-activation map.

    Two 3x3 stride-2 stem convolutions (an earlier 4x4 stride-4 patchify stem learned hypo-intense native-T1 lesions
    too slowly), 3x3 blocks at 1/4, 1/8 and 1/16 of the input side (48, 24 and 12 px), the last one dilated (receptive
    field about 120 px). The map the head sees is the 1/8 features concatenated with the 1/16 ones upsampled: small
    lesions (pituitary, about 1 cm) get a map fine enough for the heatmap's peak to land on them, while the deep features
    still carry the context.
    With GAP + linear over that map, logits[c] = sum(cam[c]) + bias[c] where cam[c] = sum_k w[c,k] A_k / (h*w):
    that is both the class-activation map and, exactly, Grad-CAM (d logit / d A_k = w[c,k] / (h*w) everywhere).
    """

    arch = "edge"
    channels = 1
    # The input contract (the manifest's `preprocessing`): x = (v * scale - mean[c]) / std[c] on 0..255 grey.
    norm = {"color": "grayscale", "scale": P.SCALE, "mean": [P.MEAN], "std": [P.STD]}
    # Input side in pixels (the manifest's resize). 192 rather than the paper's 256: at the same 20-minute training
    # budget a 192 px step costs about half as much, so the network gets about twice the updates, and it validated
    # better than the same network finished at 256 px (val loss 0.47 against 0.55); inference costs about half too.
    size = 192

    def __init__(self, num_classes: int = len(LABELS)) -> None:
        super().__init__()
        self.stem = nn.Sequential(_block(1, 16, stride=2), _block(16, 32, stride=2), _block(32, 32))  # 1/4
        self.mid = nn.Sequential(_block(32, 64, stride=2), _block(64, 64))  # 1/8
        self.deep = nn.Sequential(_block(64, 128, stride=2), _block(128, 128, dilation=2))  # 1/16
        self.dropout = nn.Dropout(0.1)
        self.fc = nn.Linear(64 + 128, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        m = self.mid(self.stem(x))
        d = F.interpolate(self.deep(m), size=m.shape[2:], mode="bilinear", align_corners=False)
        return torch.cat([m, d], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pooled_logits(self.features(x))

    def pooled_logits(self, a: torch.Tensor) -> torch.Tensor:
        """Image logits from the feature map: global average pooling, dropout (training only), the linear layer."""
        return self.fc(self.dropout(a.mean(dim=(2, 3))))

    def evidence(self, a: torch.Tensor) -> torch.Tensor:
        """Per-cell class evidence W A (a 1x1 convolution with the classifier's weights): its spatial mean plus the bias
        is the image logit, and divided by h * w it is the class-activation map. Written as that convolution: on the CPU
        its backward pass costs about a quarter of an equivalent einsum's, which was a fifth of a training step."""
        return F.conv2d(a, self.fc.weight[:, :, None, None])

    def forward_with_cam(self, x: torch.Tensor):
        logits, cam, _ = self.forward_all(x)
        return logits, cam

    def forward_all(self, x: torch.Tensor):
        """Logits, class-activation maps and the pooled (penultimate) features the familiarity score reads."""
        a = self.features(x)
        cam = self.evidence(a) * (1.0 / (a.shape[2] * a.shape[3]))
        logits = cam.sum(dim=(2, 3)) + self.fc.bias
        return logits, cam, a.mean(dim=(2, 3))

    @property
    def classifier(self) -> nn.Linear:
        """The last layer: temperature is baked into it and it trains at a higher rate."""
        return self.fc

    def target_activations(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)

    def head(self, a: torch.Tensor) -> torch.Tensor:
        return self.fc(a.mean(dim=(2, 3)))


class SeedNet(nn.Module):
    """The paper's model: Rescaling(1/255) in the model, Conv64-3x3-ReLU, MaxPool, Conv128-3x3-ReLU, MaxPool,
    Flatten, Dense 64 ReLU, Dense 4 (softmax in the exported graph). 'valid' convolutions as in Keras' default."""

    arch = "seed"
    channels = 3
    # The paper rescales inside the model: it takes raw 0..255 RGB.
    norm = {"color": "rgb", "scale": 1.0, "mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0]}

    def __init__(self, num_classes: int = len(LABELS), size: int = 256) -> None:
        super().__init__()
        self.size = size
        self.conv1 = nn.Conv2d(3, 64, 3)
        self.conv2 = nn.Conv2d(64, 128, 3)
        s = ((size - 2) // 2 - 2) // 2
        self.map_size = s
        self.fc1 = nn.Linear(128 * s * s, 64)
        self.fc2 = nn.Linear(64, num_classes)

    @property
    def classifier(self) -> nn.Linear:
        return self.fc2

    def target_activations(self, x: torch.Tensor) -> torch.Tensor:
        x = x * (1.0 / 255.0)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        return F.max_pool2d(F.relu(self.conv2(x)), 2)

    def head(self, a: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.relu(self.fc1(a.flatten(1))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.target_activations(x))

    def forward_with_cam(self, x: torch.Tensor):
        """Grad-CAM on the last pooled map, written as graph ops.

        logit_c = W2[c] . relu(W1 a + b1) + b2[c], so d logit_c / d a = W1^T (W2[c] * [W1 a + b1 > 0]).
        alpha[c, k] = spatial mean of that gradient; cam[c] = sum_k alpha[c, k] A_k (raw, no ReLU).
        """
        a = self.target_activations(x)
        n, k, h, w = a.shape
        pre = self.fc1(a.flatten(1))  # n x 64
        mask = (pre > 0).to(a.dtype)
        logits = self.fc2(F.relu(pre))
        g_hidden = self.fc2.weight.unsqueeze(0) * mask.unsqueeze(1)  # n x C x 64
        # Spatial mean of the gradient, folded into W1 first: W1 reshaped to 64 x K x HW, mean over HW.
        w1_mean = self.fc1.weight.view(-1, k, h * w).mean(dim=2)  # 64 x K
        alpha = torch.matmul(g_hidden, w1_mean)  # n x C x K
        cam = torch.einsum("nck,nkhw->nchw", alpha, a)
        return logits, cam


class ExportWrapper(nn.Module):
    """What goes into the ONNX graph: image -> (logits, probabilities, cam), plus (features, familiarity) when given
    a familiarity module (the edge model's pooled features and their Mahalanobis distance)."""

    def __init__(self, net: nn.Module, familiarity: nn.Module | None = None) -> None:
        super().__init__()
        self.net = net
        self.familiarity = familiarity

    def forward(self, image: torch.Tensor):
        if self.familiarity is None:
            logits, cam = self.net.forward_with_cam(image)
            return logits, torch.softmax(logits, dim=1), cam
        logits, cam, feats = self.net.forward_all(image)
        return logits, torch.softmax(logits, dim=1), cam, feats, self.familiarity(feats)


def to_input(raw: torch.Tensor, net: nn.Module) -> torch.Tensor:
    """0..255 grey N x 1 x H x W -> the input the network's `norm` (and so the manifest) describes."""
    x = raw.expand(-1, net.channels, -1, -1) if net.channels != raw.shape[1] else raw
    mean, std = net.norm["mean"], net.norm["std"]
    if len(set(mean)) == 1 and len(set(std)) == 1:
        return (x * net.norm["scale"] - mean[0]) / std[0]
    shape = (1, len(mean), 1, 1)
    return (x * net.norm["scale"] - torch.tensor(mean).view(shape)) / torch.tensor(std).view(shape)


def build(arch: str) -> nn.Module:
    if arch == "edge":
        return EdgeNet()
    if arch == "seed":
        return SeedNet()
    raise ValueError(f"unknown architecture {arch!r}; use 'edge' or 'seed'")


def count_parameters(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def conv_macs(net: nn.Module, shape) -> int:
    """Multiply-accumulates of the conv and linear layers for one input of `shape` (C, H, W)."""
    total = 0
    hooks = []

    def conv_hook(m, inp, out):
        nonlocal total
        total += out.numel() // out.shape[0] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def lin_hook(m, inp, out):
        nonlocal total
        total += m.in_features * m.out_features

    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(lin_hook))
    was = net.training
    net.eval()
    with torch.no_grad():
        net(torch.zeros(1, *shape))
    net.train(was)
    for h in hooks:
        h.remove()
    return total
