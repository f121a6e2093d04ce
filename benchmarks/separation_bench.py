"""Benchmark of the equi-separation core: training time per epoch and D-measurement time.

    .venv/bin/python benchmarks/separation_bench.py [--epochs 5] [--threads 1]

Prints a Markdown table with
  * seconds per training epoch (1000 samples, batch 128, adam; median and minimum over the
    timed epochs, each timed alone) of GFNN width 100 at
    L = 2, 6, 18 and of GFNN width 1000 at L = 6, on the CPU (and on CUDA when present);
  * seconds to compute separation fuzziness D of 1000 samples x p features (10 classes) at
    p = 100, 1024, 65536 with the dense pseudo-inverse and with the exact low-rank formula.
    The dense route is skipped where its two p x p float64 matrices do not fit in memory
    (p = 65536 needs 2 x 34 GB), and the table says so;
  * batched against one-by-one training (w = 100): a 5-lr adam grid at L = 6, the 7-lr sgd
    grid at L = 7 and Fig 1's three optimizers at L = 18: seconds per epoch of the batch and
    of its members trained alone (the original one-net loop), the ratio, and the agreement
    of the two (largest relative difference of the per-epoch losses, largest weight
    difference) over the timed epochs;
  * the projected CPU-hours of the paper config's offline P3 training (Fig 1, lr study,
    depth cfm, width, shape, imbalance, GLNN/no-BN, original-size Fashion-MNIST), one by one
    and batched, from per-epoch times measured here (``--no-projection`` skips it).
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
from deeplaws.separation.runs import RunSpec, Tensors, train_runs
from deeplaws.separation.training import make_optimizer, run_epochs

ADAM_GRID = (3e-5, 1e-4, 3e-4, 1e-3, 3e-3)
SGD_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
BATCH_CASES = (
    ("5-lr adam grid, L=6", 6, [("adam", lr) for lr in ADAM_GRID]),
    ("7-lr sgd grid, L=7", 7, [("sgd", lr) for lr in SGD_GRID]),
    ("Fig 1 optimizers, L=18", 18, [("sgd", 0.01), ("momentum", 0.001), ("adam", 3e-4)]),
)

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


def _tensors(n: int = 1000) -> Tensors:
    X, y, _ = _data(n)
    return Tensors(X, y, X[:200], y[:200], (1, 10, 10), {})


def time_batch(layer_num: int, members: list[tuple[str, float]], epochs: int) -> dict[str, float]:
    """Seconds per epoch batched and one by one (sum over the members), and the agreement."""
    data = _tensors()
    specs = [RunSpec("cfm", "GFNN", layer_num, 100, o, lr, epochs) for o, lr in members]
    train_runs(specs[:1], data, "cpu", batched=False)  # warm-up
    batch = train_runs(specs, data, "cpu", batched=True)
    alone = train_runs(specs, data, "cpu", batched=False)
    t_batch = batch[0][1].wall_seconds / epochs
    t_alone = sum(r.wall_seconds for _, r in alone) / epochs
    loss_diff, weight_diff = 0.0, 0.0
    for (mb, rb), (ma, ra) in zip(batch, alone, strict=True):
        if rb.status != "ok" or ra.status != "ok":
            continue
        lb, la = np.asarray(rb.losses), np.asarray(ra.losses)
        loss_diff = max(loss_diff, float(np.max(np.abs(lb - la) / np.abs(la))))
        sa, sb = ma.state_dict(), mb.state_dict()  # type: ignore[union-attr]
        weight_diff = max(
            weight_diff, max(float((sa[k].double() - sb[k].double()).abs().max()) for k in sa)
        )
    return {"batch": t_batch, "alone": t_alone, "loss": loss_diff, "weight": weight_diff}


def single_epoch(
    model_name: str,
    layer_num: int,
    width: int,
    n: int = 1000,
    in_shape: tuple[int, int, int] = (1, 10, 10),
    epochs: int = 2,
) -> float:
    """Seconds per epoch of one net trained alone (adam), on Gaussian inputs of the shape."""
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, *in_shape, generator=g)
    y = torch.randint(0, 10, (n,), generator=g)
    seed_everything(666)
    model = build_model(model_name, in_shape, layer_num, width)
    opt = make_optimizer(model.parameters(), "adam", 1e-4)
    run_epochs(model, opt, X, y, 1, lambda e: 1e-4, 128, True)
    t0 = time.perf_counter()
    run_epochs(model, opt, X, y, epochs, lambda e: 1e-4, 128, True)
    return (time.perf_counter() - t0) / epochs


def batch_epoch(layer_num: int, width: int, n_nets: int, n: int = 1000, epochs: int = 2) -> float:
    """Seconds per epoch of a batch of ``n_nets`` GFNNs (adam grid lrs), Gaussian inputs."""
    from deeplaws.separation.batched import Member, train_batch

    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, 1, 10, 10, generator=g)
    y = torch.randint(0, 10, (n,), generator=g)
    seed_everything(666)
    model = build_model("GFNN", (1, 10, 10), layer_num, width)
    members = [Member("adam", 1e-4)] * n_nets
    data = Tensors(X, y, X[:10], y[:10], (1, 10, 10), {})
    out = train_batch(model, members, data, epochs=epochs)  # type: ignore[arg-type]
    return out[0].result.wall_seconds / epochs


def projection(epochs: int = 600) -> list[tuple[str, int, float, float]]:
    """(part, runs, CPU-hours one by one, CPU-hours batched) of the paper config's offline
    P3 training; every run 600 epochs, per-epoch times measured now."""
    cache: dict[tuple, float] = {}

    def one(model: str, L: int, w: int, n: int = 1000, shape=(1, 10, 10)) -> float:
        key = (model, L, w, n, shape)
        if key not in cache:
            cache[key] = single_epoch(model, L, w, n, shape)
        return cache[key]

    def batch(L: int, w: int, B: int, n: int = 1000) -> float:
        key = ("batch", L, w, B, n)
        if key not in cache:
            cache[key] = batch_epoch(L, w, B, n)
        return cache[key]

    h = epochs / 3600
    parts = []
    # Fig 1: three optimizers per depth
    parts.append(
        (
            "Fig 1 (3 optimizers x L 2, 6, 18)",
            9,
            sum(3 * one("GFNN", L, 100) for L in (2, 6, 18)) * h,
            sum(batch(L, 100, 3) for L in (2, 6, 18)) * h,
        )
    )
    parts.append(
        ("lr study (7 sgd lrs, L 7)", 7, 7 * one("GFNN", 7, 100) * h, batch(7, 100, 7) * h)
    )
    depths = (1, 3, 4, 5, 6, 7, 8, 9, 16)
    parts.append(
        (
            "depth cfm (5 lrs x 9 depths)",
            45,
            sum(5 * one("GFNN", L, 100) for L in depths) * h,
            sum(batch(L, 100, 5) for L in depths) * h,
        )
    )
    parts.append(
        (
            "width 20 / 100 / 1000 (5 lrs, L 6)",
            15,
            5 * (one("GFNN", 6, 20) + one("GFNN", 6, 100) + one("GFNN", 6, 1000)) * h,
            (batch(6, 20, 5) + batch(6, 100, 5) + 5 * one("GFNN", 6, 1000)) * h,
        )
    )
    shape = sum(5 * one(m, 6, 0) for m in ("FNNSW", "FNNWS", "FNNMIX")) * h
    parts.append(("shape FNNSW / FNNWS / FNNMIX (5 lrs, alone)", 15, shape, shape))
    parts.append(
        (
            "imbalance cfm_imb (5 lrs x L 2, 6, 18)",
            15,
            sum(5 * one("GFNN", L, 100, 3000) for L in (2, 6, 18)) * h,
            sum(batch(L, 100, 5, 3000) for L in (2, 6, 18)) * h,
        )
    )
    parts.append(
        (
            "GLNN + GFNNNoBN (5 lrs, L 18)",
            10,
            5 * (one("GLNN", 18, 100) + one("GFNNNoBN", 18, 100)) * h,
            2 * batch(18, 100, 5) * h,
        )
    )
    orig = sum(5 * one("GFNNOriginal", L, 1000, 1000, (1, 32, 32)) for L in (2, 6, 18)) * h
    parts.append(("original-size fashion_mnist w1000 (5 lrs x L 2, 6, 18, alone)", 15, orig, orig))
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="timed epochs per net")
    parser.add_argument("--threads", type=int, default=1, help="torch and BLAS threads")
    parser.add_argument("--batch-epochs", type=int, default=3, help="epochs per batch case")
    parser.add_argument("--no-projection", action="store_true", help="skip the projection")
    parser.add_argument("--only-batched", action="store_true", help="skip the first tables")
    args = parser.parse_args()
    from deeplaws.separation.threads import limited_threads

    with limited_threads(args.threads):
        _main(args)


def _main(args: argparse.Namespace) -> None:
    _, _, source = _data()
    print(
        f"# separation benchmark: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, torch {torch.__version__}, {args.threads} thread(s), "
        f"data {source}\n"
    )
    if not args.only_batched:
        _first_tables(args)
    print(
        "\n| batch (w=100, cfm, batch 128) | nets | s/epoch one by one (original loop) "
        "| s/epoch batched | ratio | max rel. loss diff | max weight diff |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, L, members in BATCH_CASES:
        t = time_batch(L, members, args.batch_epochs)
        print(
            f"| {name} | {len(members)} | {t['alone']:.3f} | {t['batch']:.3f} | "
            f"{t['alone'] / t['batch']:.1f}x | {t['loss']:.1e} | {t['weight']:.1e} |"
        )
    if args.no_projection:
        return
    print(
        "\n| paper-config P3 part (offline, 600 epochs, training only) | runs | CPU-h one by one "
        "| CPU-h batched |"
    )
    print("|---|---|---|---|")
    total_a = total_b = 0.0
    for part, runs, before, after in projection():
        total_a, total_b = total_a + before, total_b + after
        print(f"| {part} | {runs} | {before:.2f} | {after:.2f} |")
    print(f"| **total** | | **{total_a:.2f}** | **{total_b:.2f}** |")


def _first_tables(args: argparse.Namespace) -> None:
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
