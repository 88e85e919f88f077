#!/usr/bin/python3
"""Independent writer and reader of MatConvNet simplenn models (scipy.io + PyTorch), for tests/io.

usage:
  matconvnet_models.py write OUT.mat --layout newer|older --size S --div D --classes K --seed N
                                     [--nan LAYER] [--rename OLD=NEW] [--average per-pixel|per-channel]
                                     [--unpadded-pools] [--complex LAYER.FIELD|averageImage]
      Writes a VGG-M-shaped model (--arch vgg-m, the default; --arch vgg-16 writes VGG-16's 13
      3x3 convolutions conv1_1..conv5_3 and 2x2/2 unpadded pools instead) (MatConvNet's hyper-parameters: conv1 7x7 s2, conv2 5x5 s2 p1,
      conv3-5 3x3 p1, 3x3/2 max pools, LRN [5 2 1e-4 0.75], fc6-8 stored as convolutions) with
      random weights, widths divided by D, input S x S, K classes, with scipy.io.savemat (zlib).
      --complex stores one numeric array as complex (a bad file): LAYER.FIELD with FIELD one of
      filters, biases, stride, pad (e.g. conv1.biases), or averageImage.
      newer: `layers` + `meta`, weights={filters,biases}, pools padded [0 1 0 1], type 'lrn'.
      older: `layers` + `normalization` + `classes`, fields filters/biases, type 'normalize',
             pool1 and pool5 unpadded and pool2 padded [0 1 0 1], as the 2014 import.
  matconvnet_models.py forward MODEL.mat X.npy OUTDIR
      Reads MODEL.mat with scipy.io.loadmat (either layout), runs it in PyTorch (float64) on the
      N x C x H x W input X.npy and writes OUTDIR/logits.npy (input of the final softmax) and
      OUTDIR/relu7.npy. Filters H x W x Cin x Cout become PyTorch's Cout x Cin x H x W by
      transpose(3, 2, 0, 1); a fully connected layer is just a convolution over its whole input.
"""
import argparse
import math
import os
import sys

import numpy as np
import scipy.io
import torch
import torch.nn.functional as F


def vgg_m_spec(div, classes):
    c = lambda n: n // div
    return [
        dict(name="conv1", type="conv", out=c(96), k=7, stride=2, pad=[0, 0, 0, 0]),
        dict(name="relu1", type="relu"),
        dict(name="norm1", type="lrn"),
        dict(name="pool1", type="pool"),
        dict(name="conv2", type="conv", out=c(256), k=5, stride=2, pad=[1, 1, 1, 1]),
        dict(name="relu2", type="relu"),
        dict(name="norm2", type="lrn"),
        dict(name="pool2", type="pool"),
        dict(name="conv3", type="conv", out=c(512), k=3, stride=1, pad=[1, 1, 1, 1]),
        dict(name="relu3", type="relu"),
        dict(name="conv4", type="conv", out=c(512), k=3, stride=1, pad=[1, 1, 1, 1]),
        dict(name="relu4", type="relu"),
        dict(name="conv5", type="conv", out=c(512), k=3, stride=1, pad=[1, 1, 1, 1]),
        dict(name="relu5", type="relu"),
        dict(name="pool5", type="pool"),
        dict(name="fc6", type="fc", out=c(4096)),
        dict(name="relu6", type="relu"),
        dict(name="fc7", type="fc", out=c(4096)),
        dict(name="relu7", type="relu"),
        dict(name="fc8", type="fc", out=classes),
        dict(name="prob", type="softmax"),
    ]


def vgg_16_spec(div, classes):
    c = lambda n: n // div
    spec = []
    for block, (width, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], start=1):
        for k in range(1, convs + 1):
            spec.append(dict(name="conv%d_%d" % (block, k), type="conv", out=c(width), k=3, stride=1, pad=[1, 1, 1, 1]))
            spec.append(dict(name="relu%d_%d" % (block, k), type="relu"))
        spec.append(dict(name="pool%d" % block, type="pool", k=2, pad=[0, 0, 0, 0]))
    spec += [dict(name="fc6", type="fc", out=c(4096)), dict(name="relu6", type="relu"),
             dict(name="fc7", type="fc", out=c(4096)), dict(name="relu7", type="relu"),
             dict(name="fc8", type="fc", out=classes), dict(name="prob", type="softmax")]
    return spec


