"""The runner of P2: one trial (or one batch of nonconvex trials) → one record each.

A *program* is what one trial computes (a convex program, a certificate check or a
nonconvex training run); a *panel* is the planted setting (X distribution, planted model,
number of planted neurons k, noise σ). Records are keyed by (program, panel, n, d, trial),
so figures that share a setting share its records. Every trial draws from its own
generator, SeedSequence(base, "recovery", program, panel, n, d, trial).
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from deeplaws.common.defaults import schema_defaults_of
from deeplaws.common.seeding import derive_seed, make_rng
from deeplaws.recovery import arrangements, convex, data, metrics
from deeplaws.recovery.layout import (  # noqa: F401 - the layout, re-exported
    BATCHES,
    PANEL_PATTERN,
    PROGRAMS,
    UNIT_PATTERN,
    Panel,
    Program,
    Unit,
    n_patterns_estimate,
    units,
)

if TYPE_CHECKING:
    from deeplaws.recovery.store import Store

log = logging.getLogger(__name__)
LOG_RECORD = "%s %s n=%d d=%d trial=%d: status=%s recovered=%s dis_abs=%.3g dis_test=%.3g (%.2f s)"
LOGGED = ("n", "d", "trial", "status", "recovered", "dis_abs", "dis_test", "wall_seconds")


# ---------------------------------------------------------------- one trial


#: the config sections whose keys the fields of :class:`Settings` are
SECTIONS = ("recovery", "recovery.nonconvex")


@dataclass
@schema_defaults_of(*SECTIONS)
class Settings:
    """Everything a trial needs besides its identity (from the config, via params). The
    fields are the keys recovery.<key> (convex programs) and recovery.nonconvex.<key>
    (training); their defaults are the config schema's."""

    solver: str
    clarabel_method: str
    formulation: str
    strategy: str
    tol: float
    beta: float
    all_ones_check: str
    min_directions: int
    epochs: int
    lr: float
    weight_decay: float
    reset_optimizer: bool
    width_extra: int

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Settings:
        """From the params of a rule: config keys of the two sections, any subset."""
        known = set(cls.__dataclass_fields__)
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        return cls(**values)


def trial_seed(base: int, program: str, panel: Panel, n: int, d: int, trial: int) -> int:
    return derive_seed(base, "recovery", program, panel.key, n, d, trial)


def _blank(program: str, panel: Panel, n: int, d: int, trial: int, seed: int) -> dict:
    return {
        "program": program,
        "panel": panel.key,
        "xdist": panel.xdist,
        "planted": panel.planted,
        "k": panel.k,
        "sigma": panel.sigma,
        "n": n,
        "d": d,
        "trial": trial,
        "seed": seed,
        "status": "",
        "message": "",
        "solver": "",
        "solve_seconds": float("nan"),
        "compile_seconds": float("nan"),
        "wall_seconds": float("nan"),
        "all_ones": None,
        "n_patterns": None,
        "recovered": False,
        "dis_abs": float("nan"),
        "dis_test": float("nan"),
        "objective": float("nan"),
    }


# Certificate and solver fields of a convex record (working_set.solve's info).
CERTIFICATE_FIELDS = (
    "strategy",
    "exit",
    "outer_iterations",
    "patterns_used",
    "dual_max",
    "dual_violation",
    "excluded_max",
    "rel_gap",
    "residual",
    "cone_violation",
    "solver_status",
    "solver_objective",
)


def run_trial(
    program: str, panel: Panel, n: int, d: int, trial: int, base_seed: int, settings: Settings
) -> dict[str, Any]:
    """One trial of a convex program or certificate → one record. Exceptions are caught and
    recorded (status "error"): the trial then counts as not recovered with NaN distances.
    Nonconvex records come from run_nonconvex_cell (a cell's trials train as one batch)."""
    prog = PROGRAMS[program]
    if prog.kind == "nonconvex":
        raise ValueError(f"{program} trains per cell: use run_nonconvex_cell or run_unit")
    seed = trial_seed(base_seed, program, panel, n, d, trial)
    rec = _blank(program, panel, n, d, trial, seed)
    t0 = time.perf_counter()
    if prog.skips_n_lt_d and n < d:
        rec.update(status="skipped", message="n < d is not solved for the normalized family")
        if prog.kind == "certificate":
            rec.update(nnic=False, nnic_faithful=False)
        return rec
    rng = make_rng(base_seed, "recovery", program, panel.key, n, d, trial)
    try:
        _convex(rec, program, prog, panel, n, d, rng, settings)
    except arrangements.PlantedPatternClash as err:
        rec.update(status="pattern_clash", message=str(err), recovered=False)
    except Exception as err:  # noqa: BLE001 - one trial must never lose the others
        log.error("trial %s failed:\n%s", rec, traceback.format_exc())
        rec.update(status="error", message=f"{type(err).__name__}: {err}", recovered=False)
        rec.update(dis_abs=float("nan"), dis_test=float("nan"))
    rec["wall_seconds"] = time.perf_counter() - t0
    return rec


