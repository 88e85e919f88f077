#!/usr/bin/python3
"""Independent safetensors writer/reader and PyTorch VGG-16s in torchvision's and timm's layouts, for
tests/io/test_safetensors.cpp. Neither torchvision, timm nor the safetensors package is needed: the
modules are built here with torch.nn the way those libraries build them (so their state_dict() keys
are the libraries' names), and the file format is written and read with struct + json.

usage:
  safetensors_vgg.py model OUTDIR --layout torchvision|timm[,...] --size S --div D
                     --classes K --images N --seed SEED [--dtype F32|F16|BF16[,...]]
      For each layout and dtype (comma-separated lists: one Python start for several models), in
      OUTDIR/<layout>-<dtype>/: builds a VGG-16 (configuration D, widths divided by D, input S x S,
      K classes) in the layout's module structure with random weights, saves its state_dict as
      model.safetensors (tensors in `dtype`), and runs it in float64, in eval mode, on N random images:
        pixels.npy         -- N x 3 x S x S pixel values 0..255 (RGB)
        x.npy              -- the same normalized as torchvision/timm do: (pixels/255 - mean) / std
        fc7.npy            -- fc7 before its ReLU (torchvision classifier.3, timm pre_logits.fc2)
        fc8.npy            -- the logits (classifier.6, head.fc)
      The forward uses the weights as stored (rounded to F16/BF16 when the file holds those).
  safetensors_vgg.py dermtl FILE.safetensors X.npy OUTDIR --size S --div D --classes K
      Reads a file with dermtl's names (conv1_1.weight ... fc8.bias; dense weights [out, C*H*W]) with
      the reader below, loads it into the torchvision-layout module and writes OUTDIR/fc8.npy for X.
  safetensors_vgg.py dtypes OUTDIR
      OUTDIR/f16.npy and bf16.npy: every 16-bit pattern 0..65535 as float32 by numpy (float16) and
      by torch (bfloat16), the conversions dermtl's reader must reproduce exactly.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def features(div):
    # torchvision.models.vgg.make_layers(cfgs["D"]) and timm's VGG features: conv, ReLU, max pool,
    # each one module of a Sequential, so the convolutions are features.0, .2, .5, ..., .28.
    layers, c = [], 3
    for v in CFG:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(c, v // div, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            c = v // div
    return nn.Sequential(*layers), c


class TorchvisionVGG(nn.Module):
    def __init__(self, size, div, classes):
        super().__init__()
        self.features, c = features(div)
        side = size // 32
        self.avgpool = nn.AdaptiveAvgPool2d((side, side))
        w = 4096 // div
        self.classifier = nn.Sequential(nn.Linear(c * side * side, w), nn.ReLU(True), nn.Dropout(),
                                        nn.Linear(w, w), nn.ReLU(True), nn.Dropout(), nn.Linear(w, classes))

    def taps(self, x):
        x = torch.flatten(self.avgpool(self.features(x)), 1)
        fc7 = self.classifier[:4](x)
        return fc7.clone(), self.classifier[4:](fc7)  # clone: relu7 works in place


class ConvMlp(nn.Module):
    # timm.models.vgg.ConvMlp: fc1 a convolution over the whole pool5 output, fc2 a 1x1 convolution.
    def __init__(self, c, w, k):
        super().__init__()
        self.fc1 = nn.Conv2d(c, w, k, bias=True)
        self.act1 = nn.ReLU(True)
        self.drop = nn.Dropout(0.0)
        self.fc2 = nn.Conv2d(w, w, 1, bias=True)
        self.act2 = nn.ReLU(True)


class Head(nn.Module):
    # timm's ClassifierHead: global average pool, flatten, fc.
    def __init__(self, w, classes):
        super().__init__()
        self.fc = nn.Linear(w, classes)


class TimmVGG(nn.Module):
    def __init__(self, size, div, classes):
        super().__init__()
        self.features, c = features(div)
        w = 4096 // div
        self.pre_logits = ConvMlp(c, w, size // 32)
        self.head = Head(w, classes)

    def taps(self, x):
        p = self.pre_logits
        fc7 = p.fc2(p.drop(p.act1(p.fc1(self.features(x)))))
        y = p.act2(fc7.clone())  # act2 works in place
        y = torch.flatten(y.mean((2, 3)), 1)
        return torch.flatten(fc7, 1), self.head.fc(y)


DTYPES = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2)}


def write_safetensors(path, tensors, dtype):
    """The format by hand: u64 LE header length, JSON header, packed little-endian data."""
    header, blobs, at = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        t = t.detach().to(DTYPES[dtype][0]).contiguous()
        raw = t.view(torch.int16).numpy().astype("<i2").tobytes() if dtype != "F32" else \
            t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
        blobs.append(raw)
        at += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base, out = 8 + n, {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", e
        b, end = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[base + b:base + end], dtype="<f4").reshape(e["shape"]).copy())
    return out


def randomize(model, seed):
    g = torch.Generator().manual_seed(seed)
    for name, p in model.named_parameters():
        if name.endswith("weight"):
            fan_in = p[0].numel()
            p.data = torch.randn(p.shape, generator=g) * (2.0 / fan_in) ** 0.5
        else:
            p.data = torch.randn(p.shape, generator=g) * 0.05


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command")
    ap.add_argument("args", nargs="*")
    ap.add_argument("--layout", default="torchvision")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--div", type=int, default=1)
    ap.add_argument("--classes", type=int, default=1000)
    ap.add_argument("--images", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dtype", default="F32")
    a = ap.parse_args()
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))

    if a.command == "dtypes":
        (outdir,) = a.args
        bits = np.arange(65536, dtype=np.uint16)
        np.save(os.path.join(outdir, "f16.npy"), bits.view(np.float16).astype(np.float32))
        bf = torch.from_numpy(bits.view(np.int16).copy()).view(torch.bfloat16).to(torch.float32)
        np.save(os.path.join(outdir, "bf16.npy"), bf.numpy())
        return

    if a.command == "model":
        (root,) = a.args
        for layout in a.layout.split(","):
            for dtype in a.dtype.split(","):
                outdir = os.path.join(root, f"{layout}-{dtype}")
                os.makedirs(outdir, exist_ok=True)
                cls = TorchvisionVGG if layout == "torchvision" else TimmVGG
                model = cls(a.size, a.div, a.classes).eval()
                randomize(model, a.seed)
                state = model.state_dict()
                write_safetensors(os.path.join(outdir, "model.safetensors"), state, dtype)
                # Run on the stored values (rounded as the file holds them), in float64.
                with torch.no_grad():
                    for k, v in state.items():
                        v.copy_(v.to(DTYPES[dtype][0]).to(torch.float32))
                model = model.double()
                g = torch.Generator().manual_seed(a.seed + 1)
                pixels = torch.randint(0, 256, (a.images, 3, a.size, a.size), generator=g).double()
                x = (pixels / 255 - torch.tensor(MEAN, dtype=torch.float64).view(1, 3, 1, 1)) / \
                    torch.tensor(STD, dtype=torch.float64).view(1, 3, 1, 1)
                with torch.no_grad():
                    fc7, fc8 = model.taps(x)
                np.save(os.path.join(outdir, "pixels.npy"), pixels.float().numpy())
                np.save(os.path.join(outdir, "x.npy"), x.float().numpy())
                np.save(os.path.join(outdir, "fc7.npy"), fc7.numpy())
                np.save(os.path.join(outdir, "fc8.npy"), fc8.numpy())
                del model, state
        return

    if a.command == "dermtl":
        path, xfile, outdir = a.args
        tensors = read_safetensors(path)
        model = TorchvisionVGG(a.size, a.div, a.classes)
        names = [n for n, m in model.features.named_children() if isinstance(m, nn.Conv2d)]
        blocks = [(1, 2), (2, 2), (3, 3), (4, 3), (5, 3)]
        ours = [f"conv{b}_{i}" for b, n in blocks for i in range(1, n + 1)]
        state = {}
        for idx, own in zip(names, ours):
            state[f"features.{idx}.weight"] = tensors.pop(own + ".weight")
            state[f"features.{idx}.bias"] = tensors.pop(own + ".bias")
        for idx, own in ((0, "fc6"), (3, "fc7"), (6, "fc8")):
            state[f"classifier.{idx}.weight"] = tensors.pop(own + ".weight")
            state[f"classifier.{idx}.bias"] = tensors.pop(own + ".bias")
        assert not tensors, f"tensors left over: {sorted(tensors)}"
        model.load_state_dict(state, strict=True)
        model = model.double().eval()
        x = torch.from_numpy(np.load(xfile)).double()
        with torch.no_grad():
            _, fc8 = model.taps(x)
        np.save(os.path.join(outdir, "fc8.npy"), fc8.numpy())
        return
    sys.exit(f"unknown command {a.command}")


if __name__ == "__main__":
    main()
