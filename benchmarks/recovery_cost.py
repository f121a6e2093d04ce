"""Calibrate the P2 cost model (deeplaws.recovery.layout) against measured trials.

For every program and size (n, d), a fresh child process runs real trials through the
package (deeplaws.recovery.experiments.run_trial / run_nonconvex_cell, the code path of
the pipeline's jobs, single-threaded) and reports the CPU seconds per trial
(time.process_time: data, patterns, solve and metrics, imports excluded) and its peak RSS.
The table prints the measured values beside the cost model and the ratio measured/model;
``--fit`` fits, per program, CPU seconds = a + b·x^p and peak MiB = m0 + m1·x over the
measured sizes (x = the program's size measure, see layout.size_measure) and writes them
to src/deeplaws/recovery/cost_calibration.py, which the model reads. Rerun it after a
solver change (``--quick``: fewer sizes, a few minutes).

The base curve is the full program at σ = 0 (``--set strategy=full``); trials of the
working set or at σ > 0 (``--set sigma=0.1``; ``--set planted=eye --set k=2`` for other
panels) calibrate the regime curves of cost.regime (noisy; above the n = 2d edge) with
the same fit where three sizes or more were measured, else as a scale of the base curve.
Noisy trials with another solver (``--set solver=auto``, a recovery.solver value)
calibrate that solver's own curve ``noisy_<solver>``, which the model uses for it.

``--project CONFIG`` sums the model over every unit of a config (default config merged
with CONFIG, as ``snakemake --configfile CONFIG``) and prints CPU-hours per program: for
the config's strategy, the per-pattern formulation (naive), the full program and the
working set, with the config's solver and with solver auto.

    .venv/bin/python benchmarks/recovery_cost.py --fit [--quick] [--lock FILE] [--set K=V]
    .venv/bin/python benchmarks/recovery_cost.py --set sigma=0.1 --sizes 100x20 --save F
    .venv/bin/python benchmarks/recovery_cost.py --set sigma=0.1 --set solver=auto --save F
    .venv/bin/python benchmarks/recovery_cost.py --measured FILE.json --fit
    .venv/bin/python benchmarks/recovery_cost.py --project config/paper.yaml
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION = ROOT / "src" / "deeplaws" / "recovery" / "cost_calibration.py"

SIZES = [(50, 10), (100, 20), (200, 50), (300, 70), (400, 100)]
QUICK_SIZES = [(100, 20), (200, 50), (400, 100)]
PROGRAMS = (
    "skip_relaxed",
    "skip_train",
    "normal_relaxed",
    "normal_train",
    "normal_nnic",
    "plain_exact",
    "ncvx_skip",
    "ncvx_normal",
    "skip_exact",
    "normal_exact",
)
# The planted neurons of each program's calibration panel (k of its figures).
K = {"normal_relaxed": 1, "normal_train": 1, "normal_exact": 1, "normal_nnic": 2}
# Paper-config solver settings (the SLURM resources are for that config).
SETTINGS = {"clarabel_method": "faer", "formulation": "conic"}
# CPU seconds of a solve job outside its trials (interpreter, imports, Snakemake's script
# preamble), measured on the smallest jobs of the default config.
STARTUP_CPU_S = 2.5


def _trials_for(program: str, n: int, d: int) -> int:
    """Enough trials for ~1 s of CPU at the small sizes, one at the large ones."""
    from deeplaws.recovery import cost as layout

    if layout.PROGRAMS[program].kind == "nonconvex":
        return 5  # one cell batch of 5 nets; per-trial cost = batch cost / 5
    seconds = layout.cost_estimate(
        program,
        n,
        d,
        K.get(program, 1),
        sigma=float(SETTINGS.get("sigma", 0.0)),
        solver=str(SETTINGS.get("solver", "clarabel")),
    )[1]
    return int(np.clip(np.ceil(2.0 / max(seconds, 1e-3)), 1, 5))


def child(program: str, n: int, d: int, trials: int, solver_settings: dict) -> dict:
    """Run ``trials`` trials in this process; CPU seconds per trial and peak RSS."""
    import resource

    t_import = time.process_time()
    from deeplaws.recovery import experiments, layout
    from deeplaws.recovery.runtime import pin_threads

    if layout.PROGRAMS[program].kind == "nonconvex":
        # torch (imported by the first trained cell) is start-up of the job, once per job,
        # not a cost of the cell: ~0.8 CPU s that would count as 0.16 s per net of 5
        from deeplaws.recovery import nonconvex  # noqa: F401

    pin_threads(1)
    import_cpu = time.process_time() - t_import
    solver_settings = dict(solver_settings)  # the panel keys are not solver settings
    k = int(solver_settings.pop("k", K.get(program, 1)))
    sigma = float(solver_settings.pop("sigma", 0.0))
    planted = str(solver_settings.pop("planted", "gauss"))
    panel = experiments.Panel(planted=planted, k=k, sigma=sigma)
    kind = layout.PROGRAMS[program].kind
    # Solver settings apply to the convex programs only (as recovery_settings in the rules).
    conv = solver_settings if kind == "convex" else {}
    strategy = conv.get("strategy", experiments.Settings().strategy) if kind == "convex" else ""
    solver = conv.get("solver", experiments.Settings().solver) if kind == "convex" else ""
    settings = experiments.Settings.from_dict(conv)
    statuses = []
    t0, w0 = time.process_time(), time.perf_counter()
    if kind == "nonconvex":
        recs = experiments.run_nonconvex_cell(
            program, panel, n, d, list(range(trials)), 20260101, settings
        )
    else:
        recs = [
            experiments.run_trial(program, panel, n, d, t, 20260101, settings)
            for t in range(trials)
        ]
    statuses = sorted({r["status"] for r in recs})
    used = sorted({str(r.get("solver", "")) for r in recs})  # auto: CVXOPT or Clarabel
    exits = sorted({str(r.get("exit", "")) for r in recs})
    cpu = (time.process_time() - t0) / trials
    wall = (time.perf_counter() - w0) / trials
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "program": program,
        "n": n,
        "d": d,
        "k": k,
        "sigma": sigma,
        "planted": planted,
        "strategy": strategy,
        "solver": solver,
        "solvers_used": used,
        "trials": trials,
        "cpu_s": cpu,
        "wall_s": wall,
        "peak_mib": peak,
        "import_cpu_s": import_cpu,
        "statuses": statuses,
        "exits": exits,
    }


def measure(programs, sizes, lock: str | None) -> list[dict]:
    settings = json.dumps(SETTINGS)
    rows = []
    for program in programs:
        for n, d in sizes:
            trials = _trials_for(program, n, d)
            cmd = [sys.executable, __file__, "--child", program, str(n), str(d), str(trials)]
            cmd.append(settings)
            if lock:
                cmd = ["flock", lock, *cmd]
            out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            if out.returncode != 0:
                print(f"{program} ({n}, {d}) failed:\n{out.stderr[-2000:]}", file=sys.stderr)
                continue
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row["load"] = os.getloadavg()[0]
            rows.append(row)
            print(
                f"  measured {program:15s} ({n:3d}, {d:3d}) x{trials}: "
                f"{row['cpu_s']:8.2f} s CPU/trial, {row['peak_mib']:7.0f} MiB, "
                f"load {row['load']:.1f}",
                flush=True,
            )
    return rows


# Trials with these statuses are shown but not fitted (a solve that ends inaccurate or
# fails runs another course: at (300, 70) one full normalized training solve ended
# optimal_inaccurate after 381 CPU s, 19x the (200, 50) solve).
UNFITTED = {"optimal_inaccurate", "user_limit", "solver_error", "certificate_failed", "error"}


def fitted(r: dict) -> bool:
    return not (set(r.get("statuses", [])) & UNFITTED)


def row_regime(r: dict) -> str:
    """The curve a measured trial calibrates: ``base`` (the full program at σ = 0, and
    every measurement without a strategy), else cost.regime of its cell; a noisy trial of
    another solver than Clarabel calibrates ``noisy_<solver>``."""
    from deeplaws.recovery import cost as layout

    if layout.PROGRAMS[r["program"]].kind != "convex":
        return "base"
    sigma, strategy = r.get("sigma", 0.0), r.get("strategy", "full") or "full"
    if strategy == "full" and sigma == 0:
        return "base"
    reg = layout.regime(r["n"], r["d"], sigma, r.get("planted", "gauss"))
    solver = r.get("solver") or "clarabel"
    return reg if solver == "clarabel" else f"{reg}_{solver}"


def _estimate(r: dict) -> tuple[float, float]:
    from deeplaws.recovery import cost as layout

    strategy = r.get("strategy") or "full"
    return layout.cost_estimate(
        r["program"],
        r["n"],
        r["d"],
        r["k"],
        sigma=r.get("sigma", 0.0),
        strategy=strategy,
        planted=r.get("planted", "gauss"),
        solver=r.get("solver") or "clarabel",
    )


def fit_regimes(rows: list[dict], programs: dict) -> None:
    """Per program and regime (noisy, above; see cost.regime) of the measured trials:
    above the edge a curve a + b x^p (three sizes or more: the restricted solve and the
    certificate grow by another law than the full program), at σ > 0 a scale of the
    program's base curve (geometric mean of measured/base: the same program, about
    twice the iterations); per other solver at σ > 0 (``noisy_<solver>``) its own curve
    a + b x^p from three sizes (the structured solver's gain grows with the size), else a
    scale of the base curve. Into programs[...]."""
    from deeplaws.recovery import cost as layout

    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        reg = row_regime(r)
        if (reg in ("noisy", "above") or reg.startswith("noisy_")) and fitted(
            r
        ):  # below the edge: the noisy curve (cost.regime)
            groups.setdefault((r["program"], reg), []).append(r)
    for (program, reg), pts in sorted(groups.items()):
        base = programs.get(program)
        sizes = {(r["n"], r["d"]) for r in pts}
        if reg != "noisy" and len(sizes) >= 3:  # noisy: the base law, more iterations
            curve = {k: v for k, v in fit(pts, force=True)[program].items() if k.startswith("cpu_")}
        elif base is not None:
            ratios = [
                r["cpu_s"]
                / layout._curve(base, layout.size_measure(program, r["n"], r["d"], r["k"]))
                for r in pts
            ]
            curve = {"scale": float(f"{np.exp(np.mean(np.log(ratios))):.4g}")}
        else:
            continue
        curve["sizes"] = " ".join(f"{n}x{d}" for n, d in sorted(sizes))
        if reg.startswith("noisy_"):  # measured apart from the base: its own note
            loads = [r["load"] for r in pts if "load" in r] or [float("nan")]
            strategies = sorted({r.get("strategy") or "full" for r in pts})
            curve["measured"] = (
                f"fitted {time.strftime('%Y-%m-%d')} on {sum(r['trials'] for r in pts)} trials, "
                f"one thread, solver {reg.removeprefix('noisy_')}, strategy "
                f"{'/'.join(strategies)}, sigma {'/'.join(sorted({str(r['sigma']) for r in pts}))}, "
                f"load average {min(loads):.1f}-{max(loads):.1f}"
            )
        base.setdefault("regimes", {})[reg] = curve


def fit(rows: list[dict], force: bool = False) -> dict:
    """Per program: CPU s = a + b x^p (log-space least squares), MiB = m0 + m1 x, over the
    rows of the base curve (``force``: over all rows given)."""
    from scipy.optimize import least_squares

    from deeplaws.recovery import cost as layout

    out = {}
    rows = [r for r in rows if fitted(r) and (force or row_regime(r) == "base")]
    for program in sorted({r["program"] for r in rows}):
        pts = [r for r in rows if r["program"] == program]
        x = np.array([layout.size_measure(program, r["n"], r["d"], r["k"]) for r in pts])
        t = np.array([r["cpu_s"] for r in pts])

        # Dedicated trials weigh as much, together, as the (noisier) cells of pipeline jobs.
        own = np.array([r.get("source") != "jobs" for r in pts])
        w = np.where(own, max(1.0, (~own).sum() / max(own.sum(), 1)), 1.0)

        def resid(theta, x=x, t=t, w=w):
            a, b, p = np.exp(theta[0]), np.exp(theta[1]), theta[2]
            return np.sqrt(w) * (np.log(a + b * x**p) - np.log(t))

        p0 = 1.0
        b0 = max(t.max() / x.max(), 1e-12)
        start = [np.log(max(t.min() / 2, 1e-3)), np.log(b0), p0]
        sol = least_squares(resid, start, bounds=([-12, -60, 0.3], [5, 10, 2.5]))
        a, b, p = float(np.exp(sol.x[0])), float(np.exp(sol.x[1])), float(sol.x[2])
        mpts = [r for r in pts if "peak_mib" in r]  # single trials in their own process
        if mpts:
            xm = np.array([layout.size_measure(program, r["n"], r["d"], r["k"]) for r in mpts])
            mem = np.array([r["peak_mib"] for r in mpts])
            A = np.vstack([np.ones_like(xm), xm]).T
            m0, m1 = np.linalg.lstsq(A, mem, rcond=None)[0] if len(mpts) > 1 else (mem[0], 0.0)
            m0 = float(max(m0, mem.min() * 0.8)) if len(mpts) > 1 else 125.0
            m1 = float(max(m1, 0.0)) if len(mpts) > 1 else float((mem[0] - 125.0) / xm[0])
        else:
            m0 = m1 = None  # no peak measured: the model keeps its uncalibrated memory
        out[program] = {
            "cpu_a_s": float(f"{a:.4g}"),
            "cpu_b_s": float(f"{b:.4g}"),
            "cpu_p": float(f"{p:.4g}"),
            **(
                {"mem_base_mib": float(f"{m0:.4g}"), "mem_per_x_mib": float(f"{m1:.4g}")}
                if m0 is not None
                else {}
            ),
            "sizes": " ".join(f"{r['n']}x{r['d']}" for r in pts if r.get("source") != "jobs"),
            "job_cells": sum(r.get("source") == "jobs" for r in pts),
        }
    return out


def table(rows: list[dict], header: str) -> None:

    print(f"\n{header}")
    print(
        "| program | (n, d) | σ | strategy | regime | exit | CPU s measured | model "
        "| measured/model | MiB measured | model | ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    worst = 1.0
    jobs_ratios: dict[str, list[float]] = {}
    for r in rows:
        mem, sec = _estimate(r)
        ratio = r["cpu_s"] / sec
        worst = max(worst, ratio, 1 / ratio)
        if r.get("source") == "jobs":
            jobs_ratios.setdefault(r["program"], []).append(ratio)
            continue
        mratio = r["peak_mib"] / mem
        cols = [
            r["program"],
            f"({r['n']}, {r['d']})",
            f"{r.get('sigma', 0.0):g}",
            r.get("strategy") or "full",
            row_regime(r),
            ",".join(r.get("exits", [])),
            f"{r['cpu_s']:.3g}",
            f"{sec:.3g}",
            f"{ratio:.2f}",
            f"{r['peak_mib']:.0f}",
            f"{mem:.0f}",
            f"{mratio:.2f}",
        ]
        print("| " + " | ".join(cols) + " |")
    if jobs_ratios:
        print("\nCells of pipeline jobs (CPU s per trial from the job's CPU time):")
        print("| program | cells | measured/model min | median | max |")
        print("|---|---|---|---|---|")
        for program, r in sorted(jobs_ratios.items()):
            print(f"| {program} | {len(r)} | {min(r):.2f} | {np.median(r):.2f} | {max(r):.2f} |")
    print(f"worst factor (max of ratio, 1/ratio): {worst:.2f}")


def write_calibration(programs: dict, measured: str) -> None:
    text = (
        '"""Fitted coefficients of the P2 cost model (deeplaws.recovery.cost.cost_estimate).\n\n'
        "Written by benchmarks/recovery_cost.py; do not edit by hand. Per program: CPU seconds\n"
        "per trial = job_factor * (cpu_a_s + cpu_b_s * x ** cpu_p) and peak MiB = mem_base_mib\n"
        "+ mem_per_x_mib * x, x = cost.size_measure(program, n, d, k); a, b, p and the memory\n"
        "line fitted on single trials at the sizes listed (--fit), job_factor on whole pipeline\n"
        "jobs (--jobs --fit). ``regimes`` (convex programs, see cost.regime): ``above``, the\n"
        "curve of the working set above the edge at σ = 0; ``noisy``, a ``scale`` of the base\n"
        "curve (the full program at σ = 0) for σ > 0 with Clarabel; ``noisy_<solver>``, the\n"
        "curve for σ > 0 with that recovery.solver (its own note ``measured``). See MEASURED.\n"
        '"""\n\n'
        f"SETTINGS = {json.dumps(SETTINGS)}\n\n"
        f"MEASURED = {json.dumps(measured)}\n\n"
        f"PROGRAMS = {json.dumps(programs, indent=4, sort_keys=True)}\n"
    )
    CALIBRATION.write_text(text)
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(CALIBRATION)], check=False)


