"""Rebuild a PyTorch checkpoint of the edge network from a shipped ONNX file (batch norm folded into the convolutions by
the export), so a shipped model can be fine-tuned on new data with `npm run train -- --init CHECKPOINT`.

Each folded convolution W x + b becomes the network's bias-free convolution followed by a batch norm whose statistics
are measured on sample images, set so that training-mode normalisation reproduces x + b at the start:
gamma = batch std, beta = batch mean + b (and the running statistics the same)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from .models import EdgeNet, to_input


def rebuild(onnx_path: Path, images: np.ndarray) -> EdgeNet:
    import onnx
    from onnx import numpy_helper
    m = onnx.load(str(onnx_path))
    inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    convs = [n for n in m.graph.node if n.op_type == "Conv"]
    net = EdgeNet()
    blocks = [b for seq in (net.stem, net.mid, net.deep) for b in seq]
    if len(convs) != len(blocks) + 1:
        raise SystemExit(f"{onnx_path}: {len(convs)} convolutions, expected {len(blocks) + 1} for the edge network")
    folded = [(inits[c.input[1]], inits[c.input[2]]) for c in convs[:-1]]
    with torch.no_grad():
        for (w, b), block in zip(folded, blocks):
            conv, bn = block[0], block[1]
            conv.weight.copy_(torch.from_numpy(w))
            bn.running_mean.zero_(), bn.running_var.fill_(1.0 - bn.eps), bn.weight.fill_(1.0)
            bn.bias.copy_(torch.from_numpy(b))
        net.fc.weight.copy_(torch.from_numpy(inits[convs[-1].input[1]][:, :, 0, 0]))
        net.fc.bias.copy_(torch.from_numpy(inits["net.fc.bias"]))
        # Measure each convolution's raw output on the sample, block by block (later blocks see the rebuilt earlier ones).
        x = to_input(torch.from_numpy(images).unsqueeze(1), net)
        net.eval()
        stats = []
        hooks = [blk[0].register_forward_hook(lambda mod, i, o: stats.append((o.mean((0, 2, 3)), o.var((0, 2, 3)))))
                 for blk in blocks]
        net.features(x)
        for h in hooks:
            h.remove()
        for (mean, var), (_, b), block in zip(stats, folded, blocks):
            bn = block[1]
            bn.running_mean.copy_(mean), bn.running_var.copy_(var)
            bn.weight.copy_(torch.sqrt(var + bn.eps))
            bn.bias.copy_(mean + torch.from_numpy(b))
    return net


def main(argv=None) -> None:
    from .data import load_cached
    ap = argparse.ArgumentParser(description="Rebuild an edge checkpoint from a shipped ONNX (for --init fine-tuning).")
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--manifest", default=None, help="its manifest (for the baked temperature and training record)")
    ap.add_argument("--data", required=True, help="dataset whose training images measure the batch-norm statistics")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    ds = load_cached(args.data, size=EdgeNet.size)
    x, _, _ = ds.subset("train")
    pick = np.random.default_rng(0).permutation(len(x))[:256]
    net = rebuild(Path(args.onnx), x[pick])
    manifest = json.loads(Path(args.manifest).read_text()) if args.manifest else {}
    training = dict(manifest.get("training", {"epochs": None, "seconds": None, "temperature": 1.0}))
    training.setdefault("resumed_from", None)
    torch.save({"arch": "edge", "state_dict": net.state_dict(), "training": training, "history": []}, args.out)
    print(f"wrote {args.out} from {args.onnx} (temperature {training.get('temperature')})")


if __name__ == "__main__":
    main()
