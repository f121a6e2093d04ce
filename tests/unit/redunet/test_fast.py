"""The fast backend against the reference implementation: same rates (1e-10 relative on
vector data, 1e-8 on shift-invariant data), same estimated labels, same features, for
every path of the fast code (tiny vectors, general vectors, dense and Gram-side classes,
1-D and 2-D spectra, the switches) and for derived subset rates."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from deeplaws.data import synthetic
from deeplaws.redunet.lift import lift1d, make_kernels
from deeplaws.redunet.network import ConstructionConfig, Derived, construct
from deeplaws.redunet.spectral import make_spectrum, to_spectrum
from tests.unit.redunet.toys import both_backends, fourier_2d


def _assert_same(fast, ref, rtol: float) -> None:
    assert set(fast.rates) == set(ref.rates)
    np.testing.assert_array_equal(fast.layers_logged, ref.layers_logged)
    for name, r in ref.rates.items():
        for key, v in r.items():
            np.testing.assert_allclose(
                fast.rates[name][key], v, rtol=rtol, atol=1e-14, equal_nan=True, err_msg=name + key
            )
        np.testing.assert_array_equal(fast.y_hat[name], ref.y_hat[name], err_msg=name)
    for name, V in ref.features.items():
        torch.testing.assert_close(fast.features[name], V.cpu(), rtol=1e-8, atol=1e-10)


def _vector(d: int, k: int, m: int, seed: int):
    rng = np.random.default_rng(seed)
    means = rng.standard_normal((k, d))
    y = np.arange(m) % k
    X = means[y] + 0.4 * rng.standard_normal((m, d))
    spec = make_spectrum("vector")
    return to_spectrum(torch.tensor(X), spec), torch.tensor(y), spec


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"legacy_class_alpha": True},
        {"train_membership": "hard"},
        {"true_class_weights": "train"},
        {"log_every": 7},
    ],
)
def test_vector_gaussian_tiny_path(kw: dict) -> None:
    ds = synthetic.gaussian(dim=2, variant=1, noise=0.3, samples=80, seed=1)
    spec = make_spectrum("vector")
    V = to_spectrum(torch.tensor(ds.X_train), spec)
    Vt = to_spectrum(torch.tensor(ds.X_test), spec)
    evals = {"test": (Vt, torch.tensor(ds.y_test))}
    fast, ref = both_backends(V, torch.tensor(ds.y_train), evals, spec, 2, layers=60, eta=0.5, **kw)
    _assert_same(fast, ref, rtol=1e-10)
    # noisy classes: the estimated labels differ from the true ones somewhere
    assert (fast.y_hat["train"][1:] != ds.y_train).any()


@pytest.mark.parametrize("d", [4, 12])  # tiny (outer products) and general vector paths
def test_vector_general_dimension_with_empty_estimated_classes(d: int) -> None:
    V, y, spec = _vector(d, 4, 90, seed=d)
    Vt, yt, _ = _vector(d, 4, 30, seed=d + 1)
    yt[yt == 3] = 2  # an evaluation set without class 3
    fast, ref = both_backends(V, y, {"test": (Vt, yt)}, spec, 4, layers=40, eta=0.1, lambda_=50.0)
    _assert_same(fast, ref, rtol=1e-10)


@pytest.mark.parametrize(("channels", "per_class"), [(3, 12), (9, 4)])  # dense / Gram classes
def test_fourier_1d_dense_and_gram_side_classes(channels: int, per_class: int) -> None:
    rng = np.random.default_rng(channels)
    k = 3
    X = torch.tensor(rng.standard_normal((k * per_class, 2, 16)))
    Xt = torch.tensor(rng.standard_normal((2 * k, 2, 16)))
    W = torch.tensor(make_kernels((channels, 2, 3)))
    spec = make_spectrum("1d", (16,))
    V, Vt = to_spectrum(lift1d(X, W), spec), to_spectrum(lift1d(Xt, W), spec)
    y = torch.tensor(np.arange(k * per_class) % k)
    yt = torch.tensor(np.arange(2 * k) % k)
    derived = {"sub": Derived("train", np.arange(0, k * per_class, 2), repeat=3)}
    fast, ref = both_backends(
        V, y, {"test": (Vt, yt)}, spec, k, derived=derived, layers=12, eta=0.5, lambda_=20.0
    )
    _assert_same(fast, ref, rtol=1e-8)


def test_fourier_2d_with_derived_sets() -> None:
    V, y, Vt, yt, spec = fourier_2d(seed=7, channels=5)
    derived = {
        "all": Derived("test", np.arange(9), repeat=4),
        "some": Derived("test", np.array([0, 4, 5, 8]), repeat=2),
    }
    fast, ref = both_backends(
        V, y, {"test": (Vt, yt)}, spec, 3, derived=derived, layers=8, eta=0.5, lambda_=30.0
    )
    _assert_same(fast, ref, rtol=1e-8)
    assert fast.y_hat["all"].shape == (9, 36)
    np.testing.assert_array_equal(fast.y_hat["all"][:, ::4], fast.y_hat["test"])


def test_unknown_backend_is_rejected() -> None:
    V, y, spec = _vector(2, 2, 10, seed=0)
    with pytest.raises(ValueError, match="backend"):
        construct(V, y, {}, spec, ConstructionConfig(layers=1, eta=0.1, backend="gpu"))
