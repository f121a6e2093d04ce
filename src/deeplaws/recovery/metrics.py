"""Recovery flags, distances and certificate checks."""

from __future__ import annotations

import numpy as np

from deeplaws.recovery.convex import NormalBases
from deeplaws.recovery.data import relu

NNIC_SLACK = 1e-10
CERT_RESIDUAL = 1e-8


def _finite(*arrays: np.ndarray) -> bool:
    return all(np.all(np.isfinite(a)) for a in arrays)


# ---------------------------------------------------------------- skip / linear family


def skip_flag(w0: np.ndarray, others: list[np.ndarray], w: np.ndarray, tol: float) -> bool:
    """Flag 6.1: ŵ0 ≈ w* (numpy allclose, atol = tol) and every other entry |·| <= tol."""
    if not _finite(w0, *others):
        return False
    return bool(np.allclose(w0, w, atol=tol) and all(np.all(np.abs(o) <= tol) for o in others))


def skip_readout(
    X: np.ndarray, w0: np.ndarray, U: np.ndarray, V: np.ndarray | None = None
) -> np.ndarray:
    """X w0 + Σ_j (X u_j)₊ − Σ_j (X v_j)₊ (U, V are P × d)."""
    out = X @ w0 + relu(X @ U.T).sum(axis=1)
    if V is not None:
        out = out - relu(X @ V.T).sum(axis=1)
    return out


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖₂, NaN if anything is not finite."""
    if not _finite(a, b):
        return float("nan")
    return float(np.linalg.norm(a - b))


# ---------------------------------------------------------------- normalized family


def normal_flag(Z: np.ndarray, targets: np.ndarray, planted: np.ndarray, tol: float) -> bool:
    """Flag 6.2: subtract c_i from block s_i; every entry of every block |·| <= tol."""
    if not _finite(Z):
        return False
    R = Z.copy()
    R[planted] -= targets
    return bool(np.all(np.abs(R) <= tol))


def normal_distance(Z: np.ndarray, targets: np.ndarray, planted: np.ndarray) -> float:
    """sqrt(Σ_i ‖ẑ_{s_i} − c_i‖²) over the planted blocks only."""
    return distance(Z[planted], targets)


def nnic(
    bases: NormalBases, targets: np.ndarray, planted: np.ndarray, faithful: bool = False
) -> tuple[bool, float, float]:
    """The NNIC-k check. Returns (holds, max_j ‖U_jᵀ λ‖ over non-planted j,
    ‖U_Sᵀ λ − c‖).

    λ = U_S (U_Sᵀ U_S)⁺ c is the least-norm solution of U_Sᵀ λ = c. The corrected rule
    uses the rank-truncated bases of every pattern and requires the certificate to be exact
    (residual <= 1e-8, pitfall 11b). The faithful rule (official irr_cond) uses all
    min(n, d) left singular vectors of the non-planted patterns and no residual check.
    """
    P, n, m = bases.U.shape
    US = np.concatenate([bases.U[s][:, : bases.ranks[s]] for s in planted], axis=1)
    c = np.concatenate([targets[i, : bases.ranks[s]] for i, s in enumerate(planted)])
    lam = US @ np.linalg.pinv(US.T @ US) @ c
    residual = float(np.linalg.norm(US.T @ lam - c))
    others = np.setdiff1d(np.arange(P), planted)
    if faithful:
        norms = np.linalg.norm(np.einsum("pnm,n->pm", bases.U_full[others], lam), axis=1)
    else:
        norms = np.linalg.norm(np.einsum("pnm,n->pm", bases.U[others], lam), axis=1)
    worst = float(norms.max()) if norms.size else 0.0
    holds = worst < 1 + NNIC_SLACK
    if not faithful:
        holds = holds and residual <= CERT_RESIDUAL
    return bool(holds), worst, residual


# ---------------------------------------------------------------- linear and plain ReLU


def nic_linear(X: np.ndarray, Dmat: np.ndarray, w: np.ndarray) -> tuple[bool, float]:
    """NIC-L: max_j ‖Xᵀ D_j X (XᵀX)⁻¹ w*‖ < 1 over the patterns."""
    g = X @ np.linalg.pinv(X.T @ X) @ w  # (n,)
    vals = np.linalg.norm(X.T @ (Dmat * g[:, None]), axis=0)
    worst = float(vals.max())
    return bool(worst < 1.0), worst


def nic_plain(
    X: np.ndarray, Dmat: np.ndarray, W: np.ndarray, planted: np.ndarray
) -> tuple[bool, float]:
    """NIC-k of plain ReLU: max_{j ∉ S} ‖Σ_i (D_j X)ᵀ (D_si X)(Xᵀ D_si X)⁻¹ w_i‖ < 1.

    The condition needs every Xᵀ D_si X invertible; where one is singular (e.g. n < d) it
    does not hold (value NaN).
    """
    g = np.zeros(X.shape[0])
    for i, s in enumerate(planted):
        Ds = Dmat[:, s]
        gram = X.T @ (Ds[:, None] * X)
        if np.linalg.matrix_rank(gram) < X.shape[1]:
            return False, float("nan")
        g += Ds * (X @ np.linalg.solve(gram, W[:, i]))
    vals = np.linalg.norm(X.T @ (Dmat * g[:, None]), axis=0)
    vals[planted] = 0.0
    worst = float(vals.max())
    return bool(worst < 1.0), worst
