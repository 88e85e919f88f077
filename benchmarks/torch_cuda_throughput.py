#!/usr/bin/python3
"""PyTorch + cuDNN throughput on the GPU for the networks bench_cuda measures (224x224, 2 classes),
same shapes, same GPU, same run. usage: torch_cuda_throughput.py vgg_m|vgg_16 BATCH ITERATIONS [float32|tf32] [deterministic]
Prints: inference_images_per_s train_images_per_s (medians of ITERATIONS timed steps after 2 warm-ups).
cudnn.benchmark is on (PyTorch's fastest setting); TF32 only when asked, to match dermtl's precision."""
import os
import statistics
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_throughput import vgg_m  # noqa: E402  (the CPU benchmark's VGG-M, MatConvNet layout)


def vgg_16(classes):
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
    layers, c = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2, ceil_mode=True))
        else:
            layers += [nn.Conv2d(c, v, 3, 1, 1), nn.ReLU()]
            c = v
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, classes))


def median_seconds(body, iterations):
    body()
    body()
    torch.cuda.synchronize()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        body()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    name, batch, iterations = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    precision = sys.argv[4] if len(sys.argv) > 4 else "float32"
    tf32 = precision == "tf32"
    # bf16: torch.autocast("cuda", dtype=torch.bfloat16), the field's mixed precision (float32
    # master weights and optimizer; convolutions and matmuls in bf16), as dermtl's --bf16.
    bf16 = precision == "bf16"
    deterministic = len(sys.argv) > 5 and sys.argv[5] == "deterministic"
    # Deterministic: cuDNN's deterministic algorithms only, no timing-based choice (as dermtl's mode).
    torch.backends.cudnn.benchmark = not deterministic
    torch.backends.cudnn.deterministic = deterministic
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.manual_seed(0)
    dev = torch.device("cuda")
    model = (vgg_m(224, 1, 2) if name == "vgg_m" else vgg_16(2)).to(dev)
    x = (torch.randn(batch, 3, 224, 224) * 50).to(dev)
    y = torch.randint(0, 2, (batch,), device=dev)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.1, nesterov=True, weight_decay=0.0)
    loss_fn = nn.CrossEntropyLoss()

    def autocast():
        return torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16)

    model.eval()
    with torch.no_grad(), autocast():
        inf = batch / median_seconds(lambda: model(x), iterations)

    model.train()

    def step():
        opt.zero_grad(set_to_none=False)
        with autocast():
            loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    train = batch / median_seconds(step, iterations)
    print(f"{inf:.2f} {train:.2f}")


if __name__ == "__main__":
    main()