def _instance(prog: Program, panel: Panel, n: int, d: int, rng: np.random.Generator):
    if prog.family == "skip":
        X, w, y = data.skip_instance(rng, n, d, panel.xdist, panel.planted, panel.sigma)
        return X, w, y, 0
    if prog.family == "normal":
        return data.normal_instance(rng, n, d, panel.k, panel.xdist, panel.planted, panel.sigma)
    return data.plain_instance(rng, n, d, panel.k, panel.xdist, panel.sigma)


def _convex(
    rec: dict,
    program: str,
    prog: Program,
    panel: Panel,
    n: int,
    d: int,
    rng: np.random.Generator,
    s: Settings,
) -> None:
    X, w, y, redraws = _instance(prog, panel, n, d, rng)
    rec["redraws"] = redraws
    planted_dirs = None if prog.family == "skip" else w
    pats = arrangements.sample_patterns(
        X,
        rng,
        arrangements.n_directions(n, prog.dirs, s.min_directions),
        planted_dirs,
        s.all_ones_check,
    )
    X_test = data.draw_x(rng, n, d, panel.xdist)
    y_test = data.test_labels(prog.family, X_test, w)
    rec.update(all_ones=pats.all_ones, n_patterns=pats.P)
    if prog.family == "skip":
        nic_ok, nic_val = metrics.nic_linear(X, pats.Dmat, w)
        rec.update(nic_l=nic_ok, nic_l_value=nic_val)
        sol = _solve(s, prog, X, y, pats)
        _solution_fields(rec, sol)
        if not sol.ok:
            return
        w0 = sol.values["w0"][0]
        if prog.mode == "relaxed":
            others, U, V = [sol.values["W"]], sol.values["W"], None
        else:
            others, U, V = [sol.values["U"], sol.values["V"]], sol.values["U"], sol.values["V"]
        rec.update(
            recovered=metrics.skip_flag(w0, others, w, s.tol),
            dis_abs=metrics.distance(w0, w),
            dis_test=metrics.distance(metrics.skip_readout(X_test, w0, U, V), y_test),
        )
        return
    if prog.family == "plain":
        nic_ok, nic_val = metrics.nic_plain(X, pats.Dmat, w, pats.planted)
        rec.update(nic_1=nic_ok, nic_1_value=nic_val)
        sol = _solve(s, prog, X, y, pats)
        _solution_fields(rec, sol)
        if not sol.ok:
            return
        U, V = sol.values["U"], sol.values["V"]
        target = np.zeros_like(U)
        target[pats.planted] = w.T
        rec.update(
            recovered=bool(np.all(np.abs(U - target) <= s.tol) and np.all(np.abs(V) <= s.tol)),
            dis_abs=metrics.distance(U[pats.planted] - V[pats.planted], w.T),
            dis_test=metrics.distance(metrics.skip_readout(X_test, np.zeros(d), U, V), y_test),
        )
        return
    bases = convex.normal_bases(X, pats.Dmat)
    targets = convex.normal_targets(bases, w, pats.planted)
    if prog.kind == "certificate":
        ok, worst, resid = metrics.nnic(bases, targets, pats.planted)
        ok_f, worst_f, _ = metrics.nnic(bases, targets, pats.planted, faithful=True)
        rec.update(
            status="checked",
            nnic=ok,
            nnic_faithful=ok_f,
            nnic_value=worst,
            nnic_faithful_value=worst_f,
            certificate_residual=resid,
        )
        return
    sol = _solve(s, prog, X, y, pats, bases)
    _solution_fields(rec, sol)
    if not sol.ok:
        return
    Z = sol.values["Z"] if prog.mode == "relaxed" else sol.values["A"] - sol.values["B"]
    rec.update(
        recovered=metrics.normal_flag(Z, targets, pats.planted, s.tol),
        dis_abs=metrics.normal_distance(Z, targets, pats.planted),
    )


