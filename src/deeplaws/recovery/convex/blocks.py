"""Sparse blocks of the convex programs and their cvxpy solve.

Every program is a group lasso over blocks of equal-size groups: block b has a variable
Z_b (G_b groups × m entries, flattened row-major), a sparse matrix A_b with
prediction = Σ_b A_b vec(Z_b), optional cone constraints C_b vec(Z_b) >= 0, and optional
pinned-zero entries. The mode decides the program:

* ``relaxed``: min Σ ‖groups‖ s.t. prediction = y (no cone constraints; 4.1, 4.5);
* ``exact``:   the same with the cone constraints (4.2, 4.6 exact, 4.7);
* ``train``:   min ‖prediction − y‖² + β Σ ‖groups‖ with the cone constraints (4.3, 4.6).

The sparse matrices are built with numpy index arithmetic, so cvxpy sees one constant
matrix per block instead of one expression per pattern.

Two formulations of the same cone program: ``cvxpy`` (the vectorized cvxpy model above,
any solver) and ``conic`` (the default with Clarabel): the cone program cvxpy would build,
assembled directly from the same sparse blocks and handed to Clarabel. It skips cvxpy's
canonicalization, which costs seconds and, on the cone-constrained training programs,
about 130 bytes per non-zero (9.0 GiB at (n, d) = (400, 100)); it lives in ``conic``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

log = logging.getLogger(__name__)

MODES = ("relaxed", "exact", "train")
ACCEPTED = ("optimal", "optimal_inaccurate")
SOLVERS = ("auto", "clarabel", "cvxopt", "mosek", "scs")
# ``auto``: the structured CVXOPT solver for programs with at least this many
# (group entries × samples), Clarabel below. Measured on 2 cores, σ = 0.1, full programs:
# CVXOPT is slower up to ≈ 3e4 (e.g. (n, d) = (40, 10)), even at ≈ 1e5 and 2-8× faster
# from 3e5 ((100, 30)) on (docs/recovery.md, "Noisy cells").
AUTO_MIN_WORK = 100_000
CLARABEL_METHODS = ("qdldl", "faer")
FORMULATIONS = ("conic", "cvxpy")
# Clarabel statuses as cvxpy names them (cvxpy's own Clarabel interface uses this map).
CLARABEL_STATUS = {
    "Solved": "optimal",
    "AlmostSolved": "optimal_inaccurate",
    "PrimalInfeasible": "infeasible",
    "AlmostPrimalInfeasible": "infeasible_inaccurate",
    "DualInfeasible": "unbounded",
    "AlmostDualInfeasible": "unbounded_inaccurate",
    "MaxIterations": "user_limit",
    "MaxTime": "user_limit",
}


# ---------------------------------------------------------------- sparse building blocks


def masked_blocks(X: np.ndarray, Dmat: np.ndarray) -> sp.csr_matrix:
    """[D_1 X, …, D_P X] as a sparse n × (P·d) matrix (zero rows dropped)."""
    n, d = X.shape
    P = Dmat.shape[1]
    rows, pats = np.nonzero(Dmat)
    cols = pats[:, None] * d + np.arange(d)[None, :]
    data = X[rows]
    return sp.csr_matrix((data.ravel(), (np.repeat(rows, d), cols.ravel())), shape=(n, P * d))


def block_diagonal(blocks: np.ndarray) -> sp.csr_matrix:
    """block_diag(B_1, …, B_P) of a (P, r, c) stack, as sparse (P·r) × (P·c)."""
    P, r, c = blocks.shape
    rows = (np.arange(P)[:, None, None] * r + np.arange(r)[None, :, None]) + np.zeros(
        (1, 1, c), dtype=int
    )
    cols = (np.arange(P)[:, None, None] * c + np.arange(c)[None, None, :]) + np.zeros(
        (1, r, 1), dtype=int
    )
    keep = blocks != 0
    return sp.csr_matrix((blocks[keep], (rows[keep], cols[keep])), shape=(P * r, P * c))


def sign_cones(X: np.ndarray, Dmat: np.ndarray) -> sp.csr_matrix:
    """block_diag(S_1 X, …, S_P X), S_j = 2 D_j − I: rows of pattern j's cone S_j X w >= 0."""
    S = 2.0 * Dmat - 1.0  # (n, P)
    return block_diagonal(S.T[:, :, None] * X[None, :, :])


