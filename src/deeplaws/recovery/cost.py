"""The cost model of P2: CPU seconds and peak memory of one trial, one unit and a config.

Calibrated on measured trials by benchmarks/recovery_cost.py, which writes the fitted
coefficients to cost_calibration.py. Used for the SLURM resources of the solve jobs and
for the CPU-hour projection of a config (``projection``). Changes no number: the compute
jobs do not list this module as an input.
"""

from __future__ import annotations

import importlib

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


def reload_calibration() -> None:
    """Re-read the fitted coefficients (after benchmarks/recovery_cost.py --fit)."""
    importlib.reload(cost_calibration)


def cost_estimate(
    program: str, n: int, d: int, k: int, formulation: str = "conic"
) -> tuple[float, float]:
    """(peak MiB, CPU seconds) of one trial: the calibrated model of cost_calibration.py
    (fitted on measured trials by benchmarks/recovery_cost.py), else the uncalibrated
    constants. The fit is for the conic formulation; cvxpy scales by CVXPY_FACTOR."""
    c = cost_calibration.PROGRAMS.get(program)
    mem, sec = _fallback_cost(program, n, d, k)
    if c is not None:
        x = size_measure(program, n, d, k)
        sec = c.get("job_factor", 1.0) * (c["cpu_a_s"] + c["cpu_b_s"] * x ** c["cpu_p"])
        if "mem_base_mib" in c:
            mem = c["mem_base_mib"] + c["mem_per_x_mib"] * x
    if formulation == "cvxpy" and PROGRAMS[program].kind == "convex":
        mem, sec = mem * CVXPY_FACTOR["mem"], sec * CVXPY_FACTOR["seconds"]
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
) -> tuple[float, float]:
    """(peak MiB, CPU seconds) the model predicts for one unit of work."""
    tasks = unit.tasks(ns, ds, trials)
    if PROGRAMS[program].kind == "nonconvex" and unit.trial is not None:
        tasks = [(n, d, t) for n, d, _ in tasks for t in range(trials)]  # trains the cell
    prog = PROGRAMS[program]
    costs = [
        (300.0, 0.0)
        if prog.skips_n_lt_d and n < d
        else cost_estimate(program, n, d, k, formulation)
        for n, d, _ in tasks
    ]
    return max(c[0] for c in costs), sum(c[1] for c in costs)


def resources(
    program: str,
    unit: Unit,
    ns: list[int],
    ds: list[int],
    trials: int,
    k: int,
    formulation: str = "conic",
) -> tuple[int, int]:
    """(mem_mb, runtime minutes) for one job: the model with the margins above."""
    mem, seconds = unit_cost(program, unit, ns, ds, trials, k, formulation)
    runtime = TIME_MARGIN * seconds + JOB_STARTUP_S
    return int(np.ceil(MEM_MARGIN * mem / 100.0) * 100), int(np.ceil(runtime / 60.0))


def _span(spec: dict) -> list[float]:
    start, stop, step = spec["start"], spec["stop"], spec["step"]
    count = int(round((stop - start) / step)) + 1
    return [round(start + i * step, 10) for i in range(count)]


def projection(rc: dict) -> dict[str, dict[str, float]]:
    """CPU-hours per program that the model predicts for every unit of a config's
    ``recovery`` section, with the job count and the job-hours the resources request."""
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
        form = rc.get("formulation", "conic")
        p = out.setdefault(
            program, {"jobs": 0, "trials": 0, "cpu_hours": 0.0, "requested_hours": 0.0}
        )
        for unit in units(program, pns, pds, trials, batch, rc["fanout"]["per_trial_min_n"]):
            _, seconds = unit_cost(program, unit, pns, pds, trials, panel.k, form)
            _, minutes = resources(program, unit, pns, pds, trials, panel.k, form)
            p["jobs"] += 1
            p["trials"] += len(unit.tasks(pns, pds, trials))
            p["cpu_hours"] += seconds / 3600.0
            p["requested_hours"] += minutes / 60.0
    return out