def _solve(
    s: Settings,
    prog: Program,
    X: np.ndarray,
    y: np.ndarray,
    pats: arrangements.Patterns,
    bases: convex.NormalBases | None = None,
) -> convex.Solution:
    """The trial's program by the configured strategy; the planted and all-ones patterns
    start the working set."""
    program = convex.PatternProgram(
        prog.family,
        prog.mode,
        X,
        y,
        pats.Dmat,
        bases,
        s.beta,
        s.solver,
        s.clarabel_method,
        s.formulation,
    )
    start = list(pats.planted) + ([pats.all_ones_index] if pats.all_ones else [])
    return convex.solve(program, s.strategy, np.asarray(start, dtype=int))


def _solution_fields(rec: dict, sol: convex.Solution) -> None:
    rec.update(
        status=sol.status,
        message=sol.message,
        solver=sol.solver,
        solve_seconds=sol.solve_seconds,
        compile_seconds=sol.compile_seconds,
        objective=sol.objective,
        solver_iterations=sol.iterations,
    )
    rec.update({key: sol.info[key] for key in CERTIFICATE_FIELDS if key in sol.info})
    if not sol.ok:
        log.warning("solver status %s: %s", sol.status, sol.message)


def run_nonconvex_cell(
    program: str,
    panel: Panel,
    n: int,
    d: int,
    trials: list[int],
    base_seed: int,
    settings: Settings,
) -> list[dict[str, Any]]:
    """The given trials of one (n, d) cell of a nonconvex program, trained together as one
    batch (same shapes). Each trial draws its data and initial weights from its own
    generator; a cell recomputed with the same trials gives the same records. A failure is
    recorded in every trial of the batch (status "error", NaN distances)."""
    return run_nonconvex_cells(program, [panel], n, d, trials, base_seed, settings)


def run_nonconvex_cells(
    program: str,
    panels: list[Panel],
    n: int,
    d: int,
    trials: list[int],
    base_seed: int,
    settings: Settings,
) -> list[dict[str, Any]]:
    """The given trials of the (n, d) cell of every panel in ``panels``, all trained as one
    batch (the panels of a program share their shapes at (n, d)), in (panel, trial) order.
    The nets of a batch are independent and a net's arithmetic does not depend on the
    batch it trains in (tests/unit/recovery), so each record equals the one of its cell
    trained alone. A failure is recorded in every trial of the batch."""
    prog = PROGRAMS[program]
    s = settings
    t0 = time.perf_counter()
    recs, rngs, Xs, ws, ys, X_tests, y_tests, redraws = [], [], [], [], [], [], [], []
    for panel in panels:
        for trial in trials:
            seed = trial_seed(base_seed, program, panel, n, d, trial)
            recs.append(_blank(program, panel, n, d, trial, seed))
            rng = make_rng(base_seed, "recovery", program, panel.key, n, d, trial)
            X, w, y, redraw = _instance(prog, panel, n, d, rng)
            X_test = data.draw_x(rng, n, d, panel.xdist)
            rngs.append(rng)
            Xs.append(X)
            ws.append(w)
            ys.append(y)
            X_tests.append(X_test)
            y_tests.append(data.test_labels(prog.family, X_test, w))
            redraws.append(redraw)
    from deeplaws.recovery import nonconvex  # torch only in the jobs that train

    try:
        results = nonconvex.train_batch(
            rngs,
            prog.family,
            Xs,
            ys,
            X_tests,
            y_tests,
            w_star=ws if prog.family == "skip" else None,
            width=n + s.width_extra,
            epochs=s.epochs,
            lr=s.lr,
            weight_decay=s.weight_decay,
            reset_optimizer=s.reset_optimizer,
        )
    except Exception as err:  # noqa: BLE001 - one cell must never lose the others
        log.error("cell %s n=%d d=%d failed:\n%s", program, n, d, traceback.format_exc())
        for rec in recs:
            rec.update(status="error", message=f"{type(err).__name__}: {err}")
        results = None
    wall = time.perf_counter() - t0
    for i, rec in enumerate(recs):
        # batch_size: the cell's trials (the store's batch); batch_nets: nets trained together
        rec.update(redraws=redraws[i], batch_size=len(trials), batch_nets=len(recs))
        rec.update(wall_seconds=wall)
        if results is None:
            continue
        res = results[i]
        rec.update(
            status="trained" if np.isfinite(res.dis_test) else "diverged",
            solver="adamw",
            dis_test=res.dis_test,
            dis_abs=res.dis_abs,
            train_loss=res.train_loss,
            test_loss=res.test_loss,
        )
    return recs