def _measured_note(rows: list[dict]) -> str:
    loads = [r["load"] for r in rows if "load" in r] or [float("nan")]
    return (
        f"trials measured {time.strftime('%Y-%m-%d')}, one thread, {SETTINGS}, load average "
        f"{min(loads):.1f}-{max(loads):.1f}"
    )


def record_rows(root: Path, programs) -> list[dict]:
    """Per-(program, n, d) CPU seconds per trial from finished pipeline jobs: each trial's
    recorded wall seconds, scaled by its job's measured CPU time (benchmark file, start-up
    removed) over the job's summed trial wall seconds. Peak memory is not per trial there."""
    import csv

    from deeplaws.recovery.layout import Panel

    cells: dict[tuple, list[float]] = {}
    for tsv in sorted((root / "benchmarks" / "recovery_solve_unit").glob("*/*/*.tsv")):
        program, panel, unit = tsv.parts[-3], tsv.parts[-2], tsv.stem
        out = root / "results" / "recovery" / program / panel / f"{unit}.json"
        if program not in programs or not out.exists():
            continue
        unit_file = json.loads(out.read_text())
        if unit_file.get("reuse", {}).get("reused", 0):
            continue
        with tsv.open() as fh:
            cpu = float(list(csv.DictReader(fh, delimiter="\t"))[-1]["cpu_time"]) - STARTUP_CPU_S
        recs = [r for r in unit_file["records"] if np.isfinite(r.get("wall_seconds", np.nan))]
        if program.startswith("ncvx"):  # one batch per cell: the cell's wall is per batch
            walls = {(r["n"], r["d"]): r["wall_seconds"] / r["batch_size"] for r in recs}
            total = sum(walls[(r["n"], r["d"])] for r in recs)
        else:
            total = sum(r["wall_seconds"] for r in recs)
        if total <= 0:
            continue
        scale = cpu / total
        k = Panel.parse(panel).k
        for r in recs:
            wall = (
                r["wall_seconds"] / r.get("batch_size", 1)
                if program.startswith("ncvx")
                else r["wall_seconds"]
            )
            cells.setdefault((program, r["n"], r["d"], k), []).append(wall * scale)
    return [
        {
            "program": p,
            "n": n,
            "d": d,
            "k": k,
            "cpu_s": float(np.mean(v)),
            "source": "jobs",
            "trials": len(v),
        }
        for (p, n, d, k), v in sorted(cells.items())
    ]


