"""MCR² rates: closed forms, direct slogdet, autograd gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from deeplaws.redunet.layers import build_operators
from deeplaws.redunet.rates import class_covariances, coding_rate, compressed_rate, rate_reduction

W1 = torch.ones(1, dtype=torch.float64)


def _lines(d: int, per_class: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """per_class unit vectors ±e_j for each class j < d (classes on orthogonal lines)."""
    rng = np.random.default_rng(seed)
    Z, y = [], []
    for j in range(d):
        signs = rng.choice([-1.0, 1.0], size=per_class)
        Zj = np.zeros((per_class, d))
        Zj[:, j] = signs
        Z.append(Zj)
        y.append(np.full(per_class, j))
    return torch.tensor(np.concatenate(Z))[:, :, None], torch.tensor(np.concatenate(y))


@pytest.mark.parametrize(
    ("d", "expected_R", "expected_Rc"),
    [(2, np.log(11.0), 0.5 * np.log(21.0)), (3, 1.5 * np.log(11.0), 0.5 * np.log(31.0))],
)
def test_orthogonal_lines_closed_form(d: int, expected_R: float, expected_Rc: float) -> None:
    V, y = _lines(d, 500)
    dR, R, Rc = rate_reduction(V, y, d, 0.1, W1)
    assert R == pytest.approx(expected_R, abs=1e-12)
    assert Rc == pytest.approx(expected_Rc, abs=1e-12)
    assert dR == pytest.approx({2: 0.8756, 3: 1.8798}[d], abs=1e-4)


def _direct_rates(Z: np.ndarray, y: np.ndarray, e2: float) -> tuple[float, float]:
    """R and R_c of Z (d x m) straight from the definitions with numpy slogdet."""
    d, m = Z.shape
    R = 0.5 * np.linalg.slogdet(np.eye(d) + d / (m * e2) * Z @ Z.T)[1]
    Rc = 0.0
    for j in np.unique(y):
        Zj = Z[:, y == j]
        mj = Zj.shape[1]
        Rc += mj / (2 * m) * np.linalg.slogdet(np.eye(d) + d / (mj * e2) * Zj @ Zj.T)[1]
    return R, Rc


def test_rates_match_direct_slogdet() -> None:
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((7, 40))
    Z /= np.linalg.norm(Z, axis=0)
    y = rng.integers(0, 3, size=40)
    R_ref, Rc_ref = _direct_rates(Z, y, 0.3)
    V = torch.tensor(Z.T)[:, :, None]
    yt = torch.tensor(y)
    assert float(coding_rate(V, 0.3, W1)) == pytest.approx(R_ref, rel=1e-12)
    assert float(compressed_rate(V, yt, 3, 0.3, W1)) == pytest.approx(Rc_ref, rel=1e-12)


def test_class_covariances_match_loop() -> None:
    torch.manual_seed(0)
    V = torch.randn(37, 4, 5, dtype=torch.complex128)
    y = torch.randint(0, 4, (37,))
    got = class_covariances(V, y, 5)  # class 4 is empty
    for j in range(5):
        Vj = V[y == j].permute(2, 1, 0)
        ref = Vj @ Vj.transpose(-2, -1).conj()
        torch.testing.assert_close(got[j], ref)


def test_operators_are_autograd_gradients() -> None:
    """E Z = ∂R/∂Z and Σ_j γ_j C^j Z Π^j = ∂R_c/∂Z."""
    rng = np.random.default_rng(2)
    m, d, k, e2 = 30, 5, 3, 0.2
    Z = rng.standard_normal((m, d))
    Z /= np.linalg.norm(Z, axis=1, keepdims=True)
    y = torch.tensor(np.arange(m) % k)
    V = torch.tensor(Z)[:, :, None].requires_grad_(True)
    gR = torch.autograd.grad(coding_rate(V, e2, W1), V)[0][:, :, 0]
    gRc = torch.autograd.grad(compressed_rate(V, y, k, e2, W1), V)[0][:, :, 0]
    ops = build_operators(V.detach(), y, k, e2)
    Zt = torch.tensor(Z)
    EZ = Zt @ ops.E[0].T
    CZ = torch.stack([Zt @ ops.C[j, 0].T for j in range(k)])  # (k, m, d)
    onehot = torch.nn.functional.one_hot(y, k).T.to(torch.float64)  # (k, m)
    sum_CZ = (ops.gamma[:, None, None] * onehot[:, :, None] * CZ).sum(0)
    torch.testing.assert_close(EZ, gR, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(sum_CZ, gRc, rtol=1e-10, atol=1e-12)


def test_legacy_class_alpha() -> None:
    """legacy: α_j = 1/e2 for every class (pre-2021-04 vector code)."""
    V, y = _lines(2, 50)
    ops = build_operators(V, y, 2, 0.1, legacy_class_alpha=True)
    # class 0 lies on e_1: C^0 e_1 = α/(1 + α·50) with α = 10; C^0 e_2 = α
    assert float(ops.C[0, 0, 0, 0]) == pytest.approx(10 / (1 + 10 * 50))
    assert float(ops.C[0, 0, 1, 1]) == pytest.approx(10.0)
    ops = build_operators(V, y, 2, 0.1)
    assert float(ops.C[0, 0, 1, 1]) == pytest.approx(2 / (50 * 0.1))
