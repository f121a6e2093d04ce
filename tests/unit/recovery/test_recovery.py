"""Recovery on known-easy / known-impossible instances, certificates and reproducibility."""

import json

import numpy as np
import pytest

from deeplaws.recovery import arrangements, convex, cost, experiments, metrics
from deeplaws.recovery.data import normal_instance, skip_instance
from deeplaws.recovery.experiments import Panel, Settings, run_trial, run_unit

TIMING = ("solve_seconds", "compile_seconds", "wall_seconds")


def test_relaxed_skip_recovery_certain_when_n_much_larger_than_d():
    # n = 60 ≫ d = 4: Wendel's P(60, 4) ≈ 2e-14, so no all-ones pattern and exact recovery.
    for trial in range(4):
        rec = run_trial("skip_relaxed", Panel(), 60, 4, trial, 0, Settings())
        assert rec["status"] in convex.ACCEPTED
        assert rec["all_ones"] is False
        assert rec["recovered"] is True
        assert rec["dis_abs"] < 1e-5 and rec["dis_test"] < 1e-5


@pytest.mark.parametrize("program", ["skip_relaxed", "skip_train"])
def test_skip_recovery_impossible_when_n_below_d(program):
    # n < d: X w = y has a whole affine family of solutions; the min-norm one is not w*.
    for trial in range(3):
        rec = run_trial(program, Panel(), 6, 10, trial, 0, Settings())
        assert rec["status"] in convex.ACCEPTED
        assert rec["all_ones"] is True  # X has a null space
        assert rec["recovered"] is False
        assert rec["dis_abs"] > 1e-2


def test_normal_relaxed_recovers_one_neuron_with_many_samples():
    for trial in range(3):
        rec = run_trial("normal_relaxed", Panel(k=1), 60, 4, trial, 0, Settings())
        assert rec["recovered"] is True and rec["dis_abs"] < 1e-5


def test_normalized_n_below_d_is_skipped_as_not_recovered():
    rec = run_trial("normal_relaxed", Panel(k=1), 5, 10, 0, 0, Settings())
    assert rec["status"] == "skipped" and rec["recovered"] is False
    assert np.isnan(rec["dis_abs"])


@pytest.mark.parametrize(("n", "d", "k"), [(40, 4, 1), (60, 4, 2), (30, 3, 1)])
def test_nnic_certificate_implies_recovery(n, d, k):
    held = 0
    for seed in range(12):
        rng = np.random.default_rng([n, d, k, seed])
        X, W, y, _ = normal_instance(rng, n, d, k, "gauss", "gauss", 0.0)
        pats = arrangements.sample_patterns(X, rng, 2 * n, planted_dirs=W)
        bases = convex.normal_bases(X, pats.Dmat)
        targets = convex.normal_targets(bases, W, pats.planted)
        ok, _, _ = metrics.nnic(bases, targets, pats.planted)
        if not ok:
            continue
        held += 1
        sol = convex.normal_program(X, y, pats.Dmat, bases, "relaxed")
        assert sol.ok
        assert metrics.normal_flag(sol.values["Z"], targets, pats.planted, 1e-4)
    assert held >= 2  # the check is not vacuous


def test_nic_linear_implies_skip_recovery():
    held = 0
    for seed in range(10):
        rng = np.random.default_rng([7, seed])
        X, w, y = skip_instance(rng, 30, 3, "gauss", "gauss", 0.0)
        pats = arrangements.sample_patterns(X, rng, 50)
        ok, value = metrics.nic_linear(X, pats.Dmat, w)
        assert ok == (not pats.all_ones) or value < 1  # all-ones makes the value exactly 1
        if ok:
            held += 1
            sol = convex.skip_program(X, y, pats.Dmat, "relaxed")
            assert metrics.skip_flag(sol.values["w0"][0], [sol.values["W"]], w, 1e-4)
    assert held >= 2


def test_nic_plain_needs_an_invertible_planted_gram():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 10))  # n < d: Xᵀ D_s X is singular
    w = rng.standard_normal((10, 1))
    pats = arrangements.sample_patterns(X, rng, 20, planted_dirs=w)
    assert metrics.nic_plain(X, pats.Dmat, w, pats.planted)[0] is False


def _strip(records):
    """Records without their timings, as JSON text (so that NaN equals NaN)."""
    return [json.dumps({k: v for k, v in r.items() if k not in TIMING}) for r in records]


