"""The convex programs of spec §4 in one vectorized cvxpy builder.

Every program is a group lasso over blocks of equal-size groups: block b has a variable
Z_b (G_b groups × m entries, flattened row-major), a sparse matrix A_b with
prediction = Σ_b A_b vec(Z_b), optional cone constraints C_b vec(Z_b) >= 0, and optional
pinned-zero entries. The mode decides the program:

* ``relaxed``: min Σ ‖groups‖ s.t. prediction = y (no cone constraints; 4.1, 4.5);
* ``exact``:   the same with the cone constraints (4.2, 4.6 exact, 4.7);
* ``train``:   min ‖prediction − y‖² + β Σ ‖groups‖ with the cone constraints (4.3, 4.6).

The sparse matrices are built with numpy index arithmetic, so cvxpy sees one constant
matrix per block instead of one expression per pattern (spec §4.8).

Two formulations of the same cone program: ``cvxpy`` (the vectorized cvxpy model above,
any solver) and ``conic`` (the default with Clarabel): the cone program cvxpy would build,
assembled directly from the same sparse blocks and handed to Clarabel. It skips cvxpy's
canonicalization, which costs seconds and, on the cone-constrained training programs,
about 130 bytes per non-zero (9.0 GiB at (n, d) = (400, 100)).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

log = logging.getLogger(__name__)

MODES = ("relaxed", "exact", "train")
ACCEPTED = ("optimal", "optimal_inaccurate")
SOLVERS = ("clarabel", "mosek", "scs")
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
    """Batched thin SVDs of D_j X (spec §4.4): U (P,n,m), s (P,m), Vt (P,m,d), ranks (P,).

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
    C: sp.spmatrix | None = None  # rows of C vec(Z) >= 0 (exact/train modes only)
    zero: np.ndarray | None = None  # bool (groups·size,) entries pinned to zero
    minus_of: str | None = None  # prediction matrix is −A of this (earlier) block


@dataclass
class Solution:
    """What a solve returns: status, timings and each block's value (NaN if failed)."""

    status: str
    message: str
    solver: str
    solve_seconds: float
    compile_seconds: float
    objective: float
    values: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in ACCEPTED


def solver_name(requested: str, mode: str) -> str:
    """The cvxpy solver for a requested name: SCS only for programs without cones (spec §5)."""
    requested = requested.lower()
    if requested not in SOLVERS:
        raise ValueError(f"unknown solver {requested!r}; allowed {SOLVERS}")
    if requested == "mosek" and "MOSEK" not in cp.installed_solvers():
        log.warning("MOSEK is not installed; using Clarabel")
        return "CLARABEL"
    if requested == "scs" and mode != "relaxed":
        log.warning("SCS is not accurate on cone-constrained programs (spec §5); using Clarabel")
        return "CLARABEL"
    return requested.upper()


