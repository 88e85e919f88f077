#!/usr/bin/python3
"""PyTorch's throughput for the networks dermtl's bench_throughput measures, same shapes, same
machine, same run. usage: torch_throughput.py NAME SIZE DIV CLASSES BATCH ITERATIONS
Prints: forward_images_per_s train_images_per_s"""
import sys
import time

import torch
import torch.nn as nn


def vgg_m(size, div, classes):
    def conv(i, o, k, s, p):
        return nn.Conv2d(i, o, k, s, p)
    c1, c2, c3, f = 96 // div, 256 // div, 512 // div, 4096 // div
    feats = nn.Sequential(
        conv(3, c1, 7, 2, 0), nn.ReLU(), nn.LocalResponseNorm(5, 5e-4, 0.75, 2.0), nn.MaxPool2d(3, 2, ceil_mode=True),
        conv(c1, c2, 5, 2, 1), nn.ReLU(), nn.LocalResponseNorm(5, 5e-4, 0.75, 2.0), nn.MaxPool2d(3, 2, ceil_mode=True),
        conv(c2, c3, 3, 1, 1), nn.ReLU(), conv(c3, c3, 3, 1, 1), nn.ReLU(), conv(c3, c3, 3, 1, 1), nn.ReLU(),
        nn.MaxPool2d(3, 2, ceil_mode=True), nn.Flatten())
    n = feats(torch.zeros(1, 3, size, size)).shape[1]
    return nn.Sequential(feats, nn.Linear(n, f), nn.ReLU(), nn.Dropout(0.5), nn.Linear(f, f), nn.ReLU(),
                         nn.Dropout(0.5), nn.Linear(f, classes))


def main():
    name, size, div, classes, batch, iterations = sys.argv[1], *map(int, sys.argv[2:7])
    assert name == "vgg_m", name
    torch.manual_seed(0)
    model = vgg_m(size, div, classes)
    x = torch.randn(batch, 3, size, size) * 50
    y = torch.randint(0, classes, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.1, nesterov=True)
    loss_fn = nn.CrossEntropyLoss()

    model.eval()
    with torch.no_grad():
        model(x)
        start = time.perf_counter()
        for _ in range(iterations):
            model(x)
        fwd = batch * iterations / (time.perf_counter() - start)

    model.train()
    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    step()
    start = time.perf_counter()
    for _ in range(iterations):
        step()
    train = batch * iterations / (time.perf_counter() - start)
    print(f"{fwd:.2f} {train:.2f}")


if __name__ == "__main__":
    main()
