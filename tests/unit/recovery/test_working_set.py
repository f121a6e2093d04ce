"""Working-set solves against the full program (the oracle), and their certificates."""

import cvxpy as cp
import numpy as np
import pandas as pd
import pytest

from deeplaws.recovery import arrangements, convex, data
from deeplaws.recovery.convex import working_set as ws
from deeplaws.recovery.experiments import Panel, Settings, run_trial
from tests.unit.recovery.panels import PROGRAMS

# Cells below, at and above the n ≈ 2d / 4d edges, with and without noise.
CELLS = [(10, 6, 0.0), (12, 5, 0.0), (20, 5, 0.0), (30, 5, 0.0), (24, 6, 0.1)]
# Where the optimum is not unique (small n), an interior-point solve stops within about
# sqrt(1e-8) of the centre of the optimal face along it: distances agree to ≈ 1e-4 there
# (measured up to 6.7e-4), to ≈ 1e-8 where the optimum is unique.
DISTANCE_TOL = 1e-3


def _same_record(a: dict, b: dict) -> None:
    assert a["status"] in convex.ACCEPTED and b["status"] in convex.ACCEPTED
    assert a["recovered"] == b["recovered"]
    assert a["objective"] == pytest.approx(b["objective"], rel=1e-6, abs=1e-12)
    for key in ("dis_abs", "dis_test"):
        if np.isnan(b[key]):
            assert np.isnan(a[key])
        else:
            assert a[key] == pytest.approx(b[key], abs=DISTANCE_TOL), key


@pytest.mark.parametrize("program", PROGRAMS)
def test_working_set_equals_full_program(program):
    exits = set()
    for n, d, sigma in CELLS:
        panel = Panel(
            PROGRAMS[program].xdist, PROGRAMS[program].planted, PROGRAMS[program].k, sigma
        )
        for trial in range(2):
            full = run_trial(program, panel, n, d, trial, 3, Settings(strategy="full"))
            if full["status"] == "skipped":
                continue
            fast = run_trial(program, panel, n, d, trial, 3, Settings())
            _same_record(fast, full)
            assert fast["dual_violation"] <= ws.CERT_TOL
            assert fast["patterns_used"] <= full["patterns_used"] == full["n_patterns"]
            exits.add(fast["exit"])
    assert exits & {"first", "working_set"}  # restricted solves were certified, not all full


def _instance(family: str, n: int, d: int, seed: int, sigma: float = 0.0):
    rng = np.random.default_rng([seed, n, d])
    if family == "skip":
        X, w, y = data.skip_instance(rng, n, d, "gauss", "gauss", sigma)
        planted = None
    else:
        X, w, y, _ = data.normal_instance(rng, n, d, 1, "gauss", "gauss", sigma)
        planted = w
    pats = arrangements.sample_patterns(X, rng, max(n, 50), planted)
    return X, y, pats


@pytest.mark.parametrize(
    ("family", "mode"),
    [("skip", "relaxed"), ("skip", "exact"), ("skip", "train"), ("normal", "relaxed")],
)
def test_certificate_detects_a_too_small_working_set(family, mode):
    # With noise the optimum fits it with many patterns; a small W is feasible but worse,
    # and its multiplier violates dual feasibility outside W.
    X, y, pats = _instance(family, 24, 4, 5, sigma=0.2)
    prog = convex.PatternProgram(family, mode, X, y, pats.Dmat)
    start = ws.feasible_start(prog, np.asarray(pats.planted, dtype=int), 2)
    small = prog.solve(start)
    assert small.ok
    full = prog.solve()
    assert small.objective > full.objective * (1 + 1e-4)
    excluded = np.setdiff1d(np.arange(prog.P), start)
    sc = ws.scores(prog, ws.multiplier(prog, small, start), excluded, 1.0)
    assert sc.max() > 1 + ws.CERT_TOL
    ws.certify(prog, small, start, float(sc.max()))
    assert small.status == "certificate_failed" and not small.ok
    assert small.info["dual_violation"] > ws.CERT_TOL
    # The same check passes at the full optimum.
    ws.certify(prog, full, np.arange(prog.P), -np.inf)
    assert full.ok and full.info["dual_violation"] <= ws.CERT_TOL


