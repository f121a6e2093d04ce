"""The mixture curve against its closed forms, the cost model's structure and the store."""

import json

import numpy as np
import pytest

from deeplaws.common.io import _jsonable
from deeplaws.common.seeding import make_rng
from deeplaws.recovery import cost, mixture, store
from deeplaws.recovery.layout import Unit, units

# ---------------------------------------------------------------- mixture


def test_conditional_probability_matches_monte_carlo_given_the_means():
    rng = np.random.default_rng(3)
    means = mixture.draw_means(rng, 20)
    exact = mixture.conditional_probability(*means, 3.5, 100)
    assert 0.1 < exact < 0.9  # a value where the Monte-Carlo error is informative
    mc = mixture.separation_probability(rng, 20, 3.5, n=100, samples=20000, means=means)
    assert abs(mc - exact) < 4 * np.sqrt(exact * (1 - exact) / 20000)


def test_expected_probability_is_the_average_over_mean_draws():
    rng = np.random.default_rng(5)
    d, sigma, n = 20, 4.0, 100
    exact = [
        mixture.conditional_probability(*mixture.draw_means(rng, d), sigma, n) for _ in range(4000)
    ]
    closed = mixture.expected_probability(d, sigma, n)
    assert abs(np.mean(exact) - closed) < 4 * np.std(exact) / np.sqrt(len(exact))
    # and the Monte-Carlo curve (mean over draws) agrees with it
    res = mixture.curve(rng, d, sigma, n, samples=200, draws=300)
    spread = np.std(res["probability_draws"]) / np.sqrt(300)
    assert abs(res["probability"] - closed) < 4 * spread + 4 * np.sqrt(0.25 / (200 * 300))
    assert res["probability_lo"] <= res["probability"] <= res["probability_hi"]


def test_expected_probability_limits():
    # σ → 0: every point is on either side with probability 1/2
    assert mixture.expected_probability(20, 1e-9, 10) == pytest.approx(2.0**-10, rel=1e-6)
    # d large: c = μ1·μ2 concentrates at 0 and P → Φ(σ/√2)^n
    from scipy.stats import norm

    assert mixture.expected_probability(20000, 4.0, 100) == pytest.approx(
        norm.cdf(4 / np.sqrt(2)) ** 100, rel=2e-2
    )
    assert mixture.expected_probability(40, 30.0, 100) > 0.999


def test_one_draw_protocol_is_the_first_draw_of_the_averaged_curve():
    one = mixture.curve(make_rng(0, "mix", 20), 20, 5.5, 100, samples=300, draws=1)
    ref = mixture.separation_probability(make_rng(0, "mix", 20), 20, 5.5, n=100, samples=300)
    assert one["probability"] == ref
    many = mixture.curve(make_rng(0, "mix", 20), 20, 5.5, 100, samples=300, draws=8)
    assert many["probability_draws"][0] == ref and len(many["probability_draws"]) == 8
    assert many["probability"] == pytest.approx(np.mean(many["probability_draws"]))


# ---------------------------------------------------------------- cost model


@pytest.mark.parametrize("program", ["skip_relaxed", "skip_train", "normal_relaxed", "ncvx_skip"])
def test_cost_grows_with_size_and_requests_cover_the_model(program):
    small, large = cost.cost_estimate(program, 100, 20, 1), cost.cost_estimate(program, 400, 100, 1)
    assert 0 < small[0] <= large[0] and 0 < small[1] < large[1]
    unit = Unit(None, 20)
    ns = list(range(10, 110, 10))
    mem, seconds = cost.unit_cost(program, unit, ns, [20], 3, 1)
    assert seconds == pytest.approx(
        sum(cost.cost_estimate(program, n, 20, 1)[1] for n in ns) * 3
        if program != "normal_relaxed"
        else sum(cost.cost_estimate(program, n, 20, 1)[1] for n in ns if n >= 20) * 3
    )
    mem_mb, minutes = cost.resources(program, unit, ns, [20], 3, 1)
    assert mem_mb >= cost.MEM_MARGIN * mem and minutes * 60 >= cost.TIME_MARGIN * seconds


def test_cost_regimes_follow_noise_and_the_edge():
    assert cost.regime(100, 20, 0.1) == "noisy" and cost.regime(100, 20, 0.0) == "above"
    assert cost.regime(100, 50, 0.0) == "above" and cost.regime(99, 50, 0.0) == "below"
    assert (
        cost.regime(400, 20, 0.0, "eye") == "below"
        and cost.regime(400, 20, 0.0, "svmin") == "above"
    )
    with pytest.raises(ValueError):
        cost.cost_estimate("skip_train", 100, 20, 1, strategy="fast")


