"""The training loop: schedule, optimizers, frozen protocol, reproducibility, and
a small net that separates better in later layers after a few epochs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from deeplaws.common.seeding import seed_everything
from deeplaws.separation.models import build_model
from deeplaws.separation.runs import (
    RunSpec,
    Tensors,
    load_state,
    measure_model,
    save_state,
    train_run,
)
from deeplaws.separation.training import lr_at, make_optimizer, train_network


def _toy(n: int = 400, side: int = 6, seed: int = 0, sep: float = 0.6) -> Tensors:
    """10 overlapping Gaussian classes as 1 x side x side images (balanced, shuffled)."""
    rng = np.random.default_rng(seed)
    d = side * side
    means = rng.normal(size=(10, d)) * sep
    y = rng.permutation(np.repeat(np.arange(10), n // 10))
    X = (means[y] + rng.normal(size=(n, d))).astype(np.float32).reshape(n, 1, side, side)
    yt = np.repeat(np.arange(10), 20)
    Xt = (means[yt] + rng.normal(size=(200, d))).astype(np.float32).reshape(200, 1, side, side)
    return Tensors(
        torch.from_numpy(X),
        torch.from_numpy(y),
        torch.from_numpy(Xt),
        torch.from_numpy(yt),
        (1, side, side),
        {},
    )


def test_step_schedule() -> None:
    assert [lr_at(e, 1.0, 600) for e in (0, 199, 200, 399, 400, 599)] == [
        1.0,
        1.0,
        0.1,
        0.1,
        0.01,
        0.01,
    ]
    # int(E/3), int(2E/3) for epochs not divisible by 3
    assert [lr_at(e, 1.0, 100) for e in (32, 33, 65, 66)] == [1.0, 0.1, 0.1, 0.01]


def test_optimizers() -> None:
    params = [torch.nn.Parameter(torch.zeros(3))]
    sgd = make_optimizer(params, "sgd", 0.1)
    mom = make_optimizer(params, "momentum", 0.1)
    adam = make_optimizer(params, "adam", 0.1)
    assert isinstance(sgd, torch.optim.SGD) and sgd.defaults["momentum"] == 0.0
    assert mom.defaults["momentum"] == 0.9 and not mom.defaults["nesterov"]
    assert mom.defaults["dampening"] == 0
    assert type(adam) is torch.optim.Adam and adam.defaults["betas"] == (0.9, 0.999)
    for opt in (sgd, mom, adam):
        assert opt.defaults["weight_decay"] == 5e-4
    with pytest.raises(ValueError):
        make_optimizer(params, "rmsprop", 0.1)


def test_weight_decay_reaches_every_parameter() -> None:
    """With a zero loss gradient only weight decay moves parameters: plain SGD shrinks every
    parameter, BN gamma and biases included, by exactly (1 - lr * wd)."""
    model = build_model("GFNN", (1, 4, 4), 1, 8)
    before = {k: v.clone() for k, v in model.named_parameters()}
    opt = make_optimizer(model.parameters(), "sgd", 0.5, weight_decay=0.1)
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    opt.step()
    for k, p in model.named_parameters():
        torch.testing.assert_close(p, before[k] * (1 - 0.05))


def test_same_run_twice_is_bit_identical() -> None:
    data = _toy(200)
    spec = RunSpec("toy", "GFNN", 2, 32, "adam", 1e-3, 4)
    m1, r1 = train_run(spec, data, device="cpu")
    m2, r2 = train_run(spec, data, device="cpu")
    assert r1.losses == r2.losses
    for (k, a), (_, b) in zip(m1.state_dict().items(), m2.state_dict().items(), strict=True):
        assert torch.equal(a, b), k
    p1 = measure_model(m1, "GFNN", data.X_train, data.y_train.numpy())
    p2 = measure_model(m2, "GFNN", data.X_train, data.y_train.numpy())
    assert p1["D"] == p2["D"]
    # a different seed gives a different run
    m3, r3 = train_run(RunSpec("toy", "GFNN", 2, 32, "adam", 1e-3, 4, seed=1), data, "cpu")
    assert r3.losses != r1.losses


def test_trained_net_separates_better_in_later_layers() -> None:
    data = _toy(400)
    spec = RunSpec("toy", "GFNN", 3, 64, "adam", 3e-3, 30)
    model, result = train_run(spec, data, device="cpu")
    assert result.losses[-1] < 0.3 * result.losses[0]
    assert result.train_accuracy > 0.95
    prof = measure_model(model, "GFNN", data.X_train, data.y_train.numpy())
    D = np.array(prof["D"])
    assert len(D) == 5
    assert D[-1] < D[0] / 5
    assert prof["fit"]["slope"] < 0 and prof["fit"]["r"] < -0.9
    # an untrained net of the same shape does not separate like that
    seed_everything(666)
    fresh = build_model("GFNN", data.in_shape, 3, 64)
    D0 = np.array(measure_model(fresh, "GFNN", data.X_train, data.y_train.numpy())["D"])
    assert D0[-1] > D[-1] * 3


def _units_params(units):
    return [p.detach().clone() for u in units for p in u.parameters()]


def _adam(data, model, variant: str, epochs: int) -> None:
    """Three phase-A epochs and ``epochs`` phase-B epochs of Adam at lr 1e-2."""
    train_network(
        model,
        data,
        "adam",
        1e-2,
        epochs=epochs,
        variant=variant,
        phase_a_epochs=3,
    )


@pytest.mark.parametrize("variant", ["frozen", "frozen_legacy"])
def test_frozen_protocol(variant: str) -> None:
    data = _toy(200)
    seed_everything(0)
    model = build_model("GFNN", data.in_shape, 4, 16)  # 6 units: 3 + 3
    units = model.trainable_units()
    first0, second0 = _units_params(units[:3]), _units_params(units[3:])
    # phase A only: the second half must stay at initialisation in both variants
    _adam(data, model, variant, epochs=0)
    assert all(torch.equal(a, b) for a, b in zip(_units_params(units[3:]), second0, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(_units_params(units[:3]), first0, strict=True))
    # phases A and B: the first half keeps its phase-A values only under true freezing
    seed_everything(0)
    model = build_model("GFNN", data.in_shape, 4, 16)
    units = model.trainable_units()
    _adam(data, model, variant, epochs=3)
    seed_everything(0)
    ref = build_model("GFNN", data.in_shape, 4, 16)
    _adam(data, ref, variant, epochs=0)
    after_a = _units_params(ref.trainable_units()[:3])
    same = all(torch.equal(a, b) for a, b in zip(_units_params(units[:3]), after_a, strict=True))
    assert same == (variant == "frozen")
    assert all(p.requires_grad for p in model.parameters())


def test_state_roundtrip_and_snapshots(tmp_path) -> None:
    data = _toy(200)
    spec = RunSpec("toy", "GFNN", 1, 16, "sgd", 0.1, 3)
    model, result = train_run(spec, data, device="cpu", snapshot_epochs=[0, 2])
    assert sorted(result.snapshots) == [0, 2]
    path = tmp_path / "state.pt"
    save_state(path, model, result, spec)
    loaded, spec2 = load_state(path, data.in_shape, device="cpu")
    assert spec2 == spec
    y = data.y_train.numpy()
    assert (
        measure_model(loaded, "GFNN", data.X_train, y)["D"]
        == measure_model(model, "GFNN", data.X_train, y)["D"]
    )
    init, _ = load_state(path, data.in_shape, epoch=0, device="cpu")
    seed_everything(666)
    fresh = build_model("GFNN", data.in_shape, 1, 16)
    for a, b in zip(init.state_dict().values(), fresh.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    with pytest.raises(KeyError):
        load_state(path, data.in_shape, epoch=1)
