"""Per-layer feature snapshots (layer_features.npz): the layers kept, the last snapshot equal
to the final features, the first to the input, the same snapshots from both backends, and
no other number changed by keeping them."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from deeplaws.data import synthetic
from deeplaws.redunet.network import ConstructionConfig, snapshot_layers
from deeplaws.redunet.run import run_experiment
from deeplaws.redunet.spectral import from_spectrum, make_spectrum, to_spectrum
from tests.unit.redunet.toys import both_backends, fourier_2d

SINUSOID = {
    "out_channels": 3,
    "kernel_size": 3,
    "shift_stride": 4,
    "shift_samples": 3,
    "kernel_seed": 10,
}


@pytest.mark.parametrize(
    ("layers", "every", "expected"),
    [(5, 2, [0, 2, 4, 5]), (6, 3, [0, 3, 6]), (3, 10, [0, 3]), (2, 1, [0, 1, 2]), (4, 0, [])],
)
def test_snapshot_layers_keep_input_and_last(layers: int, every: int, expected: list) -> None:
    np.testing.assert_array_equal(snapshot_layers(layers, every), expected)


def _sinusoid(backend: str, snapshot_every: int):
    ds = synthetic.sinusoid(variant=7, time=16, samples=8, seed=0)
    cfg = ConstructionConfig(
        layers=5, eta=0.1, lambda_=50.0, backend=backend, snapshot_every=snapshot_every
    )
    return run_experiment(ds, "sinusoid", SINUSOID, cfg, n_comp=2, device=torch.device("cpu"))


@pytest.mark.parametrize("backend", ["fast", "reference"])
def test_experiment_snapshots_end_at_the_final_features(backend: str) -> None:
    res = _sinusoid(backend, snapshot_every=2)
    lf = res.layer_features
    np.testing.assert_array_equal(lf["layers"], [0, 2, 4, 5])
    assert lf["layers"].dtype == np.int64 and str(lf["kind"]) == "sinusoid"
    assert float(lf["eps2"]) == 0.1
    for name in ("train", "test"):
        F = lf[f"{name}_features"]
        n = len(res.features[f"y/{name}"])
        assert F.dtype == np.float32 and F.shape == (4, n, 3 * 16)  # channels x time, real
        np.testing.assert_array_equal(lf[f"{name}_labels"], res.features[f"y/{name}"])
        assert lf[f"{name}_labels"].dtype == np.int64
        np.testing.assert_allclose(F[-1], res.features[f"Z/{name}"], rtol=0, atol=1e-6)
        # the input snapshot: lifted, normalized, real (unit norm, non-negative after ReLU)
        np.testing.assert_allclose(np.linalg.norm(F[0], axis=1), 1.0, atol=1e-6)
        assert (F[0] > -1e-6).all() and not (F[-1] > -1e-6).all()
    assert not any("shift" in key for key in lf)


@pytest.mark.parametrize("backend", ["fast", "reference"])
def test_snapshots_change_no_other_number(backend: str) -> None:
    with_snap, without = _sinusoid(backend, 1), _sinusoid(backend, 0)
    assert without.layer_features == {}
    for key, value in without.rates.items():
        np.testing.assert_array_equal(with_snap.rates[key], value, err_msg=key)
    for key, value in without.features.items():
        np.testing.assert_array_equal(with_snap.features[key], value, err_msg=key)
    np.testing.assert_array_equal(with_snap.accuracy["accuracy"], without.accuracy["accuracy"])


def test_both_backends_give_the_same_2d_snapshots() -> None:
    V, y, Vt, yt, spec = fourier_2d(seed=3, channels=4)
    evals = {"test": (Vt, yt)}
    fast, ref = both_backends(
        V, y, evals, spec, 3, layers=7, eta=0.5, lambda_=30.0, snapshot_every=3
    )
    np.testing.assert_array_equal(fast.snapshot_layers, [0, 3, 6, 7])
    np.testing.assert_array_equal(ref.snapshot_layers, fast.snapshot_layers)
    for name, Vin in (("train", V), ("test", Vt)):
        a, b = fast.snapshots[name], ref.snapshots[name]
        assert a.shape == (4, len(Vin), 4 * 36)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6, err_msg=name)
        # input of layer 1 and output of the last layer, in the spatial domain
        first = from_spectrum(Vin, spec).reshape(len(Vin), -1).numpy()
        last = from_spectrum(ref.features[name], spec).reshape(len(Vin), -1).numpy()
        np.testing.assert_allclose(a[0], first, atol=1e-6)
        np.testing.assert_allclose(a[-1], last, atol=1e-6)
        assert np.abs(a[1] - a[0]).max() > 1e-3  # the layers moved the features


def test_both_backends_give_the_same_vector_snapshots() -> None:
    ds = synthetic.gaussian(dim=2, variant=1, noise=0.3, samples=40, seed=1)
    spec = make_spectrum("vector")
    V = to_spectrum(torch.tensor(ds.X_train), spec)
    Vt = to_spectrum(torch.tensor(ds.X_test), spec)
    evals = {"test": (Vt, torch.tensor(ds.y_test))}
    y = torch.tensor(ds.y_train)
    fast, ref = both_backends(V, y, evals, spec, 2, layers=30, eta=0.5, snapshot_every=10)
    np.testing.assert_array_equal(fast.snapshot_layers, [0, 10, 20, 30])
    for name in ("train", "test"):
        np.testing.assert_allclose(fast.snapshots[name], ref.snapshots[name], atol=1e-6)
        np.testing.assert_allclose(
            fast.snapshots[name][-1], ref.features[name][..., 0].numpy(), atol=1e-6
        )
