"""The weight-perturbation study: which taps a perturbation can move, scaling, the record."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info

from deeplaws.separation.perturbation import (
    linear_layers,
    perturbation_figure,
    perturbation_study,
    perturbed,
)
from deeplaws.separation.runs import RunSpec, measure_model, train_run
from deeplaws.separation.threads import limited_threads

from .test_training import _toy


@pytest.fixture(scope="module")
def trained():
    data = _toy(300)
    model, _ = train_run(RunSpec("toy", "GFNN", 2, 32, "adam", 3e-3, 8), data, "cpu")
    return model, data


def test_perturbing_layer_l_leaves_earlier_taps_unchanged(trained) -> None:
    model, data = trained
    y = data.y_train.numpy()
    base = measure_model(model, "GFNN", data.X_train, y)["D"]
    n_layers = len(linear_layers(model))
    assert n_layers == 4  # L + 2 Linear layers, the classifier last
    for layer in range(1, n_layers + 1):
        D = measure_model(perturbed(model, layer, 0.5, 0, 0), "GFNN", data.X_train, y)["D"]
        assert D[:layer] == base[:layer]  # taps before layer l: bit-identical
        if layer < n_layers:  # tap l and later move (the classifier feeds no tap)
            assert abs(D[layer] - base[layer]) > 1e-6 * base[layer]
        else:
            assert D == base


def test_noise_is_relative_and_scales_one_direction(trained) -> None:
    model, _ = trained
    W = linear_layers(model)[1].weight.detach()
    rms = W.pow(2).mean().sqrt()
    d1 = linear_layers(perturbed(model, 2, 0.1, 0, 0))[1].weight.detach() - W
    d3 = linear_layers(perturbed(model, 2, 0.3, 0, 0))[1].weight.detach() - W
    torch.testing.assert_close(d3, 3 * d1, rtol=1e-4, atol=1e-6)
    assert float(d1.pow(2).mean().sqrt() / rms) == pytest.approx(0.1, rel=0.05)
    other = linear_layers(perturbed(model, 2, 0.1, 0, 1))[1].weight.detach() - W
    assert not torch.allclose(other, d1)  # another draw, another direction
    # the model itself is not touched
    assert torch.equal(linear_layers(model)[1].weight.detach(), W)


def test_study_record_and_figure(trained, tmp_path) -> None:
    model, data = trained
    rec = perturbation_study(
        model, "GFNN", data.X_train, data.y_train, data.X_test, data.y_test, [0.05, 2.0], 2, 0
    )
    assert len(rec["rows"]) == 4 * 2 * 2 and len(rec["summary"]) == 4 * 2
    by = {(s["layer"], s["sigma"]): s for s in rec["summary"]}
    # large noise on the first layer hurts accuracy more than small noise
    assert by[(1, 2.0)]["train_accuracy_mean"] < by[(1, 0.05)]["train_accuracy_mean"]
    assert by[(1, 0.05)]["train_accuracy_mean"] == pytest.approx(
        rec["baseline"]["train_accuracy"], abs=0.05
    )
    fig = perturbation_figure([rec], ["toy"], suptitle="t")
    fig.savefig(tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 10_000
    with pytest.raises(ValueError, match="at least one sigma"):
        perturbation_study(
            model, "GFNN", data.X_train, data.y_train, data.X_test, data.y_test, [], 1, 0
        )


def test_limited_threads_limits_torch_and_blas_together() -> None:
    before = torch.get_num_threads()
    with limited_threads(1):
        assert torch.get_num_threads() == 1
        pools = threadpool_info()
        assert pools and all(p["num_threads"] == 1 for p in pools)
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="threads"):
        with limited_threads(0):
            pass


def test_non_finite_features_give_a_marked_record_not_a_crash(trained) -> None:
    model, data = trained
    broken = perturbed(model, 1, 1.0, 0, 0)
    with torch.no_grad():
        linear_layers(broken)[1].weight.fill_(float("nan"))
    rec = measure_model(broken, "GFNN", data.X_train, data.y_train.numpy())
    assert rec["status"] == "non_finite_features" and rec["D"] == []
    assert np.isnan(rec["fit"]["r"])
