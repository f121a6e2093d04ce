"""Benchmark of the P2 convex programs: per-pattern vs vectorized formulations.

For each size (n, d) and program (relaxed skip 4.1, cone-constrained training 4.3), one
planted instance (gauss X, gauss w*, σ = 0, P = max(n, 50) patterns + all-ones) is solved
by up to three formulations of the same cone program, with the same solver (Clarabel, KKT
factorization --clarabel-method) at its default tolerance:

* naive:  one cvxpy variable and expression per pattern, as the official scripts
          (deeplaws.recovery.naive);
* cvxpy:  the vectorized cvxpy model (deeplaws.recovery.convex, formulation cvxpy);
* conic:  the same cone program assembled directly for Clarabel (formulation conic, the
          pipeline's default).

Each solve runs in a fresh child process, single-threaded, so its peak RSS is its own.
Optionally times the whole default-config P2 grid in one process (``--grid``).

    PYTHONPATH=src python benchmarks/recovery_bench.py --sizes 100x20 200x50
    PYTHONPATH=src python benchmarks/recovery_bench.py --sizes 400x100 --forms conic
    PYTHONPATH=src python benchmarks/recovery_bench.py --grid
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import multiprocessing as mp  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import yaml  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _instance(n: int, d: int, seed: int = 0):
    from deeplaws.recovery import arrangements, data

    rng = np.random.default_rng([seed, n, d])
    X, w, y = data.skip_instance(rng, n, d, "gauss", "gauss", 0.0)
    pats = arrangements.sample_patterns(X, rng, arrangements.n_directions(n, "n"))
    return X, w, y, pats.Dmat


def _child(queue, n: int, d: int, program: str, formulation: str, solver: str, method: str) -> None:
    from deeplaws.recovery import convex, naive

    X, w, y, Dmat = _instance(n, d)
    mode = "relaxed" if program == "skip_relaxed" else "train"
    t0 = time.perf_counter()
    if formulation == "naive":
        status, objective, _, w0 = naive.skip_program_naive(
            X, y, Dmat, mode, solver=solver.upper(), clarabel_method=method
        )
        compile_s = float("nan")
    else:
        sol = convex.skip_program(
            X, y, Dmat, mode, solver=solver, clarabel_method=method, formulation=formulation
        )
        status, objective, w0 = sol.status, sol.objective, sol.values["w0"][0]
        compile_s = sol.compile_seconds
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(
        {
            "n": n,
            "d": d,
            "P": Dmat.shape[1],
            "program": program,
            "formulation": formulation,
            "status": status,
            "objective": objective,
            "seconds": seconds,
            "compile_s": compile_s,
            "peak_mb": peak_mb,
            "err_w0": float(np.linalg.norm(w0 - w)),
        }
    )


def measure(
    n: int, d: int, program: str, formulation: str, solver: str, method: str = "qdldl"
) -> dict:
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, n, d, program, formulation, solver, method))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def time_default_grid(config_path: Path) -> tuple[float, int]:
    """Run every record set of the config's figures in this process; (seconds, trials)."""
    from deeplaws.recovery import experiments, figures
    from deeplaws.recovery.mixture import separation_probability

    cfg = yaml.safe_load(config_path.read_text())["recovery"]

    def span(s):
        return [
            s["start"] + i * s["step"]
            for i in range(int(round((s["stop"] - s["start"]) / s["step"])) + 1)
        ]

    ns, ds = [int(v) for v in span(cfg["grid"]["n"])], [int(v) for v in span(cfg["grid"]["d"])]
    specs = figures.figure_specs(cfg["sigmas"])
    sets = figures.record_sets([specs[f] for f in cfg["figures"]])
    t0 = time.perf_counter()
    count = 0
    for program, panel in sets:
        kind = experiments.PROGRAMS[program].kind
        settings = (
            dict(cfg["nonconvex"])
            if kind == "nonconvex"
            else {"all_ones_check": cfg["all_ones_check"], "min_directions": cfg["min_directions"]}
        )
        if kind == "convex":
            settings.update(solver=cfg["solver"], tol=cfg["tol"], beta=cfg["beta"])
        recs = experiments.run_unit(
            program, panel.key, "n~all_d~all", ns, ds, cfg["trials"][program], 0, settings
        )
        count += len(recs)
    for d in cfg["mixture"]["d"]:
        for sigma in span(cfg["mixture"]["sigmas"]):
            separation_probability(
                np.random.default_rng(0), d, sigma, cfg["mixture"]["n"], cfg["mixture"]["samples"]
            )
    return time.perf_counter() - t0, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=["100x20", "200x50", "400x100"])
    parser.add_argument("--programs", nargs="*", default=["skip_relaxed", "skip_train"])
    parser.add_argument("--solver", default="clarabel")
    parser.add_argument(
        "--clarabel-method",
        default="qdldl",
        choices=["qdldl", "faer"],
        help="KKT factorization of the vectorized solves",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per solve; the median is reported"
    )
    parser.add_argument(
        "--forms", nargs="*", default=["naive", "cvxpy", "conic"], help="formulations to run"
    )
    parser.add_argument("--grid", action="store_true", help="time the default-config grid")
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        n, d = (int(v) for v in size.split("x"))
        for program in args.programs:
            for form in args.forms:
                runs = [
                    measure(n, d, program, form, args.solver, args.clarabel_method)
                    for _ in range(args.repeat)
                ]
                runs.sort(key=lambda r: r["seconds"])
                row = runs[len(runs) // 2]  # the median run (seconds and its peak)
                row["all_seconds"] = [round(r["seconds"], 2) for r in runs]
                rows.append(row)
                print(
                    f"{program:13s} ({n:3d},{d:3d}) P={row['P']:3d} {form:6s} "
                    f"{row['seconds']:8.2f} s  compile {row['compile_s']:6.2f} s  "
                    f"peak {row['peak_mb']:7.0f} MB  {row['status']:18s} "
                    f"‖ŵ0−w*‖={row['err_w0']:.1e}  runs {row['all_seconds']}",
                    flush=True,
                )
    if rows:
        print(
            "\n| program | (n, d) | P | naive s | cvxpy s | conic s | speed-up conic/naive "
            "| naive MB | cvxpy MB | conic MB |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for program in args.programs:
            for size in args.sizes:
                n, d = (int(v) for v in size.split("x"))
                sel = {
                    r["formulation"]: r
                    for r in rows
                    if r["program"] == program and (r["n"], r["d"]) == (n, d)
                }
                if not sel:
                    continue

                def cell(form: str, key: str, fmt: str, sel=sel) -> str:
                    return format(sel[form][key], fmt) if form in sel else "–"

                speed = (
                    f"{sel['naive']['seconds'] / sel['conic']['seconds']:.1f}×"
                    if {"naive", "conic"} <= set(sel)
                    else "–"
                )
                P = next(iter(sel.values()))["P"]
                print(
                    f"| {program} | ({n}, {d}) | {P} | {cell('naive', 'seconds', '.2f')} "
                    f"| {cell('cvxpy', 'seconds', '.2f')} | {cell('conic', 'seconds', '.2f')} "
                    f"| {speed} | {cell('naive', 'peak_mb', '.0f')} "
                    f"| {cell('cvxpy', 'peak_mb', '.0f')} | {cell('conic', 'peak_mb', '.0f')} |"
                )
    if args.grid:
        seconds, count = time_default_grid(ROOT / "config" / "config.yaml")
        print(f"\ndefault-config P2 grid, one process, one core: {count} trials in {seconds:.0f} s")


if __name__ == "__main__":
    main()
