"""A program-level job (fanout "program") gives the records of its panels' own jobs."""

import math

from deeplaws.recovery import store

TIMINGS = {"wall_seconds", "solve_seconds", "compile_seconds", "batch_nets"}


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _assert_same_records(program_recs, panel_recs):
    assert len(program_recs) == len(panel_recs)
    for a, b in zip(program_recs, panel_recs, strict=True):
        assert set(a) - TIMINGS == set(b) - TIMINGS
        for key in set(a) - TIMINGS:
            assert _same(a[key], b[key]), key


def _per_panel(program, panels, trials, settings, root, code):
    recs = []
    for key, ns, ds in panels:
        recs += store.run_unit(
            program, key, "n~all_d~all", ns, ds, trials, 0, settings, root, code
        )[0]
    return recs


def test_trained_nets_of_all_panels_train_as_one_batch_with_the_records_of_one_panel(tmp_path):
    settings = {
        "epochs": 20,
        "lr": 2e-3,
        "weight_decay": 1e-6,
        "reset_optimizer": True,
        "width_extra": 1,
    }
    panels = [
        ("x~gauss_w~gauss_k~1_s~0", [10, 20], [5]),
        ("x~gauss_w~pm_k~2_s~0.1", [10, 20], [5]),
        ("x~gauss_w~gauss_k~2_s~0.2", [10], [5]),  # a smaller grid: batches differ per cell
    ]
    recs, stats = store.run_program("ncvx_normal", panels, 2, 0, settings, tmp_path, "c")
    assert stats == {"reused": 0, "computed": 10}
    assert {r["batch_nets"] for r in recs if r["n"] == 10} == {6}
    assert {r["batch_nets"] for r in recs if r["n"] == 20} == {4}
    _assert_same_records(recs, _per_panel("ncvx_normal", panels, 2, settings, None, "c"))
    # the per-panel jobs' store entries are the program job's (same keys)
    key, ns, ds = panels[0]
    _, stats = store.run_unit(
        "ncvx_normal", key, "n~all_d~all", ns, ds, 2, 0, settings, tmp_path, "c"
    )
    assert stats == {"reused": 4, "computed": 0}


def test_a_convex_program_job_runs_its_panels_one_by_one(tmp_path):
    settings = {
        "all_ones_check": "lp",
        "min_directions": 50,
        "solver": "auto",
        "tol": 1e-4,
        "beta": 1e-6,
        "formulation": "conic",
        "strategy": "working_set",
    }
    panels = [("x~gauss_w~svmin_k~1_s~0", [10, 20], [5]), ("x~gauss_w~svmin_k~1_s~0.1", [20], [5])]
    recs, stats = store.run_program("skip_relaxed", panels, 2, 0, settings, tmp_path, "c")
    assert stats == {"reused": 0, "computed": 6}
    _assert_same_records(recs, _per_panel("skip_relaxed", panels, 2, settings, None, "c"))
    again, stats = store.run_program("skip_relaxed", panels, 2, 0, settings, tmp_path, "c")
    assert stats == {"reused": 6, "computed": 0}
