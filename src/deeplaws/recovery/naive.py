"""Reference per-pattern cvxpy formulations (one variable and one expression per pattern),
as the official scripts write them. Used to check and to benchmark the vectorized builder."""

from __future__ import annotations

import time

import cvxpy as cp
import numpy as np

from deeplaws.recovery.convex import ACCEPTED, NormalBases, solver_options


def _timed_solve(problem: cp.Problem, solver: str, clarabel_method: str) -> tuple[str, float]:
    t0 = time.perf_counter()
    problem.solve(solver=solver, **solver_options(solver, clarabel_method))
    return str(problem.status), time.perf_counter() - t0


def skip_program_naive(
    X: np.ndarray,
    y: np.ndarray,
    Dmat: np.ndarray,
    mode: str,
    beta: float = 1e-6,
    solver: str = "CLARABEL",
    clarabel_method: str = "qdldl",
) -> tuple[str, float, float, np.ndarray]:
    """Skip program 4.1 (relaxed) or 4.3 (train), per pattern, with the same solver settings
    as the vectorized builder. Returns (status, objective, seconds, ŵ0)."""
    n, d = X.shape
    P = Dmat.shape[1]
    w0 = cp.Variable(d)
    if mode == "relaxed":
        W = [cp.Variable(d) for _ in range(P)]
        pred = X @ w0 + sum(cp.multiply(Dmat[:, j], X @ W[j]) for j in range(P))
        obj = cp.norm(w0, 2) + sum(cp.norm(W[j], 2) for j in range(P))
        problem = cp.Problem(cp.Minimize(obj), [pred == y])
    elif mode == "train":
        U = [cp.Variable(d) for _ in range(P)]
        V = [cp.Variable(d) for _ in range(P)]
        pred = X @ w0 + sum(cp.multiply(Dmat[:, j], X @ (U[j] - V[j])) for j in range(P))
        cons = []
        for j in range(P):
            S = 2 * Dmat[:, j] - 1
            cons += [cp.multiply(S, X @ U[j]) >= 0, cp.multiply(S, X @ V[j]) >= 0]
        reg = cp.norm(w0, 2) + sum(cp.norm(U[j], 2) + cp.norm(V[j], 2) for j in range(P))
        problem = cp.Problem(cp.Minimize(cp.sum_squares(pred - y) + beta * reg), cons)
    else:
        raise ValueError(f"naive formulation only for relaxed/train, got {mode!r}")
    status, seconds = _timed_solve(problem, solver, clarabel_method)
    value = np.asarray(w0.value) if status in ACCEPTED else np.full(d, np.nan)
    return status, float(problem.value), seconds, value


def normal_program_naive(
    X: np.ndarray,
    y: np.ndarray,
    Dmat: np.ndarray,
    bases: NormalBases,
    mode: str,
    beta: float = 1e-6,
    solver: str = "CLARABEL",
    clarabel_method: str = "qdldl",
) -> tuple[str, float, float, np.ndarray]:
    """Normalized program 4.5 (relaxed) or 4.6 (train), per pattern as the official
    scripts: one variable of min(n, d) entries per pattern (entries beyond the rank pinned
    to zero). Returns (status, objective, seconds, Z) with Z = (P, m) (a − b for train)."""
    P, m = bases.s.shape
    cons = []

    def pinned(z, j):
        r = int(bases.ranks[j])
        if r < m:
            cons.append(z[r:] == 0)

    if mode == "relaxed":
        Z = [cp.Variable(m) for _ in range(P)]
        for j in range(P):
            pinned(Z[j], j)
        cons.append(sum(bases.U_full[j] @ Z[j] for j in range(P)) == y)
        problem = cp.Problem(cp.Minimize(sum(cp.norm(Z[j], 2) for j in range(P))), cons)
    elif mode == "train":
        A = [cp.Variable(m) for _ in range(P)]
        B = [cp.Variable(m) for _ in range(P)]
        for j in range(P):
            C = bases.cone(X, Dmat, j)
            pinned(A[j], j)
            pinned(B[j], j)
            cons += [C @ A[j] >= 0, C @ B[j] >= 0]
        pred = sum(bases.U_full[j] @ (A[j] - B[j]) for j in range(P))
        reg = sum(cp.norm(A[j], 2) + cp.norm(B[j], 2) for j in range(P))
        problem = cp.Problem(cp.Minimize(cp.sum_squares(pred - y) + beta * reg), cons)
    else:
        raise ValueError(f"naive formulation only for relaxed/train, got {mode!r}")
    status, seconds = _timed_solve(problem, solver, clarabel_method)
    if status not in ACCEPTED:
        return status, float("nan"), seconds, np.full((P, m), np.nan)
    if mode == "relaxed":
        value = np.array([z.value for z in Z])
    else:
        value = np.array([a.value - b.value for a, b in zip(A, B, strict=True)])
    return status, float(problem.value), seconds, value
