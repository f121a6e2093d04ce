"""Benchmark of the equi-separation core: training time per epoch and D-measurement time.

    PYTHONPATH=src python benchmarks/separation_bench.py [--epochs 5] [--threads 1]

Prints a Markdown table with
  * seconds per training epoch (1000 samples, batch 128, adam; median and minimum over the
    timed epochs, each timed alone) of GFNN width 100 at
    L = 2, 6, 18 and of GFNN width 1000 at L = 6, on the CPU (and on CUDA when present);
  * seconds to compute separation fuzziness D of 1000 samples x p features (10 classes) at
    p = 100, 1024, 65536 with the dense pseudo-inverse and with the exact low-rank formula.
    The dense route is skipped where its two p x p float64 matrices do not fit in memory
    (p = 65536 needs 2 x 34 GB), and the table says so.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

from deeplaws.common.seeding import seed_everything
from deeplaws.separation.fuzziness import fuzziness, fuzziness_dense
from deeplaws.separation.models import build_model
from deeplaws.separation.training import make_optimizer, run_epochs

DENSE_LIMIT_BYTES = 8 * 2**30  # skip the dense route when its matrices exceed this


def _data(n: int = 1000) -> tuple[torch.Tensor, torch.Tensor, str]:
    """cfm (Fashion-MNIST 10x10) when built, else Gaussian stand-ins of the same shape."""
    path = Path("results/data/cfm.npz")
    if path.exists():
        from deeplaws.separation.runs import load_tensors

        t = load_tensors(path)
        return t.X_train, t.y_train, "cfm"
    g = torch.Generator().manual_seed(0)
    return (
        torch.randn(n, 1, 10, 10, generator=g),
        torch.randint(0, 10, (n,), generator=g),
        "gaussian stand-in",
    )


def time_training(layer_num: int, width: int, epochs: int, device: str) -> tuple[float, float]:
    """(median, minimum) seconds of one epoch over ``epochs`` timed epochs."""
    X, y, _ = _data()
    seed_everything(666)
    model = build_model("GFNN", (1, 10, 10), layer_num, width).to(device)
    # one warm-up epoch, then the timed ones (one at a time: on a shared machine the
    # minimum is the least disturbed measurement)
    X, y = X.to(device), y.to(device)
    opt = make_optimizer(model.parameters(), "adam", 1e-3)

    def one_epoch() -> None:
        run_epochs(model, opt, X, y, 1, lambda e: 1e-3, 128, True)

    one_epoch()
    times = []
    for _ in range(epochs):
        if device == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        one_epoch()
        if device == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), float(np.min(times))


def time_fuzziness(p: int, n: int = 1000) -> tuple[float | None, float, float | None]:
    rng = np.random.default_rng(p)
    y = np.repeat(np.arange(10), n // 10)
    H = (rng.normal(size=(10, p))[y] + rng.normal(size=(n, p))).astype(np.float32)
    t0 = time.perf_counter()
    low = fuzziness(H, y).D
    t_low = time.perf_counter() - t0
    if 3 * p * p * 8 > DENSE_LIMIT_BYTES:
        return None, t_low, None
    t0 = time.perf_counter()
    dense = fuzziness_dense(H, y)
    t_dense = time.perf_counter() - t0
    return t_dense, t_low, abs(low - dense) / abs(dense)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="timed epochs per net")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    _, _, source = _data()
    print(
        f"# separation benchmark: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, torch {torch.__version__}, {args.threads} thread(s), "
        f"data {source}\n"
    )
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print("| net | " + " | ".join(f"s/epoch {d} (median / min)" for d in devices) + " |")
    print("|---|" + "---|" * len(devices))
    for layer_num, width in ((2, 100), (6, 100), (18, 100), (6, 1000)):
        cells = [
            "{:.3f} / {:.3f}".format(*time_training(layer_num, width, args.epochs, d))
            for d in devices
        ]
        print(f"| GFNN w{width} L={layer_num} | " + " | ".join(cells) + " |")
    print("\n| p (n=1000, K=10) | dense pinv s | low-rank s | relative difference |")
    print("|---|---|---|---|")
    for p in (100, 1024, 65536):
        t_dense, t_low, diff = time_fuzziness(p)
        if t_dense is None:
            need = 2 * p * p * 8 / 2**30
            print(f"| {p} | skipped: needs {need:.0f} GiB for SS_w and SS_b | {t_low:.3f} | - |")
        else:
            print(f"| {p} | {t_dense:.3f} | {t_low:.4f} | {diff:.1e} |")


if __name__ == "__main__":
    main()
