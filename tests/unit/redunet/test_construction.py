"""Forward construction on Gaussian data: ΔR non-decreasing, converging to the analytic
maximum of orthogonal lines, and the classifiers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from deeplaws.data import synthetic
from deeplaws.redunet.evaluate import abs_cosine_sorted, knn_predict, nearsub_predict
from deeplaws.redunet.network import ConstructionConfig, construct
from deeplaws.redunet.spectral import make_spectrum, to_spectrum


def _run(dim: int, layers: int, **kw: object) -> object:
    ds = synthetic.gaussian(dim=dim, variant=1, noise=0.1, samples=200 if dim == 2 else 150, seed=3)
    spec = make_spectrum("vector")
    V = to_spectrum(torch.tensor(ds.X_train, dtype=torch.float64), spec)
    Vt = to_spectrum(torch.tensor(ds.X_test, dtype=torch.float64), spec)
    y, yt = torch.tensor(ds.y_train), torch.tensor(ds.y_test)
    return construct(
        V, y, {"test": (Vt, yt)}, spec, ConstructionConfig(layers=layers, eta=0.5, **kw)
    )


@pytest.mark.parametrize(("dim", "dR_max"), [(2, 0.8756), (3, 1.8798)])
def test_rate_reduction_non_decreasing_and_reaches_maximum(dim: int, dR_max: float) -> None:
    res = _run(dim, 400)
    for name in ("train", "test"):
        r = res.rates[name]
        assert np.diff(r["dR_true"]).min() >= -1e-10
        assert np.diff(r["dR_est"][1:]).min() >= -1e-10
        # the analytic maximum holds for any class sizes of orthogonal lines: α·n_j = const
        assert r["dR_true"][0] < dR_max - 0.05
        assert r["dR_true"][-1] == pytest.approx(dR_max, abs=2e-3)
        assert r["dR_true"][-1] <= dR_max + 1e-4


def test_hard_and_soft_membership_agree_on_separated_classes() -> None:
    soft = _run(2, 20)
    hard = _run(2, 20, train_membership="hard")
    torch.testing.assert_close(
        soft.features["train"], hard.features["train"], rtol=1e-8, atol=1e-10
    )


def test_legacy_class_alpha_converges_faster() -> None:
    new = _run(2, 60)
    old = _run(2, 60, legacy_class_alpha=True)
    assert old.rates["train"]["dR_true"][-1] > new.rates["train"]["dR_true"][-1] + 0.005


def test_knn_majority_with_ties_to_smallest_label() -> None:
    F_train = np.eye(3)[[0, 0, 1, 2]]
    y_train = np.array([2, 2, 1, 0])
    F_eval = np.array([[1.0, 0, 0], [0, 0.6, 0.8], [0, 0.8, 0.6]])
    # 1st: two neighbours of label 2; 2nd/3rd: one vote each for labels 0 and 1 -> 0
    assert knn_predict(F_train, y_train, F_eval, k=2).tolist() == [2, 0, 0]
    assert knn_predict(F_train, y_train, F_eval[1:], k=1).tolist() == [0, 1]


def test_nearsub_picks_the_containing_subspace() -> None:
    rng = np.random.default_rng(0)
    F = np.zeros((20, 4))
    F[:10, :2] = rng.standard_normal((10, 2))
    F[10:, 2:] = rng.standard_normal((10, 2))
    y = np.repeat([0, 1], 10)
    probe = np.array([[0.3, -0.7, 0.05, 0.0], [0.0, 0.1, 0.9, 0.2]])
    assert nearsub_predict(F, y, probe, n_comp=2).tolist() == [0, 1]


def test_abs_cosine_sorted_same_for_sorted_and_unsorted_input() -> None:
    rng = np.random.default_rng(1)
    F = rng.standard_normal((30, 5))
    y = rng.integers(0, 3, 30)
    G, ys = abs_cosine_sorted(F, y)
    order = np.argsort(y, kind="stable")
    G2, ys2 = abs_cosine_sorted(F[order], y[order])  # already sorted: no reordering copy
    np.testing.assert_array_equal(ys, np.sort(y))
    np.testing.assert_array_equal(ys2, ys)
    np.testing.assert_allclose(G2, G, rtol=0, atol=1e-14)
    np.testing.assert_allclose(G, np.abs(F[order] @ F[order].T), rtol=0, atol=1e-14)
