"""Benchmark of the P2 convex programs: per-pattern, full vectorized and working-set solves.

For each size (n, d) and program (relaxed and training programs of the skip and
normalized families: 4.1, 4.3, 4.5, 4.6), one planted instance (gauss X, gauss planted
weights, k = 1, σ = 0, P = max(n, 50) patterns + planted + all-ones) is solved by:

* naive:        one cvxpy variable and expression per pattern, as the official scripts
                build it, Clarabel at its default settings (deeplaws.recovery.naive);
* full:         the vectorized cone program over all patterns, assembled for Clarabel
                (``recovery.strategy: full``);
* working_set:  the certified working-set strategy (``recovery.strategy: working_set``);
* cvxpy:        (optional) the full vectorized program through cvxpy.

``--solver cvxopt`` runs the full and working-set forms with CVXOPT and the
block-structured KKT solver (``recovery.solver: cvxopt``) instead of Clarabel.

Each solve runs in a fresh child process, single-threaded, so its peak RSS is its own.
The recovery flag and the objective evaluated at the returned point must agree across
formulations (objective rel 1e-6); a disagreement is printed as MISMATCH and makes the exit
status non-zero.

``--check-trials N`` samples N trials (program, panel, n, d, trial) of the paper grid,
half of them near the n = 2d and n = 4d edges, solves each with both strategies and
compares flags, distances and objectives (the large version of the unit test).

    .venv/bin/python benchmarks/recovery_bench.py --sizes 100x20 200x50
    .venv/bin/python benchmarks/recovery_bench.py --sizes 400x100 --forms full working_set
    .venv/bin/python benchmarks/recovery_bench.py --sizes 200x50 --forms full --sigma 0.1 --solver cvxopt
    .venv/bin/python benchmarks/recovery_bench.py --check-trials 300 --max-n 200
    .venv/bin/python benchmarks/recovery_bench.py --grid
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import multiprocessing as mp  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import yaml  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = {  # benchmark program → (family, mode)
    "skip_relaxed": ("skip", "relaxed"),
    "skip_train": ("skip", "train"),
    "normal_relaxed": ("normal", "relaxed"),
    "normal_train": ("normal", "train"),
}
FORMS = ("naive", "cvxpy", "full", "working_set")


SIGMA = float(os.environ.get("RECOVERY_BENCH_SIGMA", "0"))  # set by --sigma for the children


def _instance(family: str, n: int, d: int, seed: int = 0):
    from deeplaws.recovery import arrangements, data

    rng = np.random.default_rng([seed, n, d])
    if family == "skip":
        X, w, y = data.skip_instance(rng, n, d, "gauss", "gauss", SIGMA)
        planted_dirs = None
    else:
        X, w, y, _ = data.normal_instance(rng, n, d, 1, "gauss", "gauss", SIGMA)
        planted_dirs = w
    pats = arrangements.sample_patterns(X, rng, arrangements.n_directions(n, "n"), planted_dirs)
    return X, w, y, pats


def _child(
    queue, n: int, d: int, program: str, form: str, method: str, solver: str = "clarabel"
) -> None:
    from deeplaws.recovery import convex, metrics, naive

    family, mode = PROGRAMS[program]
    X, w, y, pats = _instance(family, n, d)
    t0 = time.perf_counter()
    bases = convex.normal_bases(X, pats.Dmat) if family == "normal" else None
    exit_, used = "", pats.P
    if form == "naive":
        if family == "skip":
            status, objective, _, w0 = naive.skip_program_naive(
                X, y, pats.Dmat, mode, clarabel_method=method
            )
            others = None
        else:
            status, objective, _, Z = naive.normal_program_naive(
                X, y, pats.Dmat, bases, mode, clarabel_method=method
            )
    else:
        prog = convex.PatternProgram(
            family,
            mode,
            X,
            y,
            pats.Dmat,
            bases,
            solver=solver,
            clarabel_method=method,
            formulation="cvxpy" if form == "cvxpy" else "conic",
        )
        start = list(pats.planted) + ([pats.all_ones_index] if pats.all_ones else [])
        strategy = "working_set" if form == "working_set" else "full"
        sol = convex.solve(prog, strategy, np.asarray(start, dtype=int))
        status, objective = sol.status, sol.objective
        exit_, used = sol.info.get("exit", ""), sol.info.get("patterns_used", pats.P)
        if family == "skip":
            w0 = sol.values["w0"][0]
            others = [sol.values[b] for b in prog.pattern_blocks]
        else:
            Z = prog.pattern_value(sol.values)
    seconds = time.perf_counter() - t0
    if family == "skip":
        # naive returns only ŵ0: its flag is the ŵ0 part of flag 6.1
        flag = metrics.skip_flag(w0, others or [], w, 1e-4)
        dis = float(np.linalg.norm(w0 - w))
    else:
        targets = convex.normal_targets(bases, w, pats.planted)
        flag = metrics.normal_flag(Z, targets, pats.planted, 1e-4)
        dis = metrics.normal_distance(Z, targets, pats.planted)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(
        {
            "n": n,
            "d": d,
            "P": pats.P,
            "program": program,
            "form": form,
            "status": status,
            "objective": objective,
            "seconds": seconds,
            "peak_mb": peak_mb,
            "flag": bool(flag),
            "dis_abs": dis,
            "exit": exit_,
            "used": used,
            "iterations": sol.iterations if form != "naive" else 0,
        }
    )


def measure(
    n: int, d: int, program: str, form: str, method: str = "qdldl", solver: str = "clarabel"
) -> dict:
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, n, d, program, form, method, solver))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def _agree(rows: dict[str, dict]) -> list[str]:
    """Disagreements of flags (skip: ŵ0 part) and objectives (rel 1e-6) between forms."""
    ref = rows.get("full") or next(iter(rows.values()))
    bad = []
    for form, row in rows.items():
        if row["flag"] != ref["flag"]:
            bad.append(f"{form} flag {row['flag']} vs {ref['flag']}")
        rel = abs(row["objective"] - ref["objective"]) / abs(ref["objective"])
        if not rel <= 1e-6:
            bad.append(f"{form} objective rel {rel:.1e}")
    return bad


def check_trials(count: int, max_n: int, seed: int = 0) -> bool:
    """Sample ``count`` trials of the paper grid (n 10..400, d 10..100, n <= max_n), half
    near the n = 2d / 4d edges; solve each with both strategies and compare."""
    from deeplaws.recovery import convex, figures
    from deeplaws.recovery.experiments import Panel, Settings, run_trial

    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["recovery"]
    specs = figures.figure_specs(cfg["sigmas"])
    sets = sorted(
        {(p, panel) for p, panel in figures.record_sets(specs.values())},
        key=lambda t: (t[0], t[1].key),
    )
    sets = [(p, panel) for p, panel in sets if p in CONVEX_PROGRAMS]
    sets += [("skip_exact", Panel()), ("normal_exact", Panel(k=1))]  # core programs
    by_program = {p: [s for s in sets if s[0] == p] for p in CONVEX_PROGRAMS}
    rng = np.random.default_rng(seed)
    ds = np.arange(10, 101, 10)
    stats: dict[str, list] = {}
    t_fast = t_full = 0.0
    bad = 0
    for i in range(count):
        program = CONVEX_PROGRAMS[i % len(CONVEX_PROGRAMS)]  # every program equally often
        program, panel = by_program[program][rng.integers(len(by_program[program]))]
        d = int(rng.choice(ds[ds <= max_n]))
        if i % 2 == 0:  # near an edge: n within ±20 % of 2d or 4d
            n = int(round(rng.choice([2, 4]) * d * rng.uniform(0.8, 1.2) / 10) * 10)
        else:
            n = int(rng.integers(1, 41) * 10)
        n = int(min(max(n, 10), max_n))
        if n * d > max_n * max_n / 4:  # keep the sample affordable: n·d <= max_n²/4
            d = max(10, int(max_n * max_n / 4 / n) // 10 * 10)
        trial = int(rng.integers(5))
        t0 = time.perf_counter()
        full = run_trial(program, panel, n, d, trial, 0, Settings(strategy="full"))
        t1 = time.perf_counter()
        fast = run_trial(program, panel, n, d, trial, 0, Settings())
        t2 = time.perf_counter()
        t_full, t_fast = t_full + t1 - t0, t_fast + t2 - t1
        s = stats.setdefault(program, [0, 0, 0.0, 0.0, 0, 0])
        s[0] += 1
        if full["status"] == "skipped":
            continue
        ok = full["status"] in convex.ACCEPTED and fast["status"] in convex.ACCEPTED
        same_flag = fast["recovered"] == full["recovered"]
        dd = max(abs(np.nan_to_num(fast[k] - full[k])) for k in ("dis_abs", "dis_test"))
        rel = abs(fast["objective"] - full["objective"]) / max(abs(full["objective"]), 1e-300)
        s[1] += int(not same_flag)
        s[2] = max(s[2], dd)
        s[3] = max(s[3], rel)
        s[4] += int(not ok)
        s[5] += int(fast["exit"] != "full")
        print(
            f"  {i + 1:4d} {program:15s} {panel.key:28s} ({n:3d}, {d:3d}) t={trial} "
            f"{full['status']}/{fast['status']} exit {fast['exit']:11s} flag "
            f"{int(bool(full['recovered']))}/{int(bool(fast['recovered']))} "
            f"Δdis {dd:.1e} rel {rel:.1e} {t1 - t0:.2f}/{t2 - t1:.2f} s",
            flush=True,
        )
        if not same_flag or dd > 1e-3 or rel > 1e-6 or not ok:
            bad += 1
            print(
                f"  DIFF {program} {panel.key} n={n} d={d} t={trial}: flags {fast['recovered']}/"
                f"{full['recovered']} Δdis {dd:.1e} objective rel {rel:.1e} status "
                f"{fast['status']}/{full['status']}",
                flush=True,
            )
    print(
        f"\nchecked {count} trials (n <= {max_n}); full {t_full:.0f} s, working set {t_fast:.0f} s"
    )
    print(
        "| program | trials | flag differences | max Δ distance | max objective rel | not optimal | certified by a restricted solve |"
    )
    print("|---|---|---|---|---|---|---|")
    for program, s in sorted(stats.items()):
        print(f"| {program} | {s[0]} | {s[1]} | {s[2]:.1e} | {s[3]:.1e} | {s[4]} | {s[5]} |")
    return bad == 0


CONVEX_PROGRAMS = (
    "skip_relaxed",
    "skip_exact",
    "skip_train",
    "normal_relaxed",
    "normal_exact",
    "normal_train",
    "plain_exact",
)


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
            settings.update(strategy=cfg.get("strategy", "working_set"))
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
    parser.add_argument("--sizes", nargs="*", default=["100x20", "200x50", "300x70", "400x100"])
    parser.add_argument("--programs", nargs="*", default=list(PROGRAMS), choices=list(PROGRAMS))
    parser.add_argument(
        "--clarabel-method",
        default="qdldl",
        choices=["qdldl", "faer"],
        help="Clarabel KKT factorization (all formulations)",
    )
    parser.add_argument(
        "--solver",
        default="clarabel",
        choices=["clarabel", "cvxopt"],
        help="convex solver of the full and working_set forms (cvxopt: structured KKT solver)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per solve; the median is reported"
    )
    parser.add_argument(
        "--forms", nargs="*", default=["naive", "full", "working_set"], choices=FORMS
    )
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        help="program:NxD:form triples not to run (e.g. skip_train:400x100:naive)",
    )
    parser.add_argument("--sigma", type=float, default=0.0, help="noise level of the instances")
    parser.add_argument("--check-trials", type=int, default=0, help="strategy check, N trials")
    parser.add_argument("--max-n", type=int, default=400, help="largest n of --check-trials")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed of --check-trials")
    parser.add_argument("--grid", action="store_true", help="time the default-config grid")
    args = parser.parse_args()
    global SIGMA
    SIGMA = args.sigma
    ok = True
    rows = []
    for size in args.sizes:
        n, d = (int(v) for v in size.split("x"))
        for program in args.programs:
            sel = {}
            for form in args.forms:
                if f"{program}:{size}:{form}" in args.skip:
                    continue
                runs = [
                    measure(n, d, program, form, args.clarabel_method, args.solver)
                    for _ in range(args.repeat)
                ]
                runs.sort(key=lambda r: r["seconds"])
                row = runs[len(runs) // 2]  # the median run (seconds and its peak)
                row["all_seconds"] = [round(r["seconds"], 2) for r in runs]
                rows.append(row)
                sel[form] = row
                print(
                    f"{program:15s} ({n:3d},{d:3d}) P={row['P']:3d} {form:11s} "
                    f"{row['seconds']:8.2f} s  peak {row['peak_mb']:7.0f} MiB  "
                    f"{row['status']:18s} flag={row['flag']!s:5s} obj={row['objective']:.9g} "
                    f"exit={row['exit']} |W|={row['used']} it={row['iterations']}  "
                    f"runs {row['all_seconds']}",
                    flush=True,
                )
            bad = _agree(sel)
            if bad:
                ok = False
                print(f"  MISMATCH {program} ({n}, {d}): {'; '.join(bad)}", flush=True)
    if rows:
        print(
            "\n| program | (n, d) | P | naive s | full s | working set s | ws vs naive "
            "| ws vs full | naive MiB | full MiB | ws MiB | ws exit, patterns |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for program in args.programs:
            for size in args.sizes:
                n, d = (int(v) for v in size.split("x"))
                sel = {
                    r["form"]: r
                    for r in rows
                    if r["program"] == program and (r["n"], r["d"]) == (n, d)
                }
                if not sel:
                    continue

                def cell(form: str, key: str, fmt: str, sel=sel) -> str:
                    return format(sel[form][key], fmt) if form in sel else "–"

                def ratio(a: str, b: str, sel=sel) -> str:
                    if {a, b} <= set(sel):
                        return f"{sel[a]['seconds'] / sel[b]['seconds']:.0f}×"
                    return "–"

                ws_row = sel.get("working_set")
                how = f"{ws_row['exit']}, {ws_row['used']}" if ws_row else "–"
                P = next(iter(sel.values()))["P"]
                print(
                    f"| {program} | ({n}, {d}) | {P} | {cell('naive', 'seconds', '.2f')} "
                    f"| {cell('full', 'seconds', '.2f')} | {cell('working_set', 'seconds', '.2f')} "
                    f"| {ratio('naive', 'working_set')} | {ratio('full', 'working_set')} "
                    f"| {cell('naive', 'peak_mb', '.0f')} | {cell('full', 'peak_mb', '.0f')} "
                    f"| {cell('working_set', 'peak_mb', '.0f')} | {how} |"
                )
    if args.check_trials:
        ok = check_trials(args.check_trials, args.max_n, args.seed) and ok
    if args.grid:
        seconds, count = time_default_grid(ROOT / "config" / "config.yaml")
        print(f"\ndefault-config P2 grid, one process, one core: {count} trials in {seconds:.0f} s")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