def solver_options(name: str, clarabel_method: str = "qdldl") -> dict[str, object]:
    """Solver settings: SCS at eps 1e-6 (spec §5); Clarabel at its default tolerances with
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
    if name == "CLARABEL" and formulation == "conic":
        return solve_blocks_conic(blocks, y, mode, beta, clarabel_method, release)
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
            constraints.append(b.C @ z >= 0)
    if mode == "train":
        objective = cp.sum_squares(pred - y) + beta * penalty
    else:
        objective = penalty
        constraints.append(pred == y)
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
    return _solution(
        blocks,
        status,
        message,
        name,
        solve_s,
        compile_s,
        lambda: float(problem.value),
        lambda i: variables[i].value,
    )


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
        log.info("solver status optimal_inaccurate (accepted, spec §12 pitfall 6)")
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


def _soc_rows(groups: int, size: int, z_offset: int, t_offset: int, n_x: int) -> sp.csr_matrix:
    """Rows of the cones (t_g, z_g) ∈ SOC of consecutive groups, as −x (s = −A x ∈ K)."""
    per = 1 + size
    g = np.arange(groups)
    z_rows = (g[:, None] * per + 1 + np.arange(size)[None, :]).ravel()
    rows = np.concatenate([g * per, z_rows])
    cols = np.concatenate([t_offset + g, z_offset + np.arange(groups * size)])
    return sp.csr_matrix((-np.ones(rows.size), (rows, cols)), shape=(groups * per, n_x))


def solve_blocks_conic(
    blocks: list[Block],
    y: np.ndarray,
    mode: str,
    beta: float = 1e-6,
    clarabel_method: str = "qdldl",
    release: bool = False,
) -> Solution:
    """The program of solve_blocks assembled as Clarabel's standard form and solved there.

    Variables x = [vec Z_1, …, vec Z_B, δ (one per pair), t (one per group), r (train: the
    n residuals)]; minimize ½ xᵀPx + qᵀx s.t. A x + s = b, s ∈ K, with rows in this order:
    zero cone (prediction = y, or prediction − r = y; pinned entries = 0; δ = Z⁺ − Z⁻),
    non-negative cone (C_b vec Z_b ≥ 0, exact/train) and one second-order cone (t_g, z_g)
    per group. A pair is a block Z⁻ whose prediction matrix is −A of an earlier block Z⁺
    (``minus_of``): the prediction reads A δ once instead of A Z⁺ − A Z⁻, which halves
    those non-zeros and the fill they cause in the KKT factorization. The objective is Σ t
    (relaxed, exact) or rᵀr + β Σ t (train): the same program as the cvxpy model, so both
    agree to the solver's tolerance.
    """
    import clarabel

    t0 = time.perf_counter()
    n = y.shape[0]
    names = [b.name for b in blocks]
    sizes = [b.groups * b.size for b in blocks]
    z_off = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    n_z = int(z_off[-1])
    pairs = [(names.index(b.minus_of), i) for i, b in enumerate(blocks) if b.minus_of]
    paired = {i for pair in pairs for i in pair}
    d_off, n_d = {}, 0
    for pos, _ in pairs:
        d_off[pos] = n_z + n_d
        n_d += sizes[pos]
    groups = [b.groups for b in blocks]
    t_off = n_z + n_d + np.concatenate([[0], np.cumsum(groups)]).astype(int)
    n_t = int(sum(groups))
    n_r = n if mode == "train" else 0
    n_x = n_z + n_d + n_t + n_r

    def widen(M: sp.spmatrix, offset: int) -> sp.csr_matrix:
        M = sp.coo_matrix(M)
        return sp.csr_matrix((M.data, (M.row, M.col + offset)), shape=(M.shape[0], n_x))

    def entries(rows: np.ndarray, cols: np.ndarray, vals: float, count: int) -> sp.csr_matrix:
        return sp.csr_matrix((np.full(rows.size, vals), (rows, cols)), shape=(count, n_x))

    # Prediction rows: each unpaired block at its own columns, each pair's A at its δ.
    pieces = [(b.A, int(z_off[i])) for i, b in enumerate(blocks) if i not in paired]
    pieces += [(blocks[pos].A, d_off[pos]) for pos, _ in pairs]
    if mode == "train":
        pieces.append((-sp.eye(n), n_z + n_d + n_t))
    parts = [sp.coo_matrix(M) for M, _ in pieces]
    zero_rows = [
        sp.csr_matrix(
            (
                np.concatenate([c.data for c in parts]),
                (
                    np.concatenate([c.row for c in parts]),
                    np.concatenate(
                        [c.col + off for c, (_, off) in zip(parts, pieces, strict=True)]
                    ),
                ),
            ),
            shape=(n, n_x),
        )
    ]
    del pieces, parts
    for b, off in zip(blocks, z_off, strict=False):
        if b.zero is not None and b.zero.any():
            idx = np.flatnonzero(b.zero)
            zero_rows.append(entries(np.arange(idx.size), idx + off, 1.0, idx.size))
    for pos, neg in pairs:  # δ − Z⁺ + Z⁻ = 0
        k = np.arange(sizes[pos])
        zero_rows += [
            entries(k, d_off[pos] + k, 1.0, k.size)
            + entries(k, z_off[pos] + k, -1.0, k.size)
            + entries(k, z_off[neg] + k, 1.0, k.size)
        ]
    n_zero = sum(M.shape[0] for M in zero_rows)
    nonneg_rows = []
    if mode != "relaxed":
        nonneg_rows = [
            -widen(b.C, off) for b, off in zip(blocks, z_off, strict=False) if b.C is not None
        ]
    n_nonneg = sum(M.shape[0] for M in nonneg_rows)
    soc_rows = [
        _soc_rows(b.groups, b.size, int(zo), int(to), n_x)
        for b, zo, to in zip(blocks, z_off, t_off, strict=False)
    ]
    A = sp.vstack(zero_rows + nonneg_rows + soc_rows, format="csc")
    del zero_rows, nonneg_rows, soc_rows  # the stacked copy is all that is needed now
    if release:
        for b in blocks:
            b.A, b.C = None, None
    b_vec = np.zeros(A.shape[0])
    b_vec[:n] = y
    cones = [clarabel.ZeroConeT(n_zero)]
    if n_nonneg:
        cones.append(clarabel.NonnegativeConeT(n_nonneg))
    for b in blocks:
        cones += [clarabel.SecondOrderConeT(1 + b.size)] * b.groups
    q = np.zeros(n_x)
    q[n_z + n_d : n_z + n_d + n_t] = beta if mode == "train" else 1.0
    if mode == "train":
        diag = np.zeros(n_x)
        diag[n_z + n_d + n_t :] = 2.0
        P = sp.diags(diag).tocsc()
    else:
        P = sp.csc_matrix((n_x, n_x))
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    for key, value in solver_options("CLARABEL", clarabel_method).items():  # as through cvxpy
        setattr(settings, key, value)
    compile_s = time.perf_counter() - t0
    message = ""
    try:
        solver = clarabel.DefaultSolver(P, q, A, b_vec, cones, settings)
        del A  # Clarabel holds its own copy: free ours before the factorizations
        result = solver.solve()
        status = CLARABEL_STATUS.get(str(result.status), "solver_error")
        solve_s = float(result.solve_time)
    except (RuntimeError, ValueError, ArithmeticError) as err:
        status, message, result, solve_s = (
            "solver_error",
            f"{type(err).__name__}: {err}",
            None,
            np.nan,
        )
    if status not in ACCEPTED and not message:
        message = f"solver returned status {status} (Clarabel: {result.status})"
    x = np.asarray(result.x) if status in ACCEPTED else None
    return _solution(
        blocks,
        status,
        message,
        "CLARABEL",
        solve_s,
        compile_s,
        lambda: float(result.obj_val),
        lambda i: x[z_off[i] : z_off[i] + sizes[i]],
    )


# ---------------------------------------------------------------- the programs of §4


def skip_program(
    X: np.ndarray,
    y: np.ndarray,
    Dmat: np.ndarray,
    mode: str,
    beta: float = 1e-6,
    solver: str = "clarabel",
    clarabel_method: str = "qdldl",
    formulation: str = "conic",
) -> Solution:
    """Skip-connection programs: 4.1 (relaxed, blocks w0, W), 4.2 (exact) and 4.3 (train),
    blocks w0, U, V with prediction X w0 + Σ_j D_j X (u_j − v_j)."""
    n, d = X.shape
    P = Dmat.shape[1]
    B = masked_blocks(X, Dmat)
    w0 = Block("w0", 1, d, sp.csr_matrix(X))
    if mode == "relaxed":
        blocks = [w0, Block("W", P, d, B)]
    else:
        C = sign_cones(X, Dmat)
        blocks = [w0, Block("U", P, d, B, C), Block("V", P, d, None, C, minus_of="U")]
        del C
    del B  # the blocks own the matrices now; released once the conic form is assembled
    return solve_blocks(blocks, y, mode, beta, solver, clarabel_method, formulation, True)


def plain_program(
    X: np.ndarray,
    y: np.ndarray,
    Dmat: np.ndarray,
    mode: str = "exact",
    beta: float = 1e-6,
    solver: str = "clarabel",
    clarabel_method: str = "qdldl",
    formulation: str = "conic",
) -> Solution:
    """Plain ReLU (4.7): blocks U, V with prediction Σ_j D_j X (u_j − v_j)."""
    n, d = X.shape
    P = Dmat.shape[1]
    B = masked_blocks(X, Dmat)
    if mode == "relaxed":
        blocks = [Block("U", P, d, B)]
    else:
        C = sign_cones(X, Dmat)
        blocks = [Block("U", P, d, B, C), Block("V", P, d, None, C, minus_of="U")]
        del C
    del B  # the blocks own the matrices now; released once the conic form is assembled
    return solve_blocks(blocks, y, mode, beta, solver, clarabel_method, formulation, True)


@dataclass
class NormalBases:
    """Per-pattern bases of the normalized family (spec §4.4)."""

    U_full: np.ndarray  # (P, n, m): all min(n, d) left singular vectors
    s: np.ndarray  # (P, m)
    Vt: np.ndarray  # (P, m, d)
    ranks: np.ndarray  # (P,)

    @cached_property
    def U(self) -> np.ndarray:
        """U_j^{(r)}: the left singular vectors with the columns beyond the rank zeroed."""
        return self.U_full * (~self.slot_mask())[:, None, :]

    @property
    def m(self) -> int:
        return self.U_full.shape[2]

    def slot_mask(self) -> np.ndarray:
        """(P, m) True on the slots beyond each pattern's rank."""
        return np.arange(self.m)[None, :] >= self.ranks[:, None]

    def flat_basis(self) -> sp.csr_matrix:
        """[U_1, …, U_P] as a sparse n × (P·m) matrix."""
        P, n, m = self.U.shape
        return sp.csr_matrix(np.transpose(self.U, (1, 0, 2)).reshape(n, P * m))

    def cones(self, X: np.ndarray, Dmat: np.ndarray) -> sp.csr_matrix:
        """block_diag(C_1, …, C_P), C_j = S_j X V_j Λ_j⁻¹ on the rank slots (zero beyond)."""
        S = 2.0 * Dmat - 1.0
        inv = np.where(self.slot_mask(), 0.0, 1.0 / np.where(self.s > 0, self.s, 1.0))
        XV = np.einsum("nd,pmd->pnm", X, self.Vt) * inv[:, None, :]  # (P, n, m)
        return block_diagonal(S.T[:, :, None] * XV)


