#!/usr/bin/python3
"""PyTorch's throughput for the networks dermtl's bench_throughput measures: same shapes, same
machine, same run, same thread count.

usage: torch_throughput.py NAME SIZE DIV CLASSES BATCH ITERATIONS THREADS [PRECISION]
  NAME: vgg_m or vgg_16
  PRECISION: float32 (default) or bf16: the forward passes (and so the backward) under
    torch.autocast("cpu", dtype=torch.bfloat16), PyTorch's one-line mixed precision; the weights,
    the optimizer and the loss stay float32 as autocast leaves them
Prints on stdout: forward_images_per_s train_images_per_s
Prints on stderr: PyTorch's build configuration (BLAS, oneDNN) and its threading, so that a
misconfigured reference is visible (Debian's torch starts with 1 thread unless told otherwise)."""
import contextlib
import sys
import time

import torch
import torch.nn as nn


def vgg_m(size, div, classes):
    c1, c2, c3, f = 96 // div, 256 // div, 512 // div, 4096 // div
    feats = nn.Sequential(
        nn.Conv2d(3, c1, 7, 2, 0), nn.ReLU(), nn.LocalResponseNorm(5, 5e-4, 0.75, 2.0),
        nn.MaxPool2d(3, 2, ceil_mode=True),
        nn.Conv2d(c1, c2, 5, 2, 1), nn.ReLU(), nn.LocalResponseNorm(5, 5e-4, 0.75, 2.0),
        nn.MaxPool2d(3, 2, ceil_mode=True),
        nn.Conv2d(c2, c3, 3, 1, 1), nn.ReLU(), nn.Conv2d(c3, c3, 3, 1, 1), nn.ReLU(),
        nn.Conv2d(c3, c3, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True), nn.Flatten())
    return classifier(feats, size, f, classes)


def vgg_16(size, div, classes):
    layers, channels = [], 3
    for width, convs in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        for _ in range(convs):
            layers += [nn.Conv2d(channels, width // div, 3, 1, 1), nn.ReLU()]
            channels = width // div
        layers.append(nn.MaxPool2d(2, 2))
    feats = nn.Sequential(*layers, nn.Flatten())
    return classifier(feats, size, 4096 // div, classes)


def classifier(feats, size, f, classes):
    n = feats(torch.zeros(1, 3, size, size)).shape[1]
    return nn.Sequential(feats, nn.Linear(n, f), nn.ReLU(), nn.Dropout(0.5), nn.Linear(f, f), nn.ReLU(),
                         nn.Dropout(0.5), nn.Linear(f, classes))


def main():
    name = sys.argv[1]
    size, div, classes, batch, iterations, threads = map(int, sys.argv[2:8])
    precision = sys.argv[8] if len(sys.argv) > 8 else "float32"
    if precision not in ("float32", "bf16"):
        sys.exit(f"torch_throughput.py: PRECISION must be float32 or bf16, found '{precision}'")

    def autocast():
        if precision == "bf16":
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()
    torch.set_num_threads(threads)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads "
          f"(mkldnn enabled: {torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled}), "
          f"precision {precision}",
          file=sys.stderr)
    print(torch.__config__.show(), file=sys.stderr)
    print(torch.__config__.parallel_info(), file=sys.stderr)
    torch.manual_seed(0)
    model = {"vgg_m": vgg_m, "vgg_16": vgg_16}[name](size, div, classes)
    x = torch.randn(batch, 3, size, size) * 50
    y = torch.randint(0, classes, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.1, nesterov=True)
    loss_fn = nn.CrossEntropyLoss()

    model.eval()
    with torch.no_grad(), autocast():
        model(x)
        start = time.perf_counter()
        for _ in range(iterations):
            model(x)
        fwd = batch * iterations / (time.perf_counter() - start)

    model.train()

    def step():
        opt.zero_grad()
        with autocast():
            loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    step()
    start = time.perf_counter()
    for _ in range(iterations):
        step()
    train = batch * iterations / (time.perf_counter() - start)
    print(f"{fwd:.3f} {train:.3f}")


if __name__ == "__main__":
    main()
