"""Shift-invariant layers: equal to the vector layer on shift-augmented data,
exact shift equivariance, lifting and the polar transform."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from deeplaws.redunet.layers import apply_layer, build_operators
from deeplaws.redunet.lift import cyclic_shifts, lift1d, lift2d, make_kernels, polar
from deeplaws.redunet.network import ConstructionConfig, construct
from deeplaws.redunet.rates import coding_rate, compressed_rate
from deeplaws.redunet.spectral import from_spectrum, make_spectrum, to_spectrum


def _signals(shape: tuple[int, ...], m: int, seed: int) -> torch.Tensor:
    X = torch.tensor(np.random.default_rng(seed).standard_normal((m,) + shape))
    return X / X.flatten(1).norm(dim=1).reshape((-1,) + (1,) * len(shape))


@pytest.mark.parametrize("shape", [(3, 8), (3, 7), (2, 4, 4), (2, 3, 5)])
def test_fourier_layer_equals_vector_layer_on_all_shifts(shape: tuple[int, ...]) -> None:
    m, k, e2, eta, lam = 6, 2, 0.1, 0.5, 5.0
    X = _signals(shape, m, seed=sum(shape))
    y = torch.tensor(np.arange(m) % k)
    kind = "1d" if len(shape) == 2 else "2d"
    spec = make_spectrum(kind, shape[1:])
    F = int(np.prod(shape[1:]))
    V = to_spectrum(X, spec)
    ops = build_operators(V, y, k, e2)
    out, yhat = apply_layer(V, ops, spec.weights, eta, lam)
    fourier = from_spectrum(out, spec)

    axes = tuple(range(2, X.ndim))
    aug, table = cyclic_shifts(X.numpy(), 1, axes)
    Za = torch.tensor(aug.reshape(len(aug), -1))[:, :, None]
    ya = y.repeat_interleave(len(table))
    w1 = make_spectrum("vector").weights
    vops = build_operators(Za, ya, k, F * e2)
    vout, vyhat = apply_layer(X.reshape(m, -1, 1), vops, w1, F * eta, F * lam)
    torch.testing.assert_close(fourier.reshape(m, -1), vout[:, :, 0], rtol=1e-9, atol=1e-11)
    assert torch.equal(yhat, vyhat)
    # the code's per-frequency rates are 1/F times the rates of the shift-augmented data
    R_f = float(coding_rate(V, e2, spec.weights))
    R_v = float(coding_rate(Za, F * e2, w1))
    assert R_f == pytest.approx(R_v / F, rel=1e-10)
    Rc_f = float(compressed_rate(V, y, k, e2, spec.weights))
    Rc_v = float(compressed_rate(Za, ya, k, F * e2, w1))
    assert Rc_f == pytest.approx(Rc_v / F, rel=1e-10)


def test_inverse_dft_is_real_and_normalized() -> None:
    spec = make_spectrum("2d", (6, 6))
    X = _signals((2, 6, 6), 5, seed=3)
    back = from_spectrum(to_spectrum(X, spec), spec)
    torch.testing.assert_close(back, X, rtol=1e-12, atol=1e-14)


def _network(kind: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, list[tuple[int, ...]]]:
    rng = np.random.default_rng(4)
    if kind == "1d":
        X = rng.standard_normal((8, 2, 12))
        W = torch.tensor(make_kernels((4, 2, 3)))
        lift, axes = lift1d, (2,)
        shifts = [(3,), (7,)]
    else:
        X = rng.standard_normal((8, 1, 6, 6))
        W = torch.tensor(make_kernels((3, 1, 3, 3)))
        lift, axes = lift2d, (2, 3)
        shifts = [(1, 4), (5, 2)]
    y = torch.tensor(np.arange(8) % 2)
    sets = [torch.tensor(X)] + [torch.tensor(np.roll(X, s, axis=axes)) for s in shifts]
    lifted = [lift(S, W) for S in sets]
    spec = make_spectrum(kind, tuple(lifted[0].shape[2:]))
    feats = [to_spectrum(L, spec) for L in lifted]
    evals = {f"shift{i}": (f, y) for i, f in enumerate(feats[1:])}
    res = construct(feats[0], y, evals, spec, ConstructionConfig(layers=5, eta=0.5, lambda_=50.0))
    outs = [from_spectrum(res.features[n], spec) for n in ["train", *evals]]
    return outs[0], torch.stack(outs[1:]), res, shifts


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_network_is_shift_equivariant_and_rates_invariant(kind: str) -> None:
    Z, Zs, res, shifts = _network(kind)
    axes = (2,) if kind == "1d" else (2, 3)
    for i, s in enumerate(shifts):
        torch.testing.assert_close(Zs[i], torch.roll(Z, s, dims=axes), rtol=1e-10, atol=1e-12)
        for key in ("dR_true", "dR_est", "R_true"):
            np.testing.assert_allclose(
                res.rates[f"shift{i}"][key], res.rates["train"][key], rtol=1e-9, equal_nan=True
            )
    # invariant features: the magnitude spectra do not depend on the shift
    spec_mag = torch.fft.fftn(Z, dim=axes).abs()
    torch.testing.assert_close(
        torch.fft.fftn(Zs[0], dim=axes).abs(), spec_mag, rtol=1e-9, atol=1e-11
    )


def test_lift1d_is_circular_cross_correlation() -> None:
    rng = np.random.default_rng(5)
    X = rng.standard_normal((2, 3, 10))
    W = rng.standard_normal((4, 3, 3))
    ref = np.zeros((2, 4, 10))
    for t in range(10):
        for s in range(3):
            ref[:, :, t] += np.einsum("oc,nc->no", W[:, :, s], X[:, :, (t + s) % 10])
    got = lift1d(torch.tensor(X), torch.tensor(W)).numpy()
    np.testing.assert_allclose(got, np.maximum(ref, 0), atol=1e-12)


def test_lift2d_commutes_with_cyclic_shifts() -> None:
    X = torch.tensor(np.random.default_rng(6).standard_normal((2, 1, 7, 7)))
    W = torch.tensor(make_kernels((3, 1, 3, 3)))
    torch.testing.assert_close(
        lift2d(torch.roll(X, (2, 5), (2, 3)), W), torch.roll(lift2d(X, W), (2, 5), (2, 3))
    )


def test_make_kernels_uses_legacy_seeded_stream() -> None:
    np.random.seed(10)
    ref = np.random.normal(0, 1, size=(5, 2, 3))
    np.testing.assert_array_equal(make_kernels((5, 2, 3), seed=10), ref)


def test_polar_reads_middle_row_and_wraps_full_turn() -> None:
    img = np.random.default_rng(7).integers(0, 256, size=(2, 28, 28)).astype(np.uint8)
    P = polar(img, channels=15, time=9)
    assert P.shape == (2, 15, 9)
    np.testing.assert_array_equal(P[:, :, 0], img[:, 14, :15])  # rotation by 0 degrees
    np.testing.assert_allclose(P[:, :, -1], P[:, :, 0], atol=1)  # 360 degrees (rounding)