def normal_bases(X: np.ndarray, Dmat: np.ndarray) -> NormalBases:
    return NormalBases(*pattern_bases(X, Dmat))


def normal_targets(bases: NormalBases, W: np.ndarray, planted: np.ndarray) -> np.ndarray:
    """c_i = Λ_s V_sᵀ w_i / ‖Λ_s V_sᵀ w_i‖ at the planted slots (k, m): U_s c_i equals the
    normalized planted output (spec §6.2)."""
    c = np.einsum("km,kmd,dk->km", bases.s[planted], bases.Vt[planted], W)
    c = c * (~bases.slot_mask()[planted])
    return c / np.linalg.norm(c, axis=1, keepdims=True)


def normal_program(
    X: np.ndarray,
    y: np.ndarray,
    Dmat: np.ndarray,
    bases: NormalBases,
    mode: str,
    beta: float = 1e-6,
    solver: str = "clarabel",
    clarabel_method: str = "qdldl",
    formulation: str = "conic",
) -> Solution:
    """Normalized family: 4.5 (relaxed, block Z) and 4.6 (exact / train, blocks A, B with
    prediction Σ_j U_j (a_j − b_j) and cones C_j a_j >= 0, C_j b_j >= 0)."""
    P, m = bases.s.shape
    A = bases.flat_basis()
    zero = bases.slot_mask().ravel()
    if mode == "relaxed":
        blocks = [Block("Z", P, m, A, zero=zero)]
    else:
        C = bases.cones(X, Dmat)
        blocks = [Block("A", P, m, A, C, zero), Block("B", P, m, None, C, zero, minus_of="A")]
        del C
    del A  # the blocks own the matrices now; released once the conic form is assembled
    return solve_blocks(blocks, y, mode, beta, solver, clarabel_method, formulation, True)
