"""Batched training against the one-net path, and diverged runs end to end.

Tolerances: a net of a batch agrees with the same net trained alone to float32 round-off
(per-epoch losses within 1e-5 relative, weights within 1e-4 absolute over the first epochs:
the GEMM kernels of ``baddbmm`` and ``addmm`` round differently); after 40 epochs its D
profile agrees within 1e-3 relative and its fit r within 1e-4.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from deeplaws.separation.figures import assemble
from deeplaws.separation.plotting import profile_figure
from deeplaws.separation.runs import (
    RunDiverged,
    RunSpec,
    diverged_record,
    load_state,
    measure_model,
    save_state,
    train_runs,
)

from .test_training import _toy

MIXED = [("sgd", 0.1), ("momentum", 0.01), ("adam", 1e-3), ("adam", 3e-3)]


def _specs(members, model="GFNN", layers=2, width=24, epochs=4):
    return [RunSpec("toy", model, layers, width, opt, lr, epochs) for opt, lr in members]


def _max_weight_diff(a: torch.nn.Module, b: torch.nn.Module) -> float:
    """Largest difference of the weight matrices and BN scales. Left out: the shifts whose
    exact gradient is 0 because a later BN removes them (Linear biases before a BN; in the
    linear GLNN also every BN shift but the last); Adam turns the float32 noise of that zero
    gradient into lr-sized random steps. The outputs do not depend on them (checked on the
    logits)."""
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    keep = [k for k in sa if k.endswith(".weight")]
    return max(float((sa[k].double() - sb[k].double()).abs().max()) for k in keep)


def _logits(model: torch.nn.Module, X: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(X)


@pytest.mark.parametrize("model", ["GFNN", "GLNN", "GFNNNoBN"])
def test_each_net_of_a_batch_agrees_with_the_net_trained_alone(model: str) -> None:
    data = _toy(300)
    specs = _specs(MIXED, model=model)
    batch = train_runs(specs, data, "cpu", batched=True)
    alone = train_runs(specs, data, "cpu", batched=False)
    for spec, (mb, rb), (ma, ra) in zip(specs, batch, alone, strict=True):
        assert rb.status == ra.status == "ok"
        assert rb.batch_size_nets == len(specs) and ra.batch_size_nets == 1
        np.testing.assert_allclose(rb.losses, ra.losses, rtol=1e-5, err_msg=str(spec))
        assert _max_weight_diff(mb, ma) < 1e-4, spec
        torch.testing.assert_close(
            _logits(mb, data.X_test), _logits(ma, data.X_test), rtol=1e-3, atol=1e-3
        )
        assert abs(rb.test_accuracy - ra.test_accuracy) <= 1 / len(data.y_test)
        # BN running statistics are kept per net (eval-mode accuracies depend on them)
        for k, v in ma.state_dict().items():
            if "running_var" in k:
                torch.testing.assert_close(mb.state_dict()[k], v, rtol=1e-4, atol=1e-4)
    # the members really are different nets
    assert _max_weight_diff(batch[0][0], batch[2][0]) > 1e-3


def test_final_profile_of_a_batched_net_within_tolerance() -> None:
    data = _toy(300)
    specs = _specs([("sgd", 0.05), ("adam", 2e-3)], layers=3, width=32, epochs=40)
    batch = train_runs(specs, data, "cpu", batched=True)
    alone = train_runs(specs, data, "cpu", batched=False)
    y = data.y_train.numpy()
    for (mb, _), (ma, _) in zip(batch, alone, strict=True):
        pb = measure_model(mb, "GFNN", data.X_train, y)
        pa = measure_model(ma, "GFNN", data.X_train, y)
        np.testing.assert_allclose(pb["D"], pa["D"], rtol=1e-3)
        assert abs(pb["fit"]["r"] - pa["fit"]["r"]) < 1e-4


def test_batch_snapshots_match_the_one_net_path() -> None:
    data = _toy(200)
    specs = _specs([("adam", 1e-3), ("sgd", 0.1)], epochs=3)
    snaps = [[0, 2], [1]]
    batch = train_runs(specs, data, "cpu", snapshot_epochs=snaps, batched=True)
    alone = train_runs(specs, data, "cpu", snapshot_epochs=snaps, batched=False)
    for (_, rb), (_, ra), want in zip(batch, alone, snaps, strict=True):
        assert sorted(rb.snapshots) == want == sorted(ra.snapshots)
        for e in want:
            for k, v in ra.snapshots[e].items():
                torch.testing.assert_close(rb.snapshots[e][k].to(v.dtype), v, atol=1e-4, rtol=0)


def test_batch_refuses_runs_of_different_shape() -> None:
    data = _toy(100)
    specs = [
        RunSpec("toy", "GFNN", 2, 16, "sgd", 0.1, 2),
        RunSpec("toy", "GFNN", 3, 16, "sgd", 0.1, 2),
    ]
    with pytest.raises(ValueError, match="layer_num"):
        train_runs(specs, data, "cpu", batched=True)


def test_a_diverging_lr_is_recorded_and_leaves_the_others_untouched() -> None:
    data = _toy(300)
    good = [("sgd", 0.1), ("adam", 1e-3)]
    with_bad = train_runs(_specs([*good, ("sgd", 1e5)]), data, "cpu", batched=True)
    without = train_runs(_specs(good), data, "cpu", batched=True)
    alone_bad = train_runs(_specs([("sgd", 1e5)]), data, "cpu", batched=False)
    model, bad = with_bad[2]
    alone = alone_bad[0][1]
    assert model is None and bad.status == "diverged" == alone.status
    assert bad.diverged_at is not None and 1 <= bad.diverged_at["epoch"] <= 4
    # The batched net follows the net trained alone to float32 round-off (module docstring),
    # and its loss grows to ~1e14 before it overflows: which of two consecutive minibatches
    # first gives a non-finite loss depends on the GEMM kernels (one thread here: one step
    # apart, batched first). So the first non-finite minibatch must agree within one step,
    # and the finite epoch losses before it to round-off.
    per_epoch = math.ceil(len(data.y_train) / _specs([("sgd", 1e5)])[0].batch_size)

    def flat(at: dict[str, int]) -> int:
        return (at["epoch"] - 1) * per_epoch + at["step"]

    assert abs(flat(bad.diverged_at) - flat(alone.diverged_at)) <= 1
    common = min(len(bad.losses), len(alone.losses))
    assert common >= 1
    np.testing.assert_allclose(bad.losses[:common], alone.losses[:common], rtol=1e-5)
    assert len(bad.losses) == bad.diverged_at["epoch"] - 1
    assert all(math.isfinite(v) for v in bad.losses)
    for (m1, r1), (m2, r2) in zip(with_bad[:2], without, strict=True):
        assert r1.status == "ok"
        np.testing.assert_allclose(r1.losses, r2.losses, rtol=1e-6)
        assert _max_weight_diff(m1, m2) < 1e-5


def test_diverged_sweep_completes_marks_the_run_and_draws_its_figure(tmp_path) -> None:
    """The path of a sweep through the workflow: train (one lr diverges), save, measure
    (the diverged state has no weights), assemble the figure and draw it."""
    data = _toy(300)
    specs = _specs([("sgd", 0.1), ("sgd", 1e5)], epochs=3)
    profiles, trains = [], []
    for i, (spec, (model, result)) in enumerate(
        zip(specs, train_runs(specs, data, "cpu"), strict=True)
    ):
        path = tmp_path / f"state{i}.pt"
        save_state(path, model, result, spec)
        try:
            net, _ = load_state(path, data.in_shape, device="cpu")
        except RunDiverged as err:
            assert result.status == "diverged"
            payload = torch.load(path, weights_only=True)
            assert payload["state_dict"] is None and payload["snapshots"] == {}
            record = diverged_record(err.spec, err.at)
        else:
            record = measure_model(net, "GFNN", data.X_train, data.y_train.numpy())
        profiles.append(record)
        trains.append({"spec": spec.as_dict(), "train": result.summary()})
    assert profiles[1]["status"] == "diverged" and math.isnan(profiles[1]["fit"]["r"])
    panels = [
        {"kind": "profile", "title": "lr 0.1", "runs": [0], "named_lr": None},
        {"kind": "profile", "title": "lr 1e5", "runs": [1], "named_lr": None},
        {"kind": "profile", "title": "grid", "runs": [0, 1], "named_lr": 1e5},
        {"kind": "summary", "title": "s", "of": [0, 1], "x": ["0.1", "1e5"], "xlabel": "lr"},
    ]
    drawn, records = assemble(panels, profiles, trains, "named")
    assert [p.get("status") for p in drawn[:3]] == ["ok", "diverged", "ok"]
    assert records[1]["chosen_lr"] is None and "diverged" in records[1]["reason"]
    # the grid panel falls back to the finite run and says which lr it skipped
    assert records[2]["chosen_lr"] == 0.1 and "lr 100000 diverged" in records[2]["reason"]
    assert math.isnan(drawn[3]["rho"][1]) and math.isfinite(drawn[3]["rho"][0])
    fig = profile_figure(drawn, 2)
    out = tmp_path / "fig.png"
    fig.savefig(out)
    assert out.stat().st_size > 10_000
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any(t.startswith("DIVERGED") for t in texts)
