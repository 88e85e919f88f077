#!/usr/bin/python3
"""PyTorch oracle for dermtl's layers (run by tests/nn through /usr/bin/python3).

usage: torch_layers.py layer DIR    -- DIR/spec.json names the layer; reads x, dy (and w, b) .npy,
                                       writes y.npy, dx.npy (and dw.npy, db.npy)
       torch_layers.py vgg_m DIR    -- VGG-M forward: reads x.npy and <layer>_w/_b.npy, writes
                                       logits.npy and relu7.npy

Everything is computed in float64 from the float32 inputs, so the oracle's own rounding is far
below the tolerance the tests apply to dermtl's float32 results.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_grad_enabled(True)


def load(d, name):
    return torch.from_numpy(np.load(os.path.join(d, name + ".npy")).astype(np.float64))


def save(d, name, t):
    np.save(os.path.join(d, name + ".npy"), t.detach().numpy().astype(np.float64))


def conv(x, w, b, stride, pad):
    top, bottom, left, right = pad
    x = F.pad(x, (left, right, top, bottom))
    return F.conv2d(x, w, b.reshape(-1), stride=stride)


def max_pool(x, k, stride, pad, ceil):
    top, bottom, left, right = pad
    if top == bottom and left == right and top == left:
        return F.max_pool2d(x, k, stride, padding=top, ceil_mode=ceil)
    if ceil:
        raise SystemExit("oracle: asymmetric padding is only defined here with floor rounding")
    x = F.pad(x, (left, right, top, bottom), value=-float("inf"))
    return F.max_pool2d(x, k, stride, ceil_mode=False)


def lrn(x, size, kappa, alpha, beta):
    # PyTorch divides alpha by size; MatConvNet/Lasagne do not: pass alpha * size.
    return F.local_response_norm(x, size, alpha=alpha * size, beta=beta, k=kappa)


def run_layer(d):
    spec = json.load(open(os.path.join(d, "spec.json")))
    x = load(d, "x").requires_grad_(True)
    dy = load(d, "dy")
    params = []
    kind = spec["kind"]
    if kind == "conv2d":
        w = load(d, "w").requires_grad_(True)
        b = load(d, "b").requires_grad_(True)
        params = [("dw", w), ("db", b)]
        y = conv(x, w, b, spec["stride"], spec["pad"])
    elif kind == "dense":
        w = load(d, "w").requires_grad_(True)
        b = load(d, "b").requires_grad_(True)
        params = [("dw", w), ("db", b)]
        y = F.linear(x.reshape(x.shape[0], -1), w.reshape(w.shape[0], -1), b.reshape(-1))
        y = y.reshape(y.shape[0], -1, 1, 1)
    elif kind == "relu":
        y = F.relu(x)
    elif kind == "lrn":
        y = lrn(x, spec["size"], spec["kappa"], spec["alpha"], spec["beta"])
    elif kind == "max_pool":
        y = max_pool(x, spec["kernel"], spec["stride"], spec["pad"], spec["ceil"])
    elif kind == "softmax_cross_entropy":
        labels = torch.from_numpy(np.load(os.path.join(d, "labels.npy")).astype(np.int64))
        loss = F.cross_entropy(x.reshape(x.shape[0], -1), labels)
        loss.backward()
        save(d, "loss", loss.reshape(1))
        save(d, "dx", x.grad)
        return
    else:
        raise SystemExit("oracle: unknown layer kind " + kind)
    save(d, "y", y)
    y.backward(dy)
    save(d, "dx", x.grad)
    for name, p in params:
        save(d, name, p.grad)


VGG_M = [
    ("conv1", "conv", 2, (0, 0, 0, 0)), ("relu",), ("lrn",), ("pool",),
    ("conv2", "conv", 2, (1, 1, 1, 1)), ("relu",), ("lrn",), ("pool",),
    ("conv3", "conv", 1, (1, 1, 1, 1)), ("relu",),
    ("conv4", "conv", 1, (1, 1, 1, 1)), ("relu",),
    ("conv5", "conv", 1, (1, 1, 1, 1)), ("relu",), ("pool",),
    ("fc6", "fc"), ("relu",), ("fc7", "fc"), ("relu7",), ("fc8", "fc"),
]


def run_vgg_m(d):
    h = load(d, "x")
    with torch.no_grad():
        for layer in VGG_M:
            if layer[0] in ("relu", "relu7"):
                h = F.relu(h)
                if layer[0] == "relu7":
                    save(d, "relu7", h)
            elif layer[0] == "lrn":
                h = lrn(h, 5, 2.0, 1e-4, 0.75)
            elif layer[0] == "pool":
                h = F.max_pool2d(h, 3, 2, ceil_mode=True)
            elif layer[1] == "conv":
                h = conv(h, load(d, layer[0] + "_w"), load(d, layer[0] + "_b"), layer[2], layer[3])
            else:
                w = load(d, layer[0] + "_w")
                h = F.linear(h.reshape(h.shape[0], -1), w.reshape(w.shape[0], -1), load(d, layer[0] + "_b").reshape(-1))
    save(d, "logits", h)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("layer", "vgg_m"):
        raise SystemExit(__doc__)
    {"layer": run_layer, "vgg_m": run_vgg_m}[sys.argv[1]](sys.argv[2])