@pytest.mark.parametrize("program", ["skip_relaxed", "normal_relaxed", "ncvx_skip"])
def test_recomputing_a_cell_reproduces_its_records(program):
    settings = {"epochs": 20} if program.startswith("ncvx") else {}
    panel = Panel(k=1, sigma=0.1).key
    ns, ds = [10, 20, 30], [5, 10]
    whole = run_unit(program, panel, "n~all_d~all", ns, ds, 2, 5, settings)
    column = run_unit(program, panel, "n~all_d~10", ns, ds, 2, 5, settings)
    cell = run_unit(program, panel, "n~20_d~10", ns, ds, 2, 5, settings)
    again = run_unit(program, panel, "n~20_d~10", ns, ds, 2, 5, settings)
    one = run_unit(program, panel, "n~20_d~10_trial~1", ns, ds, 2, 5, settings)
    assert len(whole) == 12 and len(column) == 6
    assert _strip(cell) == _strip(again)
    assert _strip(cell) == _strip([r for r in column if r["n"] == 20])
    assert _strip(column) == _strip([r for r in whole if r["d"] == 10])
    assert _strip(one) == _strip(cell[1:])
    assert cell[0]["seed"] != cell[1]["seed"]
    if program.startswith("ncvx"):  # one way to a nonconvex record: the cell batch
        with pytest.raises(ValueError, match="per cell"):
            run_trial(program, Panel.parse(panel), 20, 10, 1, 5, Settings(epochs=20))


def test_a_crashing_trial_loses_no_other_record(monkeypatch):
    calls = {"count": 0}
    real = convex.solve

    def flaky(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 2:
            raise MemoryError("simulated out-of-memory")
        return real(*args, **kwargs)

    monkeypatch.setattr(convex, "solve", flaky)
    recs = run_unit("skip_relaxed", Panel().key, "n~40_d~5", [40], [5], 3, 0, {})
    assert [r["status"] for r in recs][1] == "error"
    assert "MemoryError" in recs[1]["message"]
    assert recs[1]["recovered"] is False and np.isnan(recs[1]["dis_abs"])
    assert all(r["status"] in convex.ACCEPTED for r in (recs[0], recs[2]))


def test_failed_solver_status_counts_as_not_recovered(monkeypatch):
    def failing(*args, **kwargs):
        return convex.Solution(
            "infeasible",
            "solver returned status infeasible",
            "CLARABEL",
            0.0,
            0.0,
            float("nan"),
            {},
        )

    monkeypatch.setattr(convex, "solve", failing)
    rec = run_trial("skip_relaxed", Panel(), 40, 5, 0, 0, Settings())
    assert rec["status"] == "infeasible" and rec["message"]
    assert rec["recovered"] is False and np.isnan(rec["dis_abs"]) and np.isnan(rec["dis_test"])


def test_units_and_resources():
    ns, ds = [10, 100, 300, 400], [10, 20, 100]
    cells = experiments.units("skip_train", ns, ds, 5, "cell", 300)
    assert sum(u.trial is not None for u in cells) == 3 * 2 * 5
    assert len(cells) == 3 * 2 + 3 * 2 * 5
    assert experiments.units("skip_relaxed", ns, ds, 5, "column", 300) == [
        experiments.Unit(None, d) for d in ds
    ]
    assert experiments.units("skip_relaxed", ns, ds, 5, "panel", 300) == [
        experiments.Unit(None, None)
    ]
    small = cost.resources("skip_train", experiments.Unit(100, 20), ns, ds, 5, 1)
    big = cost.resources("skip_train", experiments.Unit(400, 100, 0), ns, ds, 5, 1)
    assert big[0] > small[0] and big[1] >= small[1]
    assert 4000 <= big[0] <= 16000
    # Through cvxpy the training program needs more memory than assembled directly.
    via_cvxpy = cost.resources("skip_train", experiments.Unit(400, 100, 0), ns, ds, 5, 1, "cvxpy")
    assert via_cvxpy[0] > big[0] and via_cvxpy[1] >= big[1]
    for key in ("n~all_d~10", "n~all_d~all", "n~30_d~20", "n~300_d~100_trial~4"):
        assert experiments.Unit.parse(key).key == key
    with pytest.raises(ValueError):
        experiments.Unit.parse("n~30_d~all")
    panel = Panel("white_cubic", "pm", 2, 0.05)
    assert Panel.parse(panel.key) == panel