def jobs(root: Path) -> dict[str, list[float]]:
    """Measured CPU time of every finished solve job (Snakemake benchmark files) beside the
    model's prediction for its unit (trials computed in that job; start-up excluded), for
    per-unit jobs and for the one job per program of ``fanout: program``.
    Returns the ratios measured/model per program."""
    import csv

    from deeplaws.recovery import cost as layout
    from deeplaws.recovery.layout import Panel, Unit

    def model_seconds(program, unit, ns, ds, trials, panel_key, settings) -> float:
        """The model for one unit at its panel's regime and the job's solver settings (the
        trained nets' settings name no solver: the defaults)."""
        panel = Panel.parse(panel_key)
        return layout.unit_cost(
            program,
            unit,
            ns,
            ds,
            trials,
            panel.k,
            settings.get("formulation", "conic"),
            panel.sigma,
            settings.get("strategy", "full"),
            panel.planted,
            settings.get("solver", "clarabel"),
        )[1]

    print("\n| program | panel | unit | trials | CPU s measured | model | measured/model |")
    print("|---|---|---|---|---|---|---|")
    ratios: dict[str, list[float]] = {}
    for tsv in sorted((root / "benchmarks" / "recovery_solve_unit").glob("*/*/*.tsv")):
        program, panel, unit = tsv.parts[-3], tsv.parts[-2], tsv.stem
        out = root / "results" / "recovery" / program / panel / f"{unit}.json"
        if not out.exists():
            continue
        unit_file = json.loads(out.read_text())
        if unit_file.get("reuse", {}).get("reused", 0):
            continue  # only jobs that computed every trial
        cfg = unit_file["provenance"]["config"]
        with tsv.open() as fh:
            row = list(csv.DictReader(fh, delimiter="\t"))[-1]
        measured = float(row["cpu_time"]) - STARTUP_CPU_S
        model = model_seconds(
            program, Unit.parse(unit), cfg["ns"], cfg["ds"], cfg["trials"], panel, cfg["settings"]
        )
        ratio = measured / model
        ratios.setdefault(program, []).append(ratio)
        print(
            f"| {program} | {panel} | {unit} | {len(unit_file['records'])} | "
            f"{measured:.1f} | {model:.1f} | {ratio:.2f} |"
        )
    # jobs of `fanout: program`: every panel of the program, each a whole-panel unit
    for tsv in sorted((root / "benchmarks" / "recovery_solve_program").glob("*.tsv")):
        program = tsv.stem
        out = root / "results" / "recovery" / program / "panels~all.json"
        if not out.exists():
            continue
        job = json.loads(out.read_text())
        if job.get("reuse", {}).get("reused", 0):
            continue
        cfg = job["provenance"]["config"]
        with tsv.open() as fh:
            row = list(csv.DictReader(fh, delimiter="\t"))[-1]
        measured = float(row["cpu_time"]) - STARTUP_CPU_S
        model = sum(
            model_seconds(program, Unit(None, None), pns, pds, cfg["trials"], key, cfg["settings"])
            for key, pns, pds in cfg["panels"]
        )
        ratio = measured / model
        ratios.setdefault(program, []).append(ratio)
        print(
            f"| {program} | all {len(cfg['panels'])} | program job | {len(job['records'])} | "
            f"{measured:.1f} | {model:.1f} | {ratio:.2f} |"
        )
    print("\n| program | jobs | measured/model min | median | max |")
    print("|---|---|---|---|---|")
    for program, r in sorted(ratios.items()):
        print(f"| {program} | {len(r)} | {min(r):.2f} | {np.median(r):.2f} | {max(r):.2f} |")
    return ratios