def char_cell(strings):
    cell = np.empty((1, len(strings)), dtype=object)
    for i, s in enumerate(strings):
        cell[0, i] = s
    return cell


def write(args):
    rng = np.random.default_rng(args.seed)
    spec = (vgg_16_spec if args.arch == "vgg-16" else vgg_m_spec)(args.div, args.classes)
    renames = dict(r.split("=") for r in args.rename)
    h = w = args.size
    ch = 3
    layers = np.empty((1, len(spec)), dtype=object)
    for i, l in enumerate(spec):
        name = renames.get(l["name"], l["name"])
        t = l["type"]
        if t in ("conv", "fc"):
            if t == "conv":
                kh = kw = l["k"]
                stride, pad = l["stride"], l["pad"]
            else:
                kh, kw, stride, pad = h, w, 1, [0, 0, 0, 0]
            fan_in = kh * kw * ch
            filters = (rng.standard_normal((kh, kw, ch, l["out"])) * math.sqrt(2.0 / fan_in)).astype(np.float32)
            biases = (rng.standard_normal((l["out"], 1)) * 0.1).astype(np.float32)
            if args.nan == name:
                filters[0, 0, 0, 0] = np.nan
            if args.complex == name + ".filters":
                filters = filters + 1j * filters
            if args.complex == name + ".biases":
                biases = biases + 0.5j
            entry = {"name": name, "type": "conv"}
            if args.layout == "newer":
                weights = np.empty((1, 2), dtype=object)
                weights[0, 0], weights[0, 1] = filters, biases
                entry["weights"] = weights
            else:
                entry["filters"] = filters
                entry["biases"] = biases
            entry.update(size=np.array([[kh, kw, ch, l["out"]]], dtype=np.float64),
                         pad=np.array([pad], dtype=np.float64), stride=np.array([[stride, stride]], dtype=np.float64))
            for f in ("stride", "pad"):
                if args.complex == name + "." + f:
                    entry[f] = entry[f] + 0j
            if args.layout == "newer":
                entry.update(dilate=np.array([[1.0, 1.0]]), opts=np.empty((1, 0), dtype=object))
            h = (h + pad[0] + pad[1] - kh) // stride + 1
            w = (w + pad[2] + pad[3] - kw) // stride + 1
            ch = l["out"]
        elif t == "relu":
            entry = {"name": name, "type": "relu", "leak": 0.0}
        elif t == "lrn":
            entry = {"name": name, "type": "lrn" if args.layout == "newer" else "normalize",
                     "param": np.array([[5.0, 2.0, 1e-4, 0.75]])}
        elif t == "pool" and "k" in l:  # VGG-16: 2x2, stride 2, unpadded
            k, pad = l["k"], l["pad"]
            entry = {"name": name, "type": "pool", "method": "max", "pool": np.array([[float(k), float(k)]]),
                     "stride": np.array([[2.0, 2.0]]), "pad": np.array([pad], dtype=np.float64)}
            h = (h - k) // 2 + 1
            w = (w - k) // 2 + 1
        elif t == "pool":
            if args.unpadded_pools:
                pad = [0, 0, 0, 0]
            elif args.layout == "newer" or l["name"] == "pool2":
                pad = [0, 1, 0, 1]
            else:
                pad = [0, 0, 0, 0]
            entry = {"name": name, "type": "pool", "method": "max", "pool": np.array([[3.0, 3.0]]),
                     "stride": np.array([[2.0, 2.0]]), "pad": np.array([pad], dtype=np.float64)}
            h = (h + pad[0] + pad[1] - 3) // 2 + 1
            w = (w + pad[2] + pad[3] - 3) // 2 + 1
        else:
            entry = {"name": name, "type": "softmax"}
        layers[0, i] = entry

    s = args.size
    if args.average == "per-channel":
        average = np.array([[[123.68, 116.779, 103.939]]], dtype=np.float32)  # 1 x 1 x 3
    else:
        average = (rng.random((s, s, 3)) * 255).astype(np.float32)
    if args.complex == "averageImage":
        average = average + 1j * average
    normalization = {"averageImage": average, "imageSize": np.array([[s, s, 3.0]]),
                     "interpolation": "bilinear", "keepAspect": 1.0, "border": np.array([[32.0, 32.0]])}
    names = ["n%08d" % i for i in range(args.classes)]
    descriptions = ["class %d" % i for i in range(args.classes)]
    classes = {"name": char_cell(names), "description": char_cell(descriptions)}
    if args.layout == "newer":
        contents = {"layers": layers, "meta": {"normalization": normalization, "classes": classes,
                                               "inputs": {"name": "data", "size": np.array([[s, s, 3, 10.0]])}}}
    else:
        contents = {"layers": layers, "normalization": normalization, "classes": classes}
    scipy.io.savemat(args.out, contents, do_compression=True, oned_as="column")
    np.save(os.path.splitext(args.out)[0] + "_average.npy", average.real.astype(np.float64))


