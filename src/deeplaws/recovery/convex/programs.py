"""The convex programs 4.1–4.7 over sampled patterns, solvable on any subset of the patterns.

A ``PatternProgram`` holds one program (family, mode, data, patterns). ``solve(W)`` solves
it restricted to the patterns W (every other pattern fixed at zero; W = None: all of
them), pads the values back to all P patterns and records the objective evaluated at the
returned point, the primal residual and the cone violation. It also gives what the
working-set certificate needs: A_jᵀλ for every pattern and the cone matrix G_j.

Families: ``skip`` (4.1–4.3, blocks w0 and W or U, V; prediction X w0 + Σ_j D_j X w_j),
``plain`` (4.7, blocks U, V without w0) and ``normal`` (4.5, 4.6; blocks Z or A, B with
prediction Σ_j U_j z_j over the rank-truncated bases).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
import scipy.sparse as sp

from deeplaws.recovery.convex.blocks import (
    Block,
    Solution,
    block_diagonal,
    masked_blocks,
    pattern_bases,
    sign_cones,
    solve_blocks,
)

FAMILIES = ("skip", "plain", "normal")


@dataclass
class NormalBases:
    """Per-pattern bases of the normalized family."""

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

    def subset(self, W: np.ndarray) -> NormalBases:
        return NormalBases(self.U_full[W], self.s[W], self.Vt[W], self.ranks[W])

    def flat_basis(self) -> sp.csr_matrix:
        """[U_1, …, U_P] as a sparse n × (P·m) matrix."""
        P, n, m = self.U.shape
        return sp.csr_matrix(np.transpose(self.U, (1, 0, 2)).reshape(n, P * m))

    def inverse_scales(self) -> np.ndarray:
        """(P, m): 1/σ on the rank slots, 0 beyond."""
        return np.where(self.slot_mask(), 0.0, 1.0 / np.where(self.s > 0, self.s, 1.0))

    def cone(self, X: np.ndarray, Dmat: np.ndarray, j: int) -> np.ndarray:
        """C_j = S_j X V_j Λ_j⁻¹ (n × m, zero beyond the rank)."""
        S = 2.0 * Dmat[:, j] - 1.0
        return S[:, None] * (X @ self.Vt[j].T) * self.inverse_scales()[j][None, :]

    def cones(self, X: np.ndarray, Dmat: np.ndarray) -> sp.csr_matrix:
        """block_diag(C_1, …, C_P), C_j = S_j X V_j Λ_j⁻¹ on the rank slots (zero beyond)."""
        S = 2.0 * Dmat - 1.0
        XV = np.einsum("nd,pmd->pnm", X, self.Vt) * self.inverse_scales()[:, None, :]
        return block_diagonal(S.T[:, :, None] * XV)


def normal_bases(X: np.ndarray, Dmat: np.ndarray) -> NormalBases:
    return NormalBases(*pattern_bases(X, Dmat))


def normal_targets(bases: NormalBases, W: np.ndarray, planted: np.ndarray) -> np.ndarray:
    """c_i = Λ_s V_sᵀ w_i / ‖Λ_s V_sᵀ w_i‖ at the planted slots (k, m): U_s c_i equals the
    normalized planted output."""
    c = np.einsum("km,kmd,dk->km", bases.s[planted], bases.Vt[planted], W)
    c = c * (~bases.slot_mask()[planted])
    return c / np.linalg.norm(c, axis=1, keepdims=True)


def _row_norms(M: np.ndarray) -> float:
    return float(np.linalg.norm(M, axis=1).sum())


@dataclass
class PatternProgram:
    """One convex program over the patterns (columns) of Dmat."""

    family: str
    mode: str
    X: np.ndarray
    y: np.ndarray
    Dmat: np.ndarray
    bases: NormalBases | None = None
    beta: float = 1e-6
    solver: str = "clarabel"
    clarabel_method: str = "qdldl"
    formulation: str = "conic"

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"unknown family {self.family!r}; allowed {FAMILIES}")
        if self.family == "normal" and self.bases is None:
            self.bases = normal_bases(self.X, self.Dmat)

    @property
    def P(self) -> int:
        return self.Dmat.shape[1]

    @property
    def m(self) -> int:
        """Entries per pattern group (d, or min(n, d) for the normalized bases)."""
        return self.bases.m if self.family == "normal" else self.X.shape[1]

    @property
    def cones(self) -> bool:
        return self.mode != "relaxed"

    @property
    def pattern_blocks(self) -> list[str]:
        names = {"skip": ("W", "U", "V"), "plain": ("U", "U", "V"), "normal": ("Z", "A", "B")}
        first, plus, minus = names[self.family]
        return [first] if self.mode == "relaxed" else [plus, minus]

    # ------------------------------------------------------------ building and solving

    def blocks(self, W: np.ndarray) -> list[Block]:
        """The blocks of the program restricted to the patterns W (sorted indices)."""
        Dmat = self.Dmat[:, W]
        P = W.size
        names = self.pattern_blocks
        if self.family == "normal":
            bases = self.bases.subset(W)
            A, zero, m = bases.flat_basis(), bases.slot_mask().ravel(), bases.m
            C = cache(lambda: bases.cones(self.X, Dmat)) if self.cones else None
            T = np.transpose(bases.Vt, (0, 2, 1)) * bases.inverse_scales()[:, None, :]
        else:
            A, zero, m = masked_blocks(self.X, Dmat), None, self.X.shape[1]
            C = cache(lambda: sign_cones(self.X, Dmat)) if self.cones else None
            T = None
        factor = (self.X, (2.0 * Dmat - 1.0).T, T) if self.cones else None
        out = []
        if self.family == "skip":
            out.append(Block("w0", 1, self.X.shape[1], sp.csr_matrix(self.X)))
        if self.mode == "relaxed":
            out.append(Block(names[0], P, m, A, zero=zero))
        else:
            out.append(Block(names[0], P, m, A, C, zero, cone_factor=factor))
            out.append(Block(names[1], P, m, None, C, zero, names[0], factor))
        return out

    def solve(self, W: np.ndarray | None = None) -> Solution:
        """Solve on the patterns W (None: all), padded back to all P patterns."""
        full = W is None
        W = np.arange(self.P) if full else np.asarray(W, dtype=int)
        sol = solve_blocks(
            self.blocks(W),
            self.y,
            self.mode,
            self.beta,
            self.solver,
            self.clarabel_method,
            self.formulation,
            release=True,
        )
        if not full:
            for name in self.pattern_blocks:
                padded = np.zeros((self.P, self.m))
                padded[W] = sol.values[name]
                if not sol.ok:
                    padded[:] = np.nan
                sol.values[name] = padded
        if sol.ok:
            self.evaluate(sol)
        return sol

    # ------------------------------------------------------------ the returned point

    def pattern_value(self, values: dict[str, np.ndarray]) -> np.ndarray:
        """(P, m): w_j (relaxed) or u_j − v_j (cone programs)."""
        names = self.pattern_blocks
        return values[names[0]] if len(names) == 1 else values[names[0]] - values[names[1]]

    def predict(self, values: dict[str, np.ndarray]) -> np.ndarray:
        Z = self.pattern_value(values)
        if self.family == "normal":
            return np.einsum("pnm,pm->n", self.bases.U, Z)
        pred = (self.Dmat * (self.X @ Z.T)).sum(axis=1)
        if self.family == "skip":
            pred = pred + self.X @ values["w0"][0]
        return pred

    def penalty(self, values: dict[str, np.ndarray]) -> float:
        total = sum(_row_norms(values[name]) for name in self.pattern_blocks)
        if self.family == "skip":
            total += float(np.linalg.norm(values["w0"][0]))
        return total

    def cone_violation(self, values: dict[str, np.ndarray]) -> float:
        """max over the cone rows of max(0, −G_j x_j) (0 for the relaxed programs)."""
        if not self.cones:
            return 0.0
        S = 2.0 * self.Dmat - 1.0
        worst = 0.0
        for name in self.pattern_blocks:
            Z = values[name]
            if self.family == "normal":  # w_j = V_j Λ_j⁻¹ z_j has pattern D_j
                Z = np.einsum("pmd,pm->pd", self.bases.Vt, Z * self.bases.inverse_scales())
            worst = max(worst, float(np.max(-(self.X @ Z.T) * S, initial=0.0)))
        return worst

    def evaluate(self, sol: Solution) -> None:
        """The objective at the returned point (not the solver's epigraph value), its
        primal residual ‖prediction − y‖ and cone violation, into the solution."""
        residual = self.predict(sol.values) - self.y
        penalty = self.penalty(sol.values)
        if self.mode == "train":
            objective = float(residual @ residual) + self.beta * penalty
        else:
            objective = penalty
        sol.info["solver_objective"] = sol.objective
        sol.objective = objective
        sol.info["residual"] = float(np.linalg.norm(residual))
        sol.info["cone_violation"] = self.cone_violation(sol.values)
        sol.info["fit_residual"] = residual

    # ------------------------------------------------------------ for the certificate

    def correlations(self, lam: np.ndarray, J: np.ndarray | None = None) -> np.ndarray:
        """(|J|, m): A_jᵀλ for the patterns J (None: all)."""
        J = np.arange(self.P) if J is None else J
        if self.family == "normal":
            return np.einsum("pnm,n->pm", self.bases.U[J], lam)
        return (self.Dmat[:, J] * lam[:, None]).T @ self.X

    def cone_matrix(self, j: int) -> np.ndarray:
        """G_j (n × m) of the cone {u : G_j u >= 0} of pattern j."""
        if self.family == "normal":
            return self.bases.cone(self.X, self.Dmat, j)
        return (2.0 * self.Dmat[:, j] - 1.0)[:, None] * self.X

    def active_equations(
        self, values: dict[str, np.ndarray], W: np.ndarray, rel: float = 1e-6
    ) -> tuple[np.ndarray, np.ndarray]:
        """(M, g): the rows A_gᵀλ = x_g/‖x_g‖ (−A_j for the V/B block) over the non-zero
        groups among the skip group and the patterns W, as M λ = g."""
        groups = []
        if self.family == "skip":
            groups.append((self.X, values["w0"][0]))
        for sign, name in zip((1.0, -1.0), self.pattern_blocks, strict=False):
            for j in W:
                A = self.bases.U[j] if self.family == "normal" else self.Dmat[:, [j]] * self.X
                groups.append((sign * A, values[name][j]))
        norms = np.array([np.linalg.norm(x) for _, x in groups])
        keep = norms > rel * norms.max(initial=0.0)
        if not keep.any():
            return np.zeros((0, self.X.shape[0])), np.zeros(0)
        M = np.concatenate([A.T for (A, _), k in zip(groups, keep, strict=True) if k])
        g = np.concatenate([x / nx for (_, x), nx, k in zip(groups, norms, keep, strict=True) if k])
        return M, g

    def columns(self, W: np.ndarray) -> np.ndarray:
        """Dense [X (skip), A_j for j in W] (n × ·): the range a restricted fit can reach."""
        if self.family == "normal":
            parts = [np.transpose(self.bases.U[W], (1, 0, 2)).reshape(self.X.shape[0], -1)]
        else:
            parts = [(self.Dmat[:, [j]] * self.X) for j in W]
        if self.family == "skip":
            parts.insert(0, self.X)
        return np.concatenate(parts, axis=1) if parts else np.zeros((self.X.shape[0], 0))


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
    """Skip-connection programs (full): 4.1 (relaxed, blocks w0, W), 4.2 (exact) and 4.3
    (train), blocks w0, U, V with prediction X w0 + Σ_j D_j X (u_j − v_j)."""
    return PatternProgram(
        "skip", mode, X, y, Dmat, None, beta, solver, clarabel_method, formulation
    ).solve()


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
    """Plain ReLU (4.7, full): blocks U, V with prediction Σ_j D_j X (u_j − v_j)."""
    return PatternProgram(
        "plain", mode, X, y, Dmat, None, beta, solver, clarabel_method, formulation
    ).solve()


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
    """Normalized family (full): 4.5 (relaxed, block Z) and 4.6 (exact / train, blocks A,
    B with prediction Σ_j U_j (a_j − b_j) and cones C_j a_j >= 0, C_j b_j >= 0)."""
    return PatternProgram(
        "normal", mode, X, y, Dmat, bases, beta, solver, clarabel_method, formulation
    ).solve()