@pytest.mark.parametrize("program", ["skip_relaxed", "skip_train", "normal_train"])
def test_strategies_and_formulations_of_the_cost_model(program):
    full = cost.cost_estimate(program, 200, 50, 1, strategy="full")
    naive = cost.cost_estimate(program, 200, 50, 1, "naive", strategy="working_set")
    # The per-pattern formulation always solves the full program, NAIVE_FACTOR slower.
    assert naive[1] == pytest.approx(cost.NAIVE_FACTOR[program] * full[1])
    assert naive[0] == full[0]
    # At σ > 0 both strategies solve (at least) the full program: the same noisy curve.
    noisy = [
        cost.cost_estimate(program, 200, 50, 1, sigma=0.1, strategy=s)[1] for s in cost.STRATEGIES
    ]
    assert noisy[0] == pytest.approx(noisy[1])
    # The regime does not depend on σ beyond σ > 0; below the edge both strategies take
    # the noisy curve (the upper envelope of a trial there).
    assert cost.cost_estimate(program, 200, 50, 1, sigma=0.2, strategy="full")[1] == noisy[1]
    below = [cost.cost_estimate(program, 90, 50, 1, strategy=s)[1] for s in cost.STRATEGIES]
    assert below[0] == pytest.approx(below[1])
    assert below[0] == pytest.approx(cost.cost_estimate(program, 90, 50, 1, sigma=0.1)[1])


def test_the_noisy_curve_is_the_solvers(monkeypatch):
    program = "skip_train"
    c = {**cost.cost_calibration.PROGRAMS[program]}
    own = {"cpu_a_s": 0.5, "cpu_b_s": 1e-7, "cpu_p": 1.0}
    c["regimes"] = {**c["regimes"], "noisy_auto": own}
    monkeypatch.setitem(cost.cost_calibration.PROGRAMS, program, c)
    x = cost.size_measure(program, 200, 50)
    factor = c.get("job_factor", 1.0)
    for strategy in cost.STRATEGIES:  # σ > 0: the full program, the solver's own curve
        auto = cost.cost_estimate(program, 200, 50, 1, sigma=0.1, strategy=strategy, solver="auto")
        clar = cost.cost_estimate(program, 200, 50, 1, sigma=0.1, strategy=strategy)
        assert auto[1] == pytest.approx(factor * cost._curve(own, x)) and auto[1] != clar[1]
        assert auto[0] == clar[0]
    # Below the edge at σ = 0 the noisy curve, the solver's; above it (the working set's
    # restricted solves) and in the other formulations Clarabel's.
    below = cost.cost_estimate(program, 90, 50, 1, strategy="working_set", solver="auto")
    x90 = cost.size_measure(program, 90, 50)
    assert below[1] == pytest.approx(factor * cost._curve(own, x90))
    for args in [(200, 50, 1, "conic", 0.0, "working_set"), (200, 50, 1, "naive", 0.1)]:
        assert cost.cost_estimate(program, *args, solver="auto") == cost.cost_estimate(
            program, *args
        )
    # A solver without a fitted curve takes Clarabel's; an unknown name is refused.
    assert cost.cost_estimate(program, 200, 50, 1, sigma=0.1, solver="cvxopt") == (
        cost.cost_estimate(program, 200, 50, 1, sigma=0.1)
    )
    from deeplaws.recovery.convex import blocks

    assert set(cost.SOLVERS) == set(blocks.SOLVERS)  # the model knows every solver name
    with pytest.raises(ValueError, match="'gurobi'"):
        cost.cost_estimate(program, 200, 50, 1, sigma=0.1, solver="gurobi")
    rc_unit = Unit(None, 50)
    assert cost.unit_cost(program, rc_unit, [200], [50], 2, 1, sigma=0.1, solver="auto")[
        1
    ] == pytest.approx(2 * factor * cost._curve(own, x))