def pattern_bases(
    X: np.ndarray, Dmat: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Batched thin SVDs of D_j X: U (P,n,m), s (P,m), Vt (P,m,d), ranks (P,).

    Ranks use numpy's matrix_rank tolerance. U is returned whole (all min(n, d) columns).
    """
    n, d = X.shape
    stack = Dmat.T[:, :, None] * X[None, :, :]
    U, s, Vt = np.linalg.svd(stack, full_matrices=False)
    tol = s[:, :1] * max(n, d) * np.finfo(float).eps
    keep = s > tol
    keep &= s > 0
    ranks = keep.sum(axis=1)
    return U, s, Vt, ranks


# ---------------------------------------------------------------- the generic solver


@dataclass
class Block:
    """One block of equal-size groups: Z (groups × size) with its matrices."""

    name: str
    groups: int
    size: int
    A: sp.spmatrix | None  # n × (groups·size); None once released or with minus_of
    # rows of C vec(Z) >= 0 (exact/train modes only), or a function that builds them on first
    # use (the structured solver never needs them when cone_factor is given); see cones()
    C: sp.spmatrix | Callable[[], sp.spmatrix] | None = None
    zero: np.ndarray | None = None  # bool (groups·size,) entries pinned to zero
    minus_of: str | None = None  # prediction matrix is −A of this (earlier) block
    # (X, signs (groups × n), T (groups × d × size) or None): C = block_diag(diag(signs_g) X T_g)
    # (T_g = I if None), the same rows as C in factored form (used by the cvxopt solver)
    cone_factor: tuple | None = None

    def cones(self) -> sp.spmatrix | None:
        """The cone rows C as a sparse matrix (built now if C is a builder)."""
        if callable(self.C):
            self.C = self.C()
        return self.C


@dataclass
class Solution:
    """What a solve returns: status, timings, each block's value (NaN if failed), the
    multiplier of the prediction rows (``dual``, sign as the solver reports it) and, from
    the program layer, the objective evaluated at the returned point and the certificate
    (``info``)."""

    status: str
    message: str
    solver: str
    solve_seconds: float
    compile_seconds: float
    objective: float
    values: dict[str, np.ndarray] = field(default_factory=dict)
    dual: np.ndarray | None = None
    iterations: int = 0
    info: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in ACCEPTED


def _cvxpy():
    """cvxpy, imported on first use: the default conic path never needs it, and its
    import costs about 1.5 s in every job."""
    import cvxpy

    return cvxpy


def solver_name(requested: str, mode: str) -> str:
    """The cvxpy solver for a requested name: SCS only for programs without cones."""
    requested = requested.lower()
    if requested not in SOLVERS:
        raise ValueError(f"unknown solver {requested!r}; allowed {SOLVERS}")
    if requested == "mosek" and "MOSEK" not in _cvxpy().installed_solvers():
        log.warning("MOSEK is not installed; using Clarabel")
        return "CLARABEL"
    if requested == "scs" and mode != "relaxed":
        log.warning("SCS is not accurate on cone-constrained programs; using Clarabel")
        return "CLARABEL"
    return requested.upper()


def solver_options(name: str, clarabel_method: str = "qdldl") -> dict[str, object]:
    """Solver settings: SCS at eps 1e-6; Clarabel at its default tolerances with
    the chosen KKT factorization (qdldl, Clarabel's default, or the supernodal faer,
    single-threaded)."""
    if name == "SCS":
        return {"eps_abs": 1e-6, "eps_rel": 1e-6, "max_iters": 200_000}
    if name == "CLARABEL":
        if clarabel_method not in CLARABEL_METHODS:
            raise ValueError(
                f"unknown Clarabel method {clarabel_method!r}; allowed {CLARABEL_METHODS}"
            )
        if clarabel_method != "qdldl":
            return {"direct_solve_method": clarabel_method, "max_threads": 1}
    return {}


def solve_blocks(
    blocks: list[Block],
    y: np.ndarray,
    mode: str,
    beta: float = 1e-6,
    solver: str = "clarabel",
    clarabel_method: str = "qdldl",
    formulation: str = "conic",
    release: bool = False,
) -> Solution:
    """Build and solve one program; solver failures come back as a status, never raised.

    ``release``: the caller hands the blocks over; their matrices are dropped once the conic
    form is assembled (saves their memory during the solve of large programs)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; allowed {MODES}")
    if formulation not in FORMULATIONS:
        raise ValueError(f"unknown formulation {formulation!r}; allowed {FORMULATIONS}")
    name = solver_name(solver, mode)
    if name == "AUTO":
        work = sum(b.groups * b.size for b in blocks) * y.shape[0]
        name = "CVXOPT" if work >= AUTO_MIN_WORK else "CLARABEL"
    if name == "CLARABEL" and formulation == "conic":
        from deeplaws.recovery.convex.conic import solve_blocks_conic

        return solve_blocks_conic(blocks, y, mode, beta, clarabel_method, release)
    if name == "CVXOPT" and formulation == "conic":
        from deeplaws.recovery.convex.conic import solve_blocks_conic
        from deeplaws.recovery.convex.structured import solve_blocks_structured

        sol = solve_blocks_structured(blocks, y, mode, beta)
        if sol.status == "optimal":
            if release:
                for b in blocks:
                    b.A, b.C = None, None
            return sol
        # Not solved to optimality (CVXOPT stalls on some noisy exact-interpolation programs):
        # the Clarabel solve decides; the record names its solver.
        log.info("cvxopt status %s (%s): solving with Clarabel", sol.status, sol.message)
        fallback = solve_blocks_conic(blocks, y, mode, beta, clarabel_method, release)
        fallback.info["cvxopt_status"] = sol.status
        fallback.solve_seconds += np.nan_to_num(sol.solve_seconds)
        return fallback
    cp = _cvxpy()
    variables = [cp.Variable(b.groups * b.size, name=b.name) for b in blocks]
    by_name = {b.name: b for b in blocks}
    pred = sum(
        (b.A @ z if b.minus_of is None else -(by_name[b.minus_of].A @ z))
        for b, z in zip(blocks, variables, strict=True)
    )
    penalty = sum(
        cp.sum(cp.norm(cp.reshape(z, (b.groups, b.size), order="C"), 2, axis=1))
        for b, z in zip(blocks, variables, strict=True)
    )
    constraints = []
    for b, z in zip(blocks, variables, strict=True):
        if b.zero is not None and b.zero.any():
            constraints.append(z[np.flatnonzero(b.zero)] == 0)
        if mode != "relaxed" and b.C is not None:
            constraints.append(b.cones() @ z >= 0)
    if mode == "train":
        # Divided by β (same minimizers): the solver's tolerances then apply to an O(1)
        # objective instead of one of size β, which left λ = −2r/β accurate to ≈ 1e-2 only.
        objective = cp.sum_squares(pred - y) / beta + penalty
    else:
        objective = penalty
        constraints.append(pred == y)
    fit = constraints[-1] if mode != "train" else None
    problem = cp.Problem(cp.Minimize(objective), constraints)
    t0 = time.perf_counter()
    message = ""
    try:
        problem.solve(solver=name, **solver_options(name, clarabel_method))
        status = str(problem.status)
    except (cp.error.SolverError, ValueError, ArithmeticError) as err:
        status, message = "solver_error", f"{type(err).__name__}: {err}"
    wall = time.perf_counter() - t0
    compile_s = float(getattr(problem, "compilation_time", None) or np.nan)
    stats = problem.solver_stats if status != "solver_error" else None
    solve_s = float(stats.solve_time) if stats is not None and stats.solve_time else np.nan
    if np.isnan(solve_s):
        solve_s = wall - (0.0 if np.isnan(compile_s) else compile_s)
    sol = _solution(
        blocks,
        status,
        message,
        name,
        solve_s,
        compile_s,
        lambda: float(problem.value) * (beta if mode == "train" else 1.0),
        lambda i: variables[i].value,
    )
    if sol.ok and fit is not None and fit.dual_value is not None:
        sol.dual = np.asarray(fit.dual_value, dtype=float).ravel()
    if stats is not None and stats.num_iters is not None:
        sol.iterations = int(stats.num_iters)
    return sol


def _solution(
    blocks: list[Block],
    status: str,
    message: str,
    solver: str,
    solve_s: float,
    compile_s: float,
    objective: Callable[[], float],
    value_of: Callable[[int], np.ndarray | None],
) -> Solution:
    """A Solution from a finished solve: values and objective only for accepted statuses
    (NaN otherwise), and a message for every other status."""
    ok = status in ACCEPTED
    if not ok and not message:
        message = f"solver returned status {status}"
    if status == "optimal_inaccurate":
        log.info("solver status optimal_inaccurate (accepted; recorded and counted in the tables)")
    values = {}
    for i, b in enumerate(blocks):
        value = value_of(i) if ok else None
        if value is None:
            values[b.name] = np.full((b.groups, b.size), np.nan)
        else:
            values[b.name] = np.asarray(value).reshape(b.groups, b.size)
    return Solution(
        status, message, solver, solve_s, compile_s, objective() if ok else np.nan, values
    )