def field(s, name):
    if name not in s.dtype.names:
        return None
    return s[name][0, 0]


def text(v):
    return str(v[0]) if v.size else ""


def forward(args):
    m = scipy.io.loadmat(args.model, squeeze_me=False)
    layers = m["layers"]
    x = torch.from_numpy(np.load(args.x).astype(np.float64))
    relu7 = None
    with torch.no_grad():
        for i in range(layers.shape[1]):
            l = layers[0, i]
            t = text(field(l, "type"))
            name = text(field(l, "name"))
            if t == "conv":
                weights = field(l, "weights")
                if weights is not None:
                    filters, biases = weights[0, 0], weights[0, 1]
                else:
                    filters, biases = field(l, "filters"), field(l, "biases")
                if filters.ndim == 2:
                    filters = filters.reshape(filters.shape + (1, 1))
                elif filters.ndim == 3:
                    filters = filters.reshape(filters.shape + (1,))
                wt = torch.from_numpy(np.ascontiguousarray(filters.transpose(3, 2, 0, 1)).astype(np.float64))
                b = torch.from_numpy(biases.reshape(-1).astype(np.float64))
                pad = field(l, "pad").reshape(-1).astype(int)
                if pad.size == 1:
                    pad = np.repeat(pad, 4)
                stride = field(l, "stride").reshape(-1).astype(int)
                if stride.size == 1:
                    stride = np.repeat(stride, 2)
                x = F.pad(x, (pad[2], pad[3], pad[0], pad[1]))
                x = F.conv2d(x, wt, b, stride=tuple(stride))
            elif t == "relu":
                x = F.relu(x)
                if name == "relu7":
                    relu7 = x.clone()
            elif t in ("lrn", "normalize"):
                n, kappa, alpha, beta = field(l, "param").reshape(-1)
                x = F.local_response_norm(x, int(n), alpha=alpha * n, beta=beta, k=kappa)
            elif t == "pool":
                k = field(l, "pool").reshape(-1).astype(int)
                if k.size == 1:
                    k = np.repeat(k, 2)
                stride = field(l, "stride").reshape(-1).astype(int)
                if stride.size == 1:
                    stride = np.repeat(stride, 2)
                pad = field(l, "pad").reshape(-1).astype(int)
                if pad.size == 1:
                    pad = np.repeat(pad, 4)
                x = F.pad(x, (pad[2], pad[3], pad[0], pad[1]), value=-math.inf)
                x = F.max_pool2d(x, tuple(k), tuple(stride), ceil_mode=False)
            elif t == "dropout":
                pass
            elif t == "softmax":
                break
            else:
                raise SystemExit("oracle: unknown layer type " + t)
    np.save(os.path.join(args.outdir, "logits.npy"), x.numpy())
    if relu7 is not None:
        np.save(os.path.join(args.outdir, "relu7.npy"), relu7.numpy())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("out")
    w.add_argument("--layout", choices=["newer", "older"], required=True)
    w.add_argument("--arch", choices=["vgg-m", "vgg-16"], default="vgg-m")
    w.add_argument("--size", type=int, required=True)
    w.add_argument("--div", type=int, required=True)
    w.add_argument("--classes", type=int, required=True)
    w.add_argument("--seed", type=int, default=0)
    w.add_argument("--nan", default="")
    w.add_argument("--rename", action="append", default=[])
    w.add_argument("--unpadded-pools", action="store_true")
    w.add_argument("--complex", default="")
    w.add_argument("--average", choices=["per-pixel", "per-channel"], default="per-pixel")
    f = sub.add_parser("forward")
    f.add_argument("model")
    f.add_argument("x")
    f.add_argument("outdir")
    args = p.parse_args()
    {"write": write, "forward": forward}[args.cmd](args)


if __name__ == "__main__":
    main()