def test_projection_counts_every_unit_of_the_config():
    rc = {
        "grid": {
            "n": {"start": 10, "stop": 50, "step": 10},
            "d": {"start": 10, "stop": 20, "step": 10},
        },
        "sigmas": [0, 0.1],
        "figures": [
            "sk_rec_relax",
            "sk_abs_sigma",
        ],  # panels gauss, svmin (σ 0 shared), svmin σ 0.1
        "trials": {"skip_relaxed": 3},
        "fanout": {"batch": {"skip_relaxed": "column"}, "per_trial_min_n": 300},
    }
    proj = cost.projection(rc)
    assert list(proj) == ["skip_relaxed"]
    assert proj["skip_relaxed"]["jobs"] == 3 * 2 and proj["skip_relaxed"]["trials"] == 3 * 10 * 3
    ns, ds = [10, 20, 30, 40, 50], [10, 20]
    unit_list = units("skip_relaxed", ns, ds, 3, "column", 300)
    for strategy in cost.STRATEGIES:  # two σ = 0 panels and one σ = 0.1 panel
        clean, noisy = (
            sum(
                cost.unit_cost("skip_relaxed", u, ns, ds, 3, 1, "conic", s, strategy)[1]
                for u in unit_list
            )
            for s in (0.0, 0.1)
        )
        proj = cost.projection({**rc, "strategy": strategy})
        assert proj["skip_relaxed"]["cpu_hours"] == pytest.approx((2 * clean + noisy) / 3600)
    naive = cost.projection(rc, formulation="naive")["skip_relaxed"]["cpu_hours"]
    full = cost.projection(rc, strategy="full")["skip_relaxed"]["cpu_hours"]
    assert naive == pytest.approx(cost.NAIVE_FACTOR["skip_relaxed"] * full)
    # fanout program: the three panels in one job, the same work and requested hours
    one_job = {**rc, "fanout": {"batch": {"skip_relaxed": "program"}, "per_trial_min_n": 300}}
    by_panel = {**rc, "fanout": {"batch": {"skip_relaxed": "panel"}, "per_trial_min_n": 300}}
    prog, panel = cost.projection(one_job)["skip_relaxed"], cost.projection(by_panel)["skip_relaxed"]
    assert (prog["jobs"], panel["jobs"]) == (1, 3)
    assert prog["trials"] == panel["trials"] == 3 * 10 * 3
    assert prog["cpu_hours"] == pytest.approx(panel["cpu_hours"])
    assert prog["requested_hours"] == pytest.approx(panel["requested_hours"])


# ---------------------------------------------------------------- record store


def test_store_reuses_matching_records_only(tmp_path):
    settings = {"all_ones_check": "lp", "min_directions": 50}
    args = ("skip_relaxed", "x~gauss_w~gauss_k~1_s~0", "n~all_d~5", [10, 20], [5], 2, 0, settings)
    first, stats = store.run_unit(*args, tmp_path, "code-a")
    assert stats == {"reused": 0, "computed": 4}
    again, stats = store.run_unit(*args, tmp_path, "code-a")
    assert stats == {"reused": 4, "computed": 0}
    assert json.dumps(again) == json.dumps(_jsonable(first))  # the same records
    # a failed trial is never reused
    path = store.record_path(tmp_path, "skip_relaxed", args[1], 10, 5, 0)
    entry = json.loads(path.read_text())
    entry["record"]["status"] = "error"
    path.write_text(json.dumps(entry))
    _, stats = store.run_unit(*args, tmp_path, "code-a")
    assert stats == {"reused": 3, "computed": 1}
    # a different code digest or seed is a different record (the entry is replaced)
    _, stats = store.run_unit(*args, tmp_path, "code-b")
    assert stats["reused"] == 0
    other = (*args[:6], 1, settings)
    _, stats = store.run_unit(*other, tmp_path, "code-a")
    assert stats["reused"] == 0
    # without a store everything is computed, with the same records
    fresh, stats = store.run_unit(*args, None, "code-a")
    assert stats["computed"] == 4
    for a, b in zip(fresh, first, strict=True):
        assert a["seed"] == b["seed"] and a["recovered"] == b["recovered"]
        assert np.isclose(a["dis_abs"], b["dis_abs"], equal_nan=True)


@pytest.mark.parametrize(
    "program", ["skip_relaxed", "skip_train", "normal_relaxed", "normal_train"]
)
def test_the_calibrated_noisy_programs_have_an_auto_curve(program):
    """The programs of the σ > 0 panels carry a fitted curve for solver auto: it sets their
    noisy cost, and leaves the σ = 0 working set above the edge to Clarabel's curve."""
    assert "noisy_auto" in cost.cost_calibration.PROGRAMS[program]["regimes"]
    noisy = [
        cost.cost_estimate(program, 300, 70, 1, sigma=0.1, strategy="working_set", solver=s)[1]
        for s in ("auto", "clarabel")
    ]
    assert noisy[0] != pytest.approx(noisy[1], rel=0.05)
    above = [
        cost.cost_estimate(program, 300, 70, 1, strategy="working_set", solver=s)
        for s in ("auto", "clarabel")
    ]
    assert above[0] == above[1]