def fit_jobs(ratios: dict[str, list[float]]) -> None:
    """Scale each program's CPU model by sqrt(min · max) of its job ratios, which centres
    the spread of measured/model over whole jobs (other panels, n ≈ d cells) on 1."""
    from deeplaws.recovery import cost_calibration

    programs = {k: dict(v) for k, v in cost_calibration.PROGRAMS.items()}
    for program, r in ratios.items():
        if program not in programs:
            print(f"{program}: not calibrated on trials, job factor not applied")
            continue
        old = programs[program].get("job_factor", 1.0)
        factor = old * float(np.sqrt(min(r) * max(r)))
        programs[program]["job_factor"] = float(f"{factor:.3g}")
        programs[program]["job_ratios"] = f"{len(r)} jobs, {min(r):.2f}-{max(r):.2f} before"
    note = f"{cost_calibration.MEASURED}; job factors from {time.strftime('%Y-%m-%d')} jobs"
    write_calibration(programs, note)


def project(configfile: str) -> None:
    import yaml

    from deeplaws.common.config import merge_configs
    from deeplaws.recovery import cost as layout

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    if configfile:
        config = merge_configs(config, yaml.safe_load(Path(configfile).read_text()))
    rc = config["recovery"]
    solver = rc.get("solver", "clarabel")
    variants = [
        (f"the config (strategy {rc.get('strategy', 'working_set')}, solver {solver})", {}),
        ("(a) the per-pattern formulation (naive, full program)", {"formulation": "naive"}),
        ("(b) the full vectorized program (strategy full)", {"strategy": "full"}),
        ("(c) the working set (strategy working_set)", {"strategy": "working_set"}),
        (
            "(c auto) the working set with solver auto",
            {"strategy": "working_set", "solver": "auto"},
        ),
    ]
    summary: dict[str, dict[str, float]] = {}
    for title, over in variants:
        proj = layout.projection(rc, **over)
        summary[title.split(")")[0] + ")"] = {p: v["cpu_hours"] for p, v in proj.items()}
        print(f"\nProjection for {configfile or 'config/config.yaml'}, {title}, one core:")
        print("| program | jobs | trials | CPU-hours | requested job-hours |")
        print("|---|---|---|---|---|")
        for program, p in sorted(proj.items(), key=lambda kv: -kv[1]["cpu_hours"]):
            print(
                f"| {program} | {p['jobs']} | {p['trials']} | {p['cpu_hours']:.2f} | "
                f"{p['requested_hours']:.2f} |"
            )
        total = sum(p["cpu_hours"] for p in proj.values())
        req = sum(p["requested_hours"] for p in proj.values())
        jobs = sum(p["jobs"] for p in proj.values())
        print(f"| total | {jobs} | | {total:.1f} | {req:.1f} |")
    cols = ["(a)", "(b)", "(c)", "(c auto)"]
    print("\nCPU-hours per program, one core ((c): working set with Clarabel unless the config")
    print(f"names another solver; config solver {solver}):")
    print("| program | " + " | ".join(cols) + " | (c auto)/(a) |")
    print("|---|---|---|---|---|---|")
    programs = sorted(summary["(a)"], key=lambda p: -summary["(a)"][p])
    for program in [*programs, "total"]:
        vals = [
            sum(summary[c].values()) if program == "total" else summary[c][program] for c in cols
        ]
        print(
            f"| {program} | "
            + " | ".join(f"{v:.1f}" for v in vals)
            + f" | {vals[3] / vals[0]:.3f} |"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--child", nargs="+", help="PROGRAM N D TRIALS [SETTINGS-JSON] (internal)")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a solver setting of the convex programs (e.g. strategy=..., solver=auto) or a panel key "
        "(sigma, planted, k), YAML value",
    )
    ap.add_argument("--programs", nargs="+", default=list(PROGRAMS))
    ap.add_argument("--sizes", nargs="+", help="NxD sizes (default: 5 sizes up to 400x100)")
    ap.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}")
    ap.add_argument("--max-size", help="NxD: skip larger sizes for the exact programs")
    ap.add_argument("--lock", help="run every measurement under flock on this file")
    ap.add_argument("--measured", nargs="+", help="reuse measurements from these JSON files")
    ap.add_argument(
        "--records",
        nargs="?",
        const=str(ROOT),
        default=None,
        help="also fit on the cells of the finished pipeline jobs of this repository",
    )
    ap.add_argument("--save", default="", help="write the measurements to this JSON file")
    ap.add_argument("--fit", action="store_true", help="fit and write cost_calibration.py")
    ap.add_argument("--project", nargs="?", const="config/paper.yaml", default=None)
    ap.add_argument(
        "--jobs",
        nargs="?",
        const=str(ROOT),
        default=None,
        help="compare the finished solve jobs of this repository with the model",
    )
    args = ap.parse_args()
    if args.child:
        program, n, d, trials = args.child[:4]
        settings = json.loads(args.child[4]) if len(args.child) > 4 else SETTINGS
        print(json.dumps(child(program, int(n), int(d), int(trials), settings)))
        return
    import yaml

    for item in args.set:
        key, _, value = item.partition("=")
        SETTINGS[key] = yaml.safe_load(value)
    if args.jobs is not None:
        ratios = jobs(Path(args.jobs))
        if args.fit:
            fit_jobs(ratios)
            from deeplaws.recovery import cost

            cost.reload_calibration()
            jobs(Path(args.jobs))
        return
    if args.project is not None and not args.fit and not args.measured:
        project(args.project)
        return
    if args.measured:
        rows = [r for f in args.measured for r in json.loads(Path(f).read_text())]
    else:
        sizes = QUICK_SIZES if args.quick else SIZES
        if args.sizes:
            sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes]
        rows = measure(args.programs, sizes, args.lock)
        if args.save:
            Path(args.save).write_text(json.dumps(rows, indent=1))
    if args.records is not None:
        rows += record_rows(Path(args.records), set(args.programs))
    table(rows, "Before the fit (the cost model as it reads now):")
    if args.fit:
        coeffs = fit(rows)
        from deeplaws.recovery import cost_calibration

        programs = {k: dict(v) for k, v in cost_calibration.PROGRAMS.items()}
        for program, c in coeffs.items():  # a refitted base keeps the fitted regimes
            programs[program] = {
                **c,
                **(
                    {"regimes": programs[program]["regimes"]}
                    if "regimes" in programs.get(program, {})
                    else {}
                ),
            }
        fit_regimes(rows, programs)
        # Only solver curves fitted (no base curve): the base's note stays.
        only_solvers = not coeffs and all(row_regime(r).startswith("noisy_") for r in rows)
        note = cost_calibration.MEASURED if only_solvers else _measured_note(rows)
        if coeffs and set(coeffs) < set(programs) and not only_solvers:
            # a refit of some programs: the others keep their calibration and its note
            note = f"{cost_calibration.MEASURED}; refitted {', '.join(sorted(coeffs))}: {note}"
        write_calibration(programs, note)
        from deeplaws.recovery import cost as layout

        layout.reload_calibration()
        table(rows, "After the fit:")
    if args.project is not None:
        project(args.project)


if __name__ == "__main__":
    main()