def test_cone_projection_norm_matches_a_projection_by_cvxpy():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((15, 4))
    G = np.where(X @ rng.standard_normal(4) >= 0, 1.0, -1.0)[:, None] * X
    for _ in range(5):
        c = rng.standard_normal(4)
        u = cp.Variable(4)
        cp.Problem(cp.Minimize(cp.sum_squares(u - c)), [G @ u >= 0]).solve()
        assert ws._projected_norm(G, c) == pytest.approx(np.linalg.norm(u.value), abs=1e-4)
        assert ws._projected_norm(G, c) <= np.linalg.norm(c) + 1e-12


@pytest.mark.parametrize("mode", convex.MODES)
def test_recorded_objective_is_evaluated_at_the_returned_point(mode):
    X, y, pats = _instance("skip", 20, 4, 2, sigma=0.1)
    prog = convex.PatternProgram("skip", mode, X, y, pats.Dmat)
    sol = ws.solve(prog, "full")
    v = sol.values
    cols = ["W"] if mode == "relaxed" else ["U", "V"]
    penalty = np.linalg.norm(v["w0"][0]) + sum(np.linalg.norm(v[c], axis=1).sum() for c in cols)
    Z = v["W"] if mode == "relaxed" else v["U"] - v["V"]
    r = X @ v["w0"][0] + (pats.Dmat * (X @ Z.T)).sum(axis=1) - y
    expected = r @ r + 1e-6 * penalty if mode == "train" else penalty
    assert sol.objective == pytest.approx(expected, rel=1e-12)
    assert sol.info["residual"] == pytest.approx(np.linalg.norm(r), rel=1e-9, abs=1e-15)
    # Weak duality: the certified lower bound does not exceed the objective (up to the
    # residual of the equality constraint).
    assert sol.info["dual_bound"] <= sol.objective + 1e-7


def test_unknown_strategy_is_refused():
    X, y, pats = _instance("skip", 10, 3, 0)
    with pytest.raises(ValueError, match="strategy"):
        ws.solve(convex.PatternProgram("skip", "relaxed", X, y, pats.Dmat), "fastest")


def test_unclean_statuses_are_counted_in_the_table_and_noted_on_the_figure():
    from deeplaws.recovery import plotting, tables

    rows = []
    for n in (10, 20):
        for d in (5, 10):
            for trial, status in enumerate(["optimal", "optimal_inaccurate", "certificate_failed"]):
                rows.append(
                    {
                        "row": 0,
                        "col": 0,
                        "title": "t",
                        "metric": "recovered",
                        "n": n,
                        "d": d,
                        "trial": trial,
                        "status": status,
                        "value": 1.0 if status == "optimal" else 0.0,
                    }
                )
    table = pd.DataFrame(rows)
    counts = tables.status_counts(table)
    assert dict(zip(counts["status"], counts["trials"], strict=True)) == {
        "certificate_failed": 4,
        "optimal_inaccurate": 4,
    }
    note = tables.status_note(table)
    assert note == "4 certificate_failed, 4 optimal_inaccurate of 12 trials"
    fig = plotting.heatmap_figure(table, "title")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert note in texts
    assert tables.status_note(table[table["status"] == "optimal"]) == ""


def test_a_failed_restricted_solve_falls_back_to_the_full_program(monkeypatch):
    X, y, pats = _instance("skip", 30, 4, 1)
    prog = convex.PatternProgram("skip", "relaxed", X, y, pats.Dmat)
    real = prog.solve

    def restricted_fails(W=None):
        sol = real(W)
        if W is not None:
            sol.status = "solver_error"
        return sol

    monkeypatch.setattr(prog, "solve", restricted_fails)
    sol = ws.solve(prog, "working_set")
    assert sol.ok and sol.info["exit"] == "full"
    assert sol.info["restricted_failures"] == ["solver_error"]
    assert sol.info["patterns_used"] == prog.P