def run_unit(
    program: str,
    panel_key: str,
    unit_key: str,
    ns: list[int],
    ds: list[int],
    trials: int,
    base_seed: int,
    settings: dict[str, Any],
    cache: Store | None = None,
) -> list[dict[str, Any]]:
    """Every record of one unit of work, in (d, n, trial) order; with ``cache`` (a
    store.Store), a trial found there is reused and every computed record is saved to it."""
    panel = Panel.parse(panel_key)
    s = Settings.from_dict(settings)
    cells: dict[tuple[int, int], list[int]] = {}
    for n, d, t in Unit.parse(unit_key).tasks(ns, ds, trials):
        cells.setdefault((n, d), []).append(t)
    records = []
    for (n, d), wanted in cells.items():
        found = {t: cache.load(n, d, t) if cache is not None else None for t in wanted}
        missing = [t for t, rec in found.items() if rec is None]
        if missing and PROGRAMS[program].kind == "nonconvex":
            # One batch per cell, always of all its trials, so that a record depends neither
            # on how the cell was split into jobs nor on which of its trials were stored.
            computed = run_nonconvex_cell(program, panel, n, d, list(range(trials)), base_seed, s)
        else:
            computed = [run_trial(program, panel, n, d, t, base_seed, s) for t in missing]
        for rec in computed:
            if cache is not None:
                cache.save(n, d, rec["trial"], rec)
            if rec["trial"] in missing:
                found[rec["trial"]] = rec
                log.info(LOG_RECORD, program, panel_key, *(rec[k] for k in LOGGED))
        records += [found[t] for t in wanted]
    return records


def run_program(
    program: str,
    panels: list[tuple[str, list[int], list[int]]],
    trials: int,
    base_seed: int,
    settings: dict[str, Any],
    caches: dict[str, Store] | None = None,
) -> list[dict[str, Any]]:
    """Every record of every panel of a program (panels: (panel key, ns, ds)), in
    (panel, d, n, trial) order, as one job. A nonconvex program trains the missing cells
    of all panels at one (n, d) as one batch (run_nonconvex_cells), so that the job runs
    one set of tensor operations per epoch for all its panels; the trials of the other
    programs are independent anyway and run panel by panel (run_unit). With ``caches`` (a
    store.Store per panel key), stored trials are reused and computed records saved, as in
    run_unit."""
    if PROGRAMS[program].kind != "nonconvex":
        records = []
        for key, ns, ds in panels:
            cache = caches.get(key) if caches is not None else None
            unit = Unit(None, None).key
            records += run_unit(program, key, unit, ns, ds, trials, base_seed, settings, cache)
        return records
    s = Settings.from_dict(settings)
    found: dict[tuple[str, int, int, int], dict[str, Any] | None] = {}
    shapes: dict[tuple[int, int], list[str]] = {}
    for key, ns, ds in panels:
        cache = caches.get(key) if caches is not None else None
        for n, d, t in Unit(None, None).tasks(ns, ds, trials):
            found[(key, n, d, t)] = cache.load(n, d, t) if cache is not None else None
            if found[(key, n, d, t)] is None and key not in shapes.setdefault((n, d), []):
                shapes[(n, d)].append(key)
    for (n, d), keys in shapes.items():
        # every trial of a missing cell, as in run_unit: a record never depends on which
        # of its cell's trials were stored
        computed = run_nonconvex_cells(
            program, [Panel.parse(k) for k in keys], n, d, list(range(trials)), base_seed, s
        )
        for rec in computed:
            key, t = rec["panel"], rec["trial"]
            if caches is not None and caches.get(key) is not None:
                caches[key].save(n, d, t, rec)
            if found.get((key, n, d, t)) is None:
                found[(key, n, d, t)] = rec
                log.info(LOG_RECORD, program, key, *(rec[k] for k in LOGGED))
    return [found[task] for task in found]
