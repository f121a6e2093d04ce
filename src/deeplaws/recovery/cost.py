"""The cost model of P2: CPU seconds and peak memory of one trial, one unit and a config.

Calibrated on measured trials by benchmarks/recovery_cost.py, which writes the fitted
coefficients to cost_calibration.py. Used for the SLURM resources of the solve jobs and
for the CPU-hour projection of a config (``projection``). Changes no number: the compute
jobs do not list this module as an input.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from deeplaws.recovery import cost_calibration
from deeplaws.recovery.layout import PROGRAMS, Unit, n_patterns_estimate, units


def size_measure(program: str, n: int, d: int, k: int = 1) -> float:
    """The size x that a program's cost grows with: for the convex programs and the
    certificate the non-zeros of the stacked pattern blocks, n·P·min(n, d); for the trained
    nets the multiply-adds of one epoch, n·(n + 1)·d."""
    if PROGRAMS[program].kind == "nonconvex":
        return float(n * (n + 1) * d)
    return float(n * n_patterns_estimate(program, n, k) * min(n, d))


def _fallback_cost(program: str, n: int, d: int, k: int) -> tuple[float, float]:
    """The uncalibrated model (spec constants), for a program without fitted values."""
    prog = PROGRAMS[program]
    if prog.kind == "nonconvex":
        return 300.0, 0.5 + 4e-6 * n * n * d
    nnz = size_measure(program, n, d, k)
    if prog.kind == "certificate":
        return 300.0 + 8 * 3 * nnz / 1e6, 0.2 + 1e-6 * nnz
    if prog.mode == "relaxed":
        return 300.0 + 1.1e-4 * nnz, 0.3 + 4e-6 * nnz
    return 400.0 + 3.2e-4 * nnz, 1.0 + 2e-5 * nnz


# The cvxpy formulation relative to the conic one (benchmark table of docs/recovery.md:
# training program at (400, 100) 9.0 vs 4.9 GiB, (200, 50) 11.3 vs 5.4 s).
CVXPY_FACTOR = {"mem": 1.9, "seconds": 2.1}
# The per-pattern formulation of the official scripts (``naive``: one cvxpy variable and
# expression per pattern, Clarabel at its defaults) relative to the full conic program at
# the same cell: naive/full seconds of the benchmark table of docs/recovery.md (geometric
# means over its sizes; the exact programs take their family's training factor).
NAIVE_FACTOR = {
    "skip_relaxed": 2.4,
    "skip_train": 3.3,
    "skip_exact": 3.3,
    "plain_exact": 3.3,
    "normal_relaxed": 2.2,
    "normal_train": 2.3,
    "normal_exact": 2.3,
}
STRATEGIES = ("working_set", "full")
# Regimes of a convex trial that decide what it costs: ``noisy`` (σ > 0: the interpolating
# solution uses a large share of the patterns, the full program is solved and takes about
# twice the interior-point iterations of σ = 0), ``above`` (σ = 0, n >= EDGE·d: the planted
# point certifies at the first restricted solve) and ``below`` (σ = 0, n < EDGE·d: trial by
# trial either certified at once or the full program; measured 0.03 s to 1.9x the noisy
# curve). Curves: working set ``above`` → its own fit, ``noisy`` and ``below`` → the noisy
# curve (below: the upper envelope); full strategy and per-pattern formulation ``above``
# → the base curve (full program, σ = 0), else the noisy curve (the working set's extra
# restricted solves at σ > 0 are within the measured spread).
EDGE = 2.0
# Convex solvers (recovery.solver) and the noisy curve each one takes: its own
# (``noisy_<solver>``, fitted on trials with that solver) where measured, else Clarabel's
# ``noisy``. Only the conic formulation reaches the structured CVXOPT solver, so the other
# formulations always take Clarabel's curves; the σ = 0 working set above the edge
# certifies with restricted solves far below cvxopt's threshold in ``auto``
# (convex.blocks.AUTO_MIN_WORK) and keeps its Clarabel curve as well.
SOLVERS = ("auto", "clarabel", "cvxopt", "mosek", "scs")  # convex.blocks.SOLVERS


def regime(n: int, d: int, sigma: float, planted: str = "gauss") -> str:
    """The cost regime of a convex trial (see EDGE). The planted-eye panels at σ = 0 count
    as below the edge: their trials mostly end with the full program (measured: 7 of 8
    cells at k = 2, 3 of the normalized relaxed program)."""
    if sigma > 0:
        return "noisy"
    return "above" if n >= EDGE * d and planted != "eye" else "below"


def _curve(c: dict, x: float) -> float:
    return c["cpu_a_s"] + c["cpu_b_s"] * x ** c["cpu_p"]


def reload_calibration() -> None:
    """Re-read the fitted coefficients (after benchmarks/recovery_cost.py --fit)."""
    importlib.reload(cost_calibration)


def cost_estimate(
    program: str,
    n: int,
    d: int,
    k: int,
    formulation: str = "conic",
    sigma: float = 0.0,
    strategy: str = "full",
    planted: str = "gauss",
    solver: str = "clarabel",
) -> tuple[float, float]:
    """(peak MiB, CPU seconds) of one trial: the calibrated model of cost_calibration.py
    (fitted on measured trials by benchmarks/recovery_cost.py), else the uncalibrated
    constants. Convex programs: the curve of the trial's regime (``regime``) for the
    strategy and, at σ > 0 and below the edge, the solver (SOLVERS); the fit is for the
    conic formulation, cvxpy scales by CVXPY_FACTOR and the per-pattern formulation
    (``naive``, always the full program) by NAIVE_FACTOR."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; allowed {STRATEGIES}")
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; allowed {SOLVERS}")
    c = cost_calibration.PROGRAMS.get(program)
    mem, sec = _fallback_cost(program, n, d, k)
    convex = PROGRAMS[program].kind == "convex"
    if c is not None:
        x = size_measure(program, n, d, k)
        sec = _curve(c, x)
        curves = c.get("regimes", {}) if convex else {}
        reg = regime(n, d, sigma, planted)
        if reg == "above" and (formulation == "naive" or strategy == "full"):
            reg = "base"
        reg = "noisy" if reg == "below" else reg
        if reg == "noisy" and formulation == "conic" and f"noisy_{solver}" in curves:
            reg = f"noisy_{solver}"
        if reg in curves:
            r = curves[reg]
            sec = r["scale"] * sec if "scale" in r else _curve(r, x)
        sec *= c.get("job_factor", 1.0)
        if "mem_base_mib" in c:
            mem = c["mem_base_mib"] + c["mem_per_x_mib"] * x
    if formulation == "cvxpy" and convex:
        mem, sec = mem * CVXPY_FACTOR["mem"], sec * CVXPY_FACTOR["seconds"]
    if formulation == "naive" and convex:
        sec *= NAIVE_FACTOR.get(program, 1.0)
    return mem, sec


