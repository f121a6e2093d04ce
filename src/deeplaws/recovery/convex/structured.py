"""The cone program of ``solve_blocks`` solved by CVXOPT with a block-structured KKT solver.

Variables x = [vec Z_1, …, vec Z_B, t (one per group), r (train: the n residuals)];
cone rows: C_b vec Z_b ≥ 0 (exact, train) and (t_g, z_g) ∈ SOC per group. Relaxed and
exact programs go to ``conelp`` (minimize Σ t s.t. prediction = y), training programs to
``coneqp`` (rᵀr/β + Σ t s.t. prediction − r = y, the training objective divided by β as
in the Clarabel path). Pinned-zero entries keep their variables but lose their columns of
the prediction and cone matrices, so they enter only their group's norm and are zero at
every optimum; they are returned as exact zeros.

The Newton systems are solved by elimination: with the interior-point scaling W, the
Hessian H = P + Gᵀ(WᵀW)⁻¹G is block diagonal, one (1 + m) × (1 + m) block per group
(its cone scaling W_g⁻² plus C_gᵀ diag(d⁻²) C_g from its non-negative rows) and (2/β)·I on
r. The only coupling is through the n prediction rows: S = Σ_g A_g [H_g⁻¹]_zz A_gᵀ
(+ β/2·I on r), a dense n × n matrix factored by Cholesky. Each H_g⁻¹ is formed as
W_g (I + W_g E_g W_g)⁻¹ W_g (E_g the cone rows' term), an inverse of a matrix ≥ I, and
the two blocks of a pair (prediction −A of an earlier block) add their [H⁻¹]_zz before
the products with A; the steps themselves are taken in W-scaled variables (see
``Structure.kktsolver``). Prediction rows that the blocks do not span are projected out
first (restricted programs of a working set); y outside that span is infeasible.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from deeplaws.recovery.convex.blocks import Block, Solution, _solution

# Termination: gap 1e-9 absolute or 5e-8 relative, feasibility 1e-7 (CVXOPT's
# default; the residual is recorded by the program layer).
OPTIONS = {"abstol": 1e-9, "reltol": 5e-8, "feastol": 1e-7, "maxiters": 100}
STATUS = {"optimal": "optimal", "primal infeasible": "infeasible", "dual infeasible": "unbounded"}
# Status "unknown" (stalled) is accepted as optimal_inaccurate when these are met.
INACCURATE_TOL = 1e-6
# Relative shifts of the Schur complement tried in turn when its Cholesky fails; CVXOPT's
# iterative refinement corrects the regularized step.
REGULARIZATION = (0.0, 1e-14, 1e-12, 1e-10)
RANK_TOL = 1e-13  # eigenvalues of A Aᵀ below RANK_TOL·max are dropped
SPAN_TOL = 1e-7  # ‖y − Π y‖ above SPAN_TOL·‖y‖: infeasible prediction rows


def _cholesky(S: np.ndarray):
    """Cholesky factor of S, with a static regularization only where it fails."""
    for reg in REGULARIZATION:
        try:
            return sla.cho_factor(S + reg * float(np.max(np.diag(S))) * np.eye(len(S)), True)
        except (np.linalg.LinAlgError, ValueError):
            continue
    raise ArithmeticError("Schur complement not positive definite")


def _stack(M: sp.spmatrix, groups: int, rows: int | None, size: int) -> np.ndarray:
    """Dense (groups, rows, size) stack of a matrix: the whole matrix split by column groups
    (rows None) or a block diagonal with ``rows`` rows per group."""
    M = sp.coo_matrix(M)
    g = M.col // size
    if rows is None:
        out = np.zeros((groups, M.shape[0], size))
        np.add.at(out, (g, M.row, M.col % size), M.data)
        return out
    if np.any(M.row // rows != g):
        raise ValueError("cone matrix is not block diagonal by groups")
    out = np.zeros((groups, rows, size))
    np.add.at(out, (g, M.row % rows, M.col % size), M.data)
    return out


class DenseRows:
    """Cone rows of a block as a dense (G, rows, m) stack: C_g is stack[g]."""

    def __init__(self, stack: np.ndarray) -> None:
        self.stack = stack
        self.shape = stack.shape[:2]

    def mul(self, Z: np.ndarray) -> np.ndarray:
        return np.matmul(self.stack, Z[:, :, None])[:, :, 0]

    def tmul(self, U: np.ndarray) -> np.ndarray:
        return np.matmul(U[:, None, :], self.stack)[:, 0, :]

    def gram(self, w: np.ndarray, R: np.ndarray) -> np.ndarray:
        """B_gᵀ B_g with B_g = diag(w_g) C_g R_g, for every group."""
        B = np.matmul(self.stack * w[:, :, None], R)
        return np.matmul(B.transpose(0, 2, 1), B)


class FactorRows:
    """Cone rows C_g = diag(s_g) X T_g (T_g = I when T is None): a sign pattern of the data
    times the group's basis; products go through X as whole-matrix products."""

    def __init__(self, X: np.ndarray, signs: np.ndarray, T: np.ndarray | None) -> None:
        self.X, self.signs, self.T = X, signs, T
        self.shape = signs.shape

    def mul(self, Z: np.ndarray) -> np.ndarray:
        V = Z if self.T is None else np.matmul(self.T, Z[:, :, None])[:, :, 0]
        return self.signs * (V @ self.X.T)

    def tmul(self, U: np.ndarray) -> np.ndarray:
        V = (self.signs * U) @ self.X
        return V if self.T is None else np.matmul(V[:, None, :], self.T)[:, 0, :]

    def gram(self, w: np.ndarray, R: np.ndarray) -> np.ndarray:
        """B_gᵀ B_g with B_g = diag(w_g) C_g R_g, for every group: one group at a time, so
        the n × (1 + m) product B_g stays in cache (a stack of all of them is G·n·(1 + m))."""
        TR = R if self.T is None else np.matmul(self.T, R)
        ws = w * self.signs
        out = np.empty((R.shape[0], R.shape[2], R.shape[2]))
        for g in range(R.shape[0]):
            B = self.X @ TR[g]
            B *= ws[g][:, None]
            out[g] = B.T @ B
        return out


