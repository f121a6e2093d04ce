"""Exact solves on a working set of patterns, certified for the full program.

The program restricted to a set W of patterns (all others fixed at zero) is solved; its
point, padded with zeros, is optimal for the full program iff the multiplier λ of the fit
is dual feasible for every pattern (convex duality, as for the group lasso):

* programs without cones (4.1, 4.5): ‖A_jᵀλ‖₂ <= 1 for every pattern j;
* cone-constrained programs (4.2, 4.3, 4.6, 4.7), cone K_j = {u : G_j u >= 0}:
  ‖Π_K(A_jᵀλ)‖ <= 1 and ‖Π_K(−A_jᵀλ)‖ <= 1 (Moreau: the support function of
  K ∩ unit ball), Π_K(c) = c + G_jᵀμ with μ = argmin_{μ>=0} ‖G_jᵀμ + c‖ (one NNLS); the
  screen ‖Π_K(c)‖ <= ‖c‖ spares most of them.

λ is the multiplier of the equality constraint (min-norm programs) or −2r/β at the
residual r (training programs). Patterns whose score reaches 1 − tie_tol are added and the
program is solved again, so every pattern that could carry weight at an optimum is in W
before the last solve: the restricted optimal face is the full one, and an interior-point
solve lands on the same point as the full solve (ties included). Far above the recovery
threshold the first restricted solve (planted and all-ones patterns) already certifies.

Every solution carries its certificate in ``info``: the largest score over the patterns
outside W (``excluded_max``), over all patterns and the skip group (``dual_max``), the
duality gap with the scaled feasible λ (``rel_gap``), outer iterations, patterns used and
which exit was taken. A dual violation above ``cert_tol`` makes the status
``certificate_failed`` (no recovery, no distances).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

from deeplaws.recovery.convex.blocks import ACCEPTED, Solution
from deeplaws.recovery.convex.programs import PatternProgram

log = logging.getLogger(__name__)

STRATEGIES = ("working_set", "full")
# A pattern whose score reaches 1 − TIE_TOL joins W (it may be tight at an optimum); a
# dual violation above CERT_TOL at the returned point fails the certificate. Training
# programs reach the solver divided by β, so their λ = −2r/β is as accurate as the others'
# (measured dual violations 1e-13 – 1e-6 on full and restricted solves).
TIE_TOL = 1e-4
CERT_TOL = 1e-4
FEASIBLE_REL = 1e-9


@dataclass(frozen=True)
class WorkingSetOptions:
    batch: int = 16  # least number of patterns added per outer iteration
    growth: float = 1.0  # at most growth·|W| more (when more than batch) per iteration
    full_fraction: float = 0.5  # solve the full program once W would reach this share of P
    max_outer: int = 25


def multiplier(prog: PatternProgram, sol: Solution, W: np.ndarray | None = None) -> np.ndarray:
    """λ with A_gᵀλ = x_g/‖x_g‖ on the non-zero groups.

    Training programs: λ = −2r/β is unique. Min-norm programs restricted to few patterns:
    the multiplier is not unique (fewer equations than n), and the one an interior-point
    solve returns can be far from the full program's. There the least-norm solution of
    the equations of the non-zero groups is taken when it is a multiplier of the
    restricted program (equations consistent, every group of W dual feasible; the
    irrepresentability certificate of the planted point), else the solver's."""
    if prog.mode == "train":
        if sol.dual is not None:
            return np.asarray(sol.dual, dtype=float)
        return -2.0 * sol.info["fit_residual"] / prog.beta
    if sol.dual is None:
        raise RuntimeError("the solver returned no multiplier for the fit constraint")
    lam = np.asarray(sol.dual, dtype=float)
    lam = lam if lam @ prog.y >= 0 else -lam
    if W is None or W.size == prog.P:
        return lam
    M, g = prog.active_equations(sol.values, W)
    if g.size == 0:
        return lam
    least, *_ = np.linalg.lstsq(M, g, rcond=None)
    if np.linalg.norm(M @ least - g) > 1e-7 * np.sqrt(g.size):
        return lam
    inner = scores(prog, least, W, 1.0)
    if prog.family == "skip":
        inner = np.append(inner, np.linalg.norm(prog.X.T @ least))
    return least if inner.max(initial=0.0) <= 1.0 + 1e-9 else lam


def _projected_norm(G: np.ndarray, c: np.ndarray) -> float:
    """‖Π_K(c)‖ for K = {u : G u >= 0}."""
    try:
        return float(nnls(G.T, -c)[1])
    except RuntimeError:  # iteration limit: fall back to the upper bound ‖c‖
        return float(np.linalg.norm(c))


def scores(prog: PatternProgram, lam: np.ndarray, J: np.ndarray, floor: float) -> np.ndarray:
    """Dual score of each pattern in J (<= 1: dual feasible). For the cone programs the
    NNLS runs only where the screen ‖A_jᵀλ‖ exceeds ``floor``."""
    if J.size == 0:
        return np.zeros(0)
    C = prog.correlations(lam, J)
    out = np.linalg.norm(C, axis=1)
    if not prog.cones:
        return out
    for i in np.flatnonzero(out > floor):
        G = prog.cone_matrix(int(J[i]))
        out[i] = max(_projected_norm(G, C[i]), _projected_norm(G, -C[i]))
    return out