# Margins of the SLURM requests over the model. The model is within a factor of 2 of the
# measured CPU time of single trials at every calibrated size, but whole jobs of some panels
# (planted eye, n ≈ 2-5d) took up to 2.3x its prediction (benchmarks/recovery_cost.py
# --jobs): runtime asks for TIME_MARGIN x the model plus the job's start-up, memory for
# MEM_MARGIN x the model's peak.
TIME_MARGIN = 3.0
MEM_MARGIN = 1.5
JOB_STARTUP_S = 15.0


def unit_cost(
    program: str,
    unit: Unit,
    ns: list[int],
    ds: list[int],
    trials: int,
    k: int,
    formulation: str = "conic",
    sigma: float = 0.0,
    strategy: str = "full",
    planted: str = "gauss",
    solver: str = "clarabel",
) -> tuple[float, float]:
    """(peak MiB, CPU seconds) the model predicts for one unit of work."""
    tasks = unit.tasks(ns, ds, trials)
    if PROGRAMS[program].kind == "nonconvex" and unit.trial is not None:
        tasks = [(n, d, t) for n, d, _ in tasks for t in range(trials)]  # trains the cell
    prog = PROGRAMS[program]
    costs = [
        (300.0, 0.0)
        if prog.skips_n_lt_d and n < d
        else cost_estimate(program, n, d, k, formulation, sigma, strategy, planted, solver)
        for n, d, _ in tasks
    ]
    return max(c[0] for c in costs), sum(c[1] for c in costs)


def with_margins(mem: float, seconds: float) -> tuple[int, int]:
    """(mem_mb, runtime minutes) a job requests for a model's (peak MiB, CPU seconds)."""
    runtime = TIME_MARGIN * seconds + JOB_STARTUP_S
    return int(np.ceil(MEM_MARGIN * mem / 100.0) * 100), int(np.ceil(runtime / 60.0))


def resources(*args: Any, **kwargs: Any) -> tuple[int, int]:
    """(mem_mb, runtime minutes) for one job: :func:`unit_cost` (same arguments) with the
    margins above."""
    return with_margins(*unit_cost(*args, **kwargs))


def _span(spec: dict) -> list[float]:
    start, stop, step = spec["start"], spec["stop"], spec["step"]
    count = int(round((stop - start) / step)) + 1
    return [round(start + i * step, 10) for i in range(count)]


def projection(
    rc: dict,
    formulation: str | None = None,
    strategy: str | None = None,
    solver: str | None = None,
) -> dict[str, dict[str, float]]:
    """CPU-hours per program that the model predicts for every unit of a config's
    ``recovery`` section, with the job count and the job-hours the resources request.
    ``formulation`` / ``strategy`` / ``solver`` override the config's (``naive``: the
    per-pattern formulation of the official scripts). Under ``fanout: program`` a
    program is one job; its requested hours are the sum of its panels' (as the rule asks)."""
    from deeplaws.recovery import figures

    ns = [int(v) for v in _span(rc["grid"]["n"])]
    ds = [int(v) for v in _span(rc["grid"]["d"])]
    specs = figures.figure_specs(rc["sigmas"])
    active = [specs[f] for f in rc["figures"]]
    small = rc.get("small_grid", {})
    grids = figures.record_set_grids(
        active, ns, ds, rc.get("full_grid", "all"), small.get("n_max"), small.get("d_max")
    )
    out: dict[str, dict[str, float]] = {}
    for program, panel in figures.record_sets(active):
        pns, pds = grids[(program, panel.key)]
        trials = rc["trials"][program]
        batch = rc["fanout"]["batch"][program]
        form = formulation or rc.get("formulation", "conic")
        strat = strategy or rc.get("strategy", "working_set")
        cell = (panel.k, panel.sigma, strat, panel.planted, solver or rc.get("solver", "clarabel"))
        p = out.setdefault(
            program, {"jobs": 0, "trials": 0, "cpu_hours": 0.0, "requested_hours": 0.0}
        )
        for unit in units(program, pns, pds, trials, batch, rc["fanout"]["per_trial_min_n"]):
            mem, seconds = unit_cost(program, unit, pns, pds, trials, cell[0], form, *cell[1:])
            _, minutes = with_margins(mem, seconds)
            p["jobs"] += 1
            p["trials"] += len(unit.tasks(pns, pds, trials))
            p["cpu_hours"] += seconds / 3600.0
            p["requested_hours"] += minutes / 60.0
        if batch == "program":
            p["jobs"] = 1  # every panel of the program runs in the program's one job
    return out
