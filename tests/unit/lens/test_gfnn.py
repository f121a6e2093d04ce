"""Rates across GFNN taps: the input tap is the P1 rate of the data; initial weights rebuilt
from the seed are the saved epoch-0 snapshot; the table and its summaries."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from deeplaws.lens.gfnn import (
    measure_run,
    profile_summary,
    rebuild_init,
    same_state,
    stage_models,
    tap_rows,
    training_gain,
)
from deeplaws.redunet.evaluate import flat_unit
from deeplaws.redunet.rates import rate_reduction
from deeplaws.separation.runs import RunSpec, Tensors, save_state, train_run, train_runs


def _toy(n: int = 200, side: int = 5, seed: int = 0) -> Tensors:
    rng = np.random.default_rng(seed)
    d = side * side
    means = rng.normal(size=(10, d)) * 0.8
    y = rng.permutation(np.repeat(np.arange(10), n // 10))
    X = (means[y] + rng.normal(size=(n, d))).astype(np.float32).reshape(n, 1, side, side)
    Xt, yt = X[:50].copy(), y[:50].copy()
    return Tensors(torch.from_numpy(X), torch.from_numpy(y), torch.from_numpy(Xt),
                   torch.from_numpy(yt), (1, side, side), {})  # fmt: skip


def test_input_tap_rates_are_the_p1_rates_of_the_data() -> None:
    data = _toy()
    spec = RunSpec("toy", "GFNN", 2, 16, "sgd", 0.1, 1)
    rows = tap_rows(rebuild_init(spec, data.in_shape), data.X_train, data.y_train.numpy(), 0.2)
    assert [r["tap"] for r in rows] == [0, 1, 2, 3]
    Z = flat_unit(data.X_train.numpy())  # the data as P1 preprocesses it: flat, unit rows
    dR, R, Rc = rate_reduction(
        torch.from_numpy(Z)[:, :, None], data.y_train, 10, 0.2, torch.ones(1, dtype=torch.float64)
    )
    assert rows[0]["dR"] == pytest.approx(dR, rel=1e-12)
    assert rows[0]["R"] == pytest.approx(R, rel=1e-12)
    assert rows[0]["Rc"] == pytest.approx(Rc, rel=1e-12)
    assert rows[0]["p"] == 25 and rows[1]["p"] == 16


@pytest.mark.parametrize("batched", [False, True])
def test_rebuilt_init_is_the_saved_epoch0_snapshot(tmp_path, batched) -> None:
    data = _toy()
    specs = [
        RunSpec("toy", "GFNN", 1, 12, opt, lr, 2) for opt, lr in (("sgd", 0.1), ("adam", 1e-3))
    ]
    trained = train_runs(specs, data, device="cpu", snapshot_epochs=[[0, 1]] * 2, batched=batched)
    for spec, (model, result) in zip(specs, trained, strict=True):
        assert same_state(rebuild_init(spec, data.in_shape).state_dict(), result.snapshots[0])
        path = tmp_path / f"{spec.optimizer}_{batched}.pt"
        save_state(path, model, result, spec)
        stages = stage_models(torch.load(path, weights_only=True), data.in_shape)
        assert [(s[0], s[1], s[2]) for s in stages] == [
            ("init", 0, "snapshot=rebuilt"), ("snapshot", 1, "snapshot"), ("final", 2, "final")
        ]  # fmt: skip
    # and the init of a run without snapshots is the rebuilt net, different from the trained one
    model, result = train_run(specs[0], data, device="cpu")
    path = tmp_path / "plain.pt"
    save_state(path, model, result, specs[0])
    init = stage_models(torch.load(path, weights_only=True), data.in_shape)[0]
    assert init[2] == "rebuilt"
    assert not same_state(init[3].state_dict(), model.state_dict())


def test_measure_run_table_and_summaries(tmp_path) -> None:
    data = _toy()
    spec = RunSpec("toy", "GFNN", 2, 16, "sgd", 0.1, 3)
    model, result = train_run(spec, data, device="cpu", snapshot_epochs=[0, 2])
    path = tmp_path / "state.pt"
    save_state(path, model, result, spec)
    table = measure_run(path, data, eps2=0.2, study="toy")
    assert sorted(table["stage"].unique()) == ["final", "init", "snapshot"]
    assert len(table) == 3 * 4
    # the input tap does not depend on the weights
    assert table[table["tap"] == 0]["dR"].nunique() == 1
    summary = profile_summary(table)
    assert len(summary) == 3
    final = summary[summary["stage"] == "final"].iloc[0]
    t = table[table["stage"] == "final"].sort_values("tap")
    assert final["dR_last"] == t["dR"].iloc[-1]
    want = np.corrcoef(np.log(t["D"]), t["dR"])[0, 1]
    assert final["corr_logD_dR"] == pytest.approx(want, rel=1e-12)
    gain = training_gain(table, summary)
    assert gain["dR_gain_last"].iloc[0] == pytest.approx(
        final["dR_last"] - summary[summary["stage"] == "init"].iloc[0]["dR_last"]
    )
    ti = table[(table["stage"] == "init") & (table["tap"] > 0)].sort_values("tap")["dR"]
    tf = t[t["tap"] > 0]["dR"]
    assert gain["dR_gain_mean"].iloc[0] == pytest.approx(np.mean(tf.to_numpy() - ti.to_numpy()))
    no_snap = measure_run(path, data, eps2=0.2, snapshots=False)
    assert sorted(no_snap["stage"].unique()) == ["final", "init"]