class Structure:
    """The blocks as dense stacks, the operators A, G, P and the KKT solver for CVXOPT."""

    def __init__(self, blocks: list[Block], y: np.ndarray, mode: str, beta: float) -> None:
        names = [b.name for b in blocks]
        self.mode, self.beta, self.n, self.blocks = mode, beta, y.shape[0], blocks
        self.sizes = [b.groups * b.size for b in blocks]
        self.z_off = np.concatenate([[0], np.cumsum(self.sizes)]).astype(int)
        n_z = int(self.z_off[-1])
        self.t_off = n_z + np.concatenate([[0], np.cumsum([b.groups for b in blocks])]).astype(int)
        self.r_off = int(self.t_off[-1])
        self.n_r = self.n if mode == "train" else 0
        self.n_x = self.r_off + self.n_r
        # Prediction matrices: one dense stack per source block, shared by its pair.
        self.source, self.sign, stacks = [], [], {}
        for i, b in enumerate(blocks):
            src = names.index(b.minus_of) if b.minus_of else i
            self.source.append(src)
            self.sign.append(-1.0 if b.minus_of else 1.0)
            if src == i:
                A = _stack(b.A, b.groups, None, b.size)
                if b.zero is not None:
                    A *= ~b.zero.reshape(b.groups, 1, b.size)
                stacks[i] = A
        self.A = stacks  # src → (G, n, m)
        # Cone rows (exact, train), shared when a pair has the same matrix.
        self.C, self.c_off, off, seen = [], [], 0, {}
        for b in blocks:
            self.c_off.append(off)
            if mode == "relaxed" or b.C is None:
                self.C.append(None)
                continue
            key = id(b.cone_factor) if b.cone_factor is not None else id(b.C)
            if key not in seen:
                mask = None if b.zero is None else ~b.zero.reshape(b.groups, 1, b.size)
                if b.cone_factor is not None:
                    X, signs, T = b.cone_factor
                    T = T if T is None or mask is None else T * mask
                    seen[key] = FactorRows(X, signs, T)
                else:
                    rows = b.cones()
                    C = _stack(rows, b.groups, rows.shape[0] // b.groups, b.size)
                    seen[key] = DenseRows(C if mask is None else C * mask)
            self.C.append(seen[key])
            off += seen[key].shape[0] * seen[key].shape[1]
        self.n_l = off
        self.q_off = self.n_l + np.concatenate(
            [[0], np.cumsum([b.groups * (1 + b.size) for b in blocks])]
        ).astype(int)
        self.Q = None  # orthonormal basis of the spanned prediction rows (if not all)
        if mode != "train":
            K = sum(self._flat(A) @ self._flat(A).T for A in self.A.values())
            lam, vec = np.linalg.eigh(K)
            keep = lam > RANK_TOL * lam[-1]
            if not keep.all():
                self.Q = vec[:, keep]
                self.A = {s: np.einsum("nr,gnm->grm", self.Q, A) for s, A in self.A.items()}
        self.y = y if self.Q is None else self.Q.T @ y
        self.outside = 0.0 if self.Q is None else float(np.linalg.norm(y - self.Q @ self.y))
        self.flat = {s: self._flat(A) for s, A in self.A.items()}
        self.A = None  # kept as self.flat (n × G·m); the Newton steps use views of it
        self._buffers: dict = {}

    @staticmethod
    def _flat(A: np.ndarray) -> np.ndarray:
        """(G, n, m) → the n × (G·m) matrix with columns g·m + k."""
        return np.ascontiguousarray(A.transpose(1, 0, 2).reshape(A.shape[1], -1))

    def z(self, x: np.ndarray, i: int) -> np.ndarray:
        b = self.blocks[i]
        return x[self.z_off[i] : self.z_off[i + 1]].reshape(b.groups, b.size)

    def t(self, x: np.ndarray, i: int) -> np.ndarray:
        return x[self.t_off[i] : self.t_off[i + 1]]

    def lrows(self, u: np.ndarray, i: int) -> np.ndarray:
        G, rows = self.C[i].shape
        return u[self.c_off[i] : self.c_off[i] + G * rows].reshape(G, rows)

    def qrows(self, u: np.ndarray, i: int) -> np.ndarray:
        b = self.blocks[i]
        return u[self.q_off[i] : self.q_off[i + 1]].reshape(b.groups, 1 + b.size)

    # ------------------------------------------------------------ operators

    def a_mul(self, x: np.ndarray) -> np.ndarray:
        out = -x[self.r_off :] if self.n_r else np.zeros(self.y.shape[0])
        for i in range(len(self.blocks)):
            out = out + self.sign[i] * (self.flat[self.source[i]] @ self.z(x, i).ravel())
        return out

    def a_tmul(self, yv: np.ndarray) -> np.ndarray:
        out = np.zeros(self.n_x)
        for i in range(len(self.blocks)):
            out[self.z_off[i] : self.z_off[i + 1]] = self.sign[i] * (
                self.flat[self.source[i]].T @ yv
            )
        if self.n_r:
            out[self.r_off :] = -yv
        return out

    def g_mul(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros(self.q_off[-1])
        for i in range(len(self.blocks)):
            zi = self.z(x, i)
            if self.C[i] is not None:
                self.lrows(out, i)[:] = -self.C[i].mul(zi)
            q = self.qrows(out, i)
            q[:, 0], q[:, 1:] = -self.t(x, i), -zi
        return out

    def g_tmul(self, u: np.ndarray) -> np.ndarray:
        out = np.zeros(self.n_x)
        for i in range(len(self.blocks)):
            q = self.qrows(u, i)
            zi = -q[:, 1:]
            if self.C[i] is not None:
                zi = zi - self.C[i].tmul(self.lrows(u, i))
            out[self.z_off[i] : self.z_off[i + 1]] = zi.ravel()
            out[self.t_off[i] : self.t_off[i + 1]] = -q[:, 0]
        return out

    def operator(self, mul, tmul):
        """A CVXOPT operator v := α M u + β v (trans 'N') or α Mᵀ u + β v (trans 'T')."""

        def op(u, v, alpha=1.0, beta=0.0, trans="N"):
            uu, vv = np.asarray(u)[:, 0], np.asarray(v)[:, 0]
            vv[:] = alpha * (mul(uu) if trans == "N" else tmul(uu)) + beta * vv

        return op

    def p_op(self, u, v, alpha=1.0, beta=0.0):
        uu, vv = np.asarray(u)[:, 0], np.asarray(v)[:, 0]
        pu = np.zeros(self.n_x)
        pu[self.r_off :] = (2.0 / self.beta) * uu[self.r_off :]
        vv[:] = alpha * pu + beta * vv

    # ------------------------------------------------------------ the KKT solver

    def kktsolver(self, W):
        """Factor the Newton system at the scaling W; return f(x, y, z) solving
        [P Aᵀ Gᵀ; A 0 0; G 0 −WᵀW] [ux; uy; uz] = [bx; by; bz] in place, z ← W uz.

        Per group, the unknown is ξ = W_g uz_g of its cone rows: the group's rows of the
        first equation give (I + W_g E_g W_g) ξ = W_g (rhs), a matrix ≥ I, and then
        (t_g, z_g) = −bz_g − W_g ξ; no product W_g⁻¹ W_g is ever formed."""
        d_inv = np.asarray(W["di"])[:, 0] if self.n_l else np.zeros(0)
        Wf, Kinv, M, k = [], [], [], 0
        for i, b in enumerate(self.blocks):
            v = np.array([np.asarray(W["v"][k + g])[:, 0] for g in range(b.groups)])
            v = v.reshape(b.groups, 1 + b.size)
            bt = np.asarray(W["beta"][k : k + b.groups], dtype=float)[:, None, None]
            k += b.groups
            J = np.diag(np.concatenate([[1.0], -np.ones(b.size)]))
            Wg = bt * (2.0 * v[:, :, None] * v[:, None, :] - J)  # β(2vvᵀ − J)
            Wf.append(Wg)
            Ki = None
            if self.C[i] is not None:
                BtB = self.C[i].gram(self.lrows(d_inv, i), Wg[:, 1:, :])
                Ki = np.linalg.inv(BtB + np.eye(1 + b.size))
            Kinv.append(Ki)
            if Ki is None:  # [W²]_zz = β²(2w wᵀ + I), w = 2v₀v_z: no cancellation
                w = 2.0 * v[:, :1] * v[:, 1:]
                M.append(bt**2 * (2.0 * w[:, :, None] * w[:, None, :] + np.eye(b.size)))
            else:
                M.append(np.matmul(np.matmul(Wg[:, 1:, :], Ki), Wg[:, :, 1:]))
        n_eq = self.y.shape[0]
        S = np.eye(n_eq) * (self.beta / 2.0) if self.n_r else np.zeros((n_eq, n_eq))
        for src, F in self.flat.items():
            Ms = sum(M[i] for i in range(len(self.blocks)) if self.source[i] == src)
            G, m = Ms.shape[0], Ms.shape[1]
            AM = self._buffer(src, F.shape)  # the products A_g M_g, laid out as F
            np.matmul(
                F.reshape(n_eq, G, m).transpose(1, 0, 2),
                Ms,
                out=AM.reshape(n_eq, G, m).transpose(1, 0, 2),
            )
            S += AM @ F.T
        factor = _cholesky(S)

        def xi_of(i: int, rhs: np.ndarray) -> np.ndarray:
            """ξ = (I + W E W)⁻¹ W rhs for the groups of block i ((G, 1+m) stacks)."""
            out = np.matmul(Wf[i], rhs[:, :, None])
            if Kinv[i] is not None:
                out = np.matmul(Kinv[i], out)
            return out[:, :, 0]

        def solve(x, y, z):
            bx, by, bz = np.asarray(x)[:, 0], np.asarray(y)[:, 0], np.asarray(z)[:, 0]
            base, first = [], np.zeros(self.y.shape[0])
            for i in range(len(self.blocks)):
                q = self.qrows(bz, i)
                rhs = -np.concatenate([self.t(bx, i)[:, None], self.z(bx, i)], axis=1)
                if self.C[i] is not None:
                    dl = self.lrows(d_inv, i)
                    res = self.C[i].mul(q[:, 1:]) - self.lrows(bz, i)
                    rhs[:, 1:] -= self.C[i].tmul(dl**2 * res)
                base.append(rhs)
                uz0 = -q[:, 1:] - np.matmul(Wf[i], xi_of(i, rhs)[:, :, None])[:, 1:, 0]
                first += self.sign[i] * (self.flat[self.source[i]] @ uz0.ravel())
            if self.n_r:
                first -= (self.beta / 2.0) * bx[self.r_off :]
            uy = sla.cho_solve(factor, first - by)
            for i, b in enumerate(self.blocks):
                rhs = base[i]
                rhs[:, 1:] += self.sign[i] * (self.flat[self.source[i]].T @ uy).reshape(
                    b.groups, b.size
                )
                xi = xi_of(i, rhs)
                q = self.qrows(bz, i)
                tz = -q - np.matmul(Wf[i], xi[:, :, None])[:, :, 0]
                if self.C[i] is not None:
                    dl = self.lrows(d_inv, i)
                    lz = self.C[i].mul(tz[:, 1:])
                    self.lrows(bz, i)[:] = dl * (-lz - self.lrows(bz, i))
                q[:] = xi
                bx[self.t_off[i] : self.t_off[i + 1]] = tz[:, 0]
                bx[self.z_off[i] : self.z_off[i + 1]] = tz[:, 1:].ravel()
            if self.n_r:
                bx[self.r_off :] = (self.beta / 2.0) * (bx[self.r_off :] + uy)
            by[:] = uy

        return solve


    def _buffer(self, key, shape: tuple[int, ...]) -> np.ndarray:
        """A work array kept across Newton steps, so that a large one is not allocated (and
        its pages faulted in) at every step."""
        buf = self._buffers.get(key)
        if buf is None or buf.shape != shape:
            buf = self._buffers[key] = np.empty(shape)
        return buf


def solve_blocks_structured(
    blocks: list[Block], y: np.ndarray, mode: str, beta: float = 1e-6
) -> Solution:
    """The program of solve_blocks solved by CVXOPT with the block-structured KKT solver."""
    from cvxopt import matrix, solvers

    t0 = time.perf_counter()
    st = Structure(blocks, y, mode, beta)
    dims = {"l": st.n_l, "q": [1 + b.size for b in blocks for _ in range(b.groups)], "s": []}
    c = np.zeros(st.n_x)
    c[st.t_off[0] : st.r_off] = 1.0
    G = st.operator(st.g_mul, st.g_tmul)
    A = st.operator(st.a_mul, st.a_tmul)
    h, b_vec = matrix(np.zeros(int(st.q_off[-1]))), matrix(np.asarray(st.y, dtype=float))
    compile_s = time.perf_counter() - t0
    message, result = "", None
    if st.outside > SPAN_TOL * max(float(np.linalg.norm(y)), 1e-300):
        status, solve_s = "infeasible", 0.0
        message = f"y is outside the span of the prediction ({st.outside:.1e})"
    else:
        t1 = time.perf_counter()
        try:
            args = (matrix(c), G, h, dims, A, b_vec)
            kw = {"kktsolver": st.kktsolver, "options": {**OPTIONS, "show_progress": False}}
            train = mode == "train"
            result = solvers.coneqp(st.p_op, *args, **kw) if train else solvers.conelp(*args, **kw)
            status = _status(result)
        except (ArithmeticError, ValueError) as err:
            status, message = "solver_error", f"{type(err).__name__}: {err}"
        solve_s = time.perf_counter() - t1
    x = np.asarray(result["x"])[:, 0] if result is not None and result["x"] is not None else None
    if status in ("optimal", "optimal_inaccurate") and x is None:
        status = "solver_error"

    def value(i: int) -> np.ndarray:
        v = st.z(x, i).ravel().copy()
        if blocks[i].zero is not None:
            v[blocks[i].zero] = 0.0
        return v

    sol = _solution(
        blocks,
        status,
        message,
        "CVXOPT",
        solve_s,
        compile_s,
        lambda: float(result["primal objective"]) * (beta if mode == "train" else 1.0),
        value,
    )
    if sol.ok:
        # Stationarity c + Aᵀν + Gᵀz = 0: A_gᵀ(−ν) = x_g/‖x_g‖ (min-norm programs) and
        # ν = 2r/β (training, objective ÷ β): the multiplier is −ν, as from Clarabel.
        nu = np.asarray(result["y"])[:, 0]
        sol.dual = -(nu if st.Q is None else st.Q @ nu)
        sol.iterations = int(result["iterations"])
        sol.info["solver_dual_objective"] = float(result["dual objective"]) * (
            beta if mode == "train" else 1.0
        )
    return sol


def _status(result: dict) -> str:
    """CVXOPT's status as cvxpy names them; 'unknown' (stalled) is optimal_inaccurate when
    the residuals and the relative gap are small."""
    if result["status"] in STATUS:
        return STATUS[result["status"]]
    checks = [result.get(k) for k in ("primal infeasibility", "dual infeasibility")]
    gap = result.get("relative gap")
    checks.append(gap if gap is not None else result.get("gap"))
    if all(v is not None and abs(v) <= INACCURATE_TOL for v in checks):
        return "optimal_inaccurate"
    return "solver_error"