def feasible_start(prog: PatternProgram, W: np.ndarray, batch: int) -> np.ndarray:
    """Grow W until y lies in the range of the restricted fit (min-norm programs): add the
    patterns most correlated with the least-squares residual."""
    y_norm = float(np.linalg.norm(prog.y))
    while W.size < prog.P:
        M = prog.columns(W)
        if M.shape[1]:
            coef, *_ = np.linalg.lstsq(M, prog.y, rcond=None)
            rho = prog.y - M @ coef
        else:
            rho = prog.y.copy()
        if np.linalg.norm(rho) <= FEASIBLE_REL * y_norm:
            break
        excluded = np.setdiff1d(np.arange(prog.P), W)
        corr = np.linalg.norm(prog.correlations(rho, excluded), axis=1)
        W = np.union1d(W, excluded[np.argsort(-corr)[: max(batch, W.size)]])
    return W


def certify(prog: PatternProgram, sol: Solution, W: np.ndarray, excluded_max: float) -> None:
    """Dual feasibility over all patterns and the duality gap, into sol.info; a violation
    above CERT_TOL turns the status into certificate_failed."""
    lam = multiplier(prog, sol, W)
    cert_tol = CERT_TOL
    inner = scores(prog, lam, W, 1.0)
    dual_max = max(float(inner.max(initial=0.0)), excluded_max)
    if prog.family == "skip":
        dual_max = max(dual_max, float(np.linalg.norm(prog.X.T @ lam)))
    feasible = lam / max(1.0, dual_max)
    if prog.mode == "train":
        bound = prog.beta * float(prog.y @ feasible) - prog.beta**2 * float(feasible @ feasible) / 4
    else:
        bound = float(prog.y @ feasible)
    sol.info.update(
        dual_max=dual_max,
        dual_violation=max(0.0, dual_max - 1.0),
        excluded_max=excluded_max if np.isfinite(excluded_max) else float("nan"),
        dual_bound=bound,
        rel_gap=(sol.objective - bound) / max(abs(sol.objective), 1e-300),
    )
    if dual_max > 1.0 + cert_tol:
        sol.message = (
            f"dual violation {dual_max - 1.0:.2e} > {cert_tol:g} at the returned point "
            f"(solver status {sol.status})"
        )
        sol.status = "certificate_failed"


def solve(
    prog: PatternProgram,
    strategy: str = "working_set",
    mandatory: np.ndarray | None = None,
    options: WorkingSetOptions | None = None,
) -> Solution:
    """Solve ``prog`` by the strategy (working_set or full), with its certificate."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; allowed {STRATEGIES}")
    opts = options or WorkingSetOptions()
    tie = TIE_TOL
    t0 = time.perf_counter()
    all_patterns = np.arange(prog.P)
    W = np.unique(np.asarray([] if mandatory is None else mandatory, dtype=int))
    if strategy == "working_set" and prog.mode != "train":
        W = feasible_start(prog, W, opts.batch)
    solve_s = compile_s = 0.0
    outer, exit_, excluded_max = 0, "full", -np.inf
    failures: list[str] = []
    while True:
        outer += 1
        if strategy == "full" or W.size >= opts.full_fraction * prog.P or outer > opts.max_outer:
            W, exit_, excluded_max = all_patterns, "full", -np.inf
            sol = prog.solve(None)
        else:
            sol = prog.solve(W)
        solve_s += np.nan_to_num(sol.solve_seconds)
        compile_s += np.nan_to_num(sol.compile_seconds)
        if W.size == prog.P:
            break
        if not sol.ok:  # a failed restricted solve: the full program decides the record
            log.warning(
                "restricted solve %s (|W| = %d): solving the full program", sol.status, W.size
            )
            failures.append(sol.status)
            W = all_patterns
            continue
        excluded = np.setdiff1d(all_patterns, W)
        sc = scores(prog, multiplier(prog, sol, W), excluded, 1.0 - tie)
        excluded_max = float(sc.max(initial=-np.inf))
        hot = sc > 1.0 - tie
        if not hot.any():
            exit_ = "first" if outer == 1 else "working_set"
            break
        order = excluded[hot][np.argsort(-sc[hot])]
        if W.size + order.size < opts.full_fraction * prog.P:  # else: the full program next
            order = order[: max(opts.batch, int(opts.growth * W.size))]
        W = np.union1d(W, order)
    sol.solve_seconds, sol.compile_seconds = solve_s, compile_s
    sol.info.update(
        strategy=strategy,
        exit=exit_ if sol.ok else "failed",
        outer_iterations=outer,
        patterns_used=int(W.size),
        solver_status=sol.status,
        restricted_failures=failures,
        strategy_seconds=time.perf_counter() - t0,
    )
    if sol.status in ACCEPTED:
        certify(prog, sol, W, excluded_max if W.size < prog.P else -np.inf)
    return sol
