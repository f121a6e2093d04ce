"""The two instruments of the lens against independent computations and a known case."""

from __future__ import annotations

import numpy as np
import pytest

from deeplaws.lens.measures import measure, rates
from deeplaws.separation.fuzziness import fuzziness, fuzziness_dense


def _rates_by_slogdet(Z: np.ndarray, y: np.ndarray, eps2: float) -> tuple[float, float, float]:
    """R, R_c, ΔR straight from the MCR² formulas on unit rows, with numpy's slogdet."""
    Z = Z / np.linalg.norm(Z, axis=1, keepdims=True)
    n, d = Z.shape
    R = 0.5 * np.linalg.slogdet(np.eye(d) + d / (n * eps2) * Z.T @ Z)[1]
    Rc = 0.0
    for j in np.unique(y):
        Zj = Z[y == j]
        nj = len(Zj)
        Rc += nj / n * 0.5 * np.linalg.slogdet(np.eye(d) + d / (nj * eps2) * Zj.T @ Zj)[1]
    return R - Rc, R, Rc


def _orthogonal_lines(K: int, d: int, per_class: int, sigma: float, seed: int = 0):
    """Class k on the ray through e_k (positive scales 0.5..1.5) plus isotropic noise."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(K), per_class)
    scale = rng.uniform(0.5, 1.5, size=y.size)
    H = np.zeros((y.size, d))
    H[np.arange(y.size), y] = scale
    return H + sigma * rng.normal(size=H.shape), y


def _lines_closed_form(K: int, d: int, eps2: float) -> float:
    """ΔR of K equal classes collapsed onto K orthonormal directions in R^d (unit norm):
    Z Zᵀ = (n/K) Σ_k e_k e_kᵀ, so R = (K/2) log(1 + d/(K ε²)) and every class has
    R_j = ½ log(1 + d/ε²)."""
    return 0.5 * K * np.log1p(d / (K * eps2)) - 0.5 * np.log1p(d / eps2)


def test_rates_match_the_formulas() -> None:
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(4), [30, 20, 25, 25])
    H = rng.normal(size=(100, 12)) + 2.0 * np.eye(12)[y]
    got = rates(H, y, 0.5)
    want = _rates_by_slogdet(H, y, 0.5)
    np.testing.assert_allclose([got.dR, got.R, got.Rc], want, rtol=1e-10)
    # R, R_c are per-sample scale invariant (normalization first); ΔR changes with ε²
    scaled = rates(H * rng.uniform(0.1, 10.0, size=(100, 1)), y, 0.5)
    np.testing.assert_allclose(scaled.dR, got.dR, rtol=1e-10)
    assert rates(H, y, 0.1).R > got.R


def test_orthogonal_lines_rates_reach_the_closed_form() -> None:
    K, d, eps2 = 4, 7, 0.1
    H, y = _orthogonal_lines(K, d, 50, sigma=0.0)
    r = rates(H, y, eps2)
    assert r.dR == pytest.approx(_lines_closed_form(K, d, eps2), rel=1e-12)
    assert r.R == pytest.approx(0.5 * K * np.log1p(d / (K * eps2)), rel=1e-12)
    # with noise ΔR approaches the closed form as sigma -> 0
    gaps = [abs(rates(*_orthogonal_lines(K, d, 50, s), eps2).dR - r.dR) for s in (1e-1, 1e-2, 1e-3)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-3


def test_orthogonal_lines_fuzziness_goes_to_zero() -> None:
    K, d = 4, 7
    # on the unit-norm (collapsed) features the within-class scatter is zero: D = 0
    H, y = _orthogonal_lines(K, d, 50, sigma=0.0)
    Z = H / np.linalg.norm(H, axis=1, keepdims=True)
    assert fuzziness(Z, y).D == pytest.approx(0.0, abs=1e-20)
    # unit rows plus isotropic noise sigma: SS_w ~ sigma^2 I and SS_b has K-1 eigenvalues 1/K,
    # so D ~ sigma^2 K (K-1) -> 0
    rng = np.random.default_rng(3)
    per = 4000
    y = np.repeat(np.arange(K), per)
    E = np.eye(d)[y]
    Ds = []
    for sigma in (1e-1, 1e-2, 1e-3):
        D = fuzziness(E + sigma * rng.normal(size=E.shape), y).D
        assert D / sigma**2 == pytest.approx(K * (K - 1), rel=0.05)
        Ds.append(D)
    assert Ds[0] > Ds[1] > Ds[2]


def test_measure_row_agrees_with_both_packages() -> None:
    rng = np.random.default_rng(2)
    y = np.repeat(np.arange(3), 40)
    H = rng.normal(size=(120, 9)) + np.eye(9)[y] * 1.5
    row = measure(H, y, eps2=0.3)
    assert row["D"] == fuzziness(H, y).D
    assert row["D"] == pytest.approx(fuzziness_dense(H, y), rel=1e-8)
    assert row["dR"] == pytest.approx(_rates_by_slogdet(H, y, 0.3)[0], rel=1e-10)
    bad = H.copy()
    bad[0, 0] = np.nan
    assert measure(bad, y, eps2=0.3)["status"] == "non_finite_features"
