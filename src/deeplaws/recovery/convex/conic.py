"""The cone program of ``solve_blocks`` assembled as Clarabel's standard form (no cvxpy)."""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from deeplaws.recovery.convex.blocks import (
    ACCEPTED,
    CLARABEL_STATUS,
    Block,
    Solution,
    _solution,
    solver_options,
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
    (relaxed, exact) or rᵀr/β + Σ t (train, the training objective divided by β): the same
    program as the cvxpy model, so both agree to the solver's tolerance.
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
            -widen(b.cones(), off)
            for b, off in zip(blocks, z_off, strict=False)
            if b.C is not None
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
    q[n_z + n_d : n_z + n_d + n_t] = 1.0
    if mode == "train":  # the objective divided by β: rᵀr/β + Σ t (same minimizers)
        diag = np.zeros(n_x)
        diag[n_z + n_d + n_t :] = 2.0 / beta
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
    sol = _solution(
        blocks,
        status,
        message,
        "CLARABEL",
        solve_s,
        compile_s,
        lambda: float(result.obj_val) * (beta if mode == "train" else 1.0),
        lambda i: x[z_off[i] : z_off[i] + sizes[i]],
    )
    if x is not None:
        # Stationarity in the prediction rows: A_gᵀ(−z) = x_g/‖x_g‖ on the non-zero groups
        # (min-norm programs) and z = 2r/β (training, objective ÷ β): the multiplier is −z.
        sol.dual = -np.asarray(result.z[:n])
        sol.iterations = int(result.iterations)
        sol.info["solver_dual_objective"] = float(result.obj_val_dual)
    return sol
