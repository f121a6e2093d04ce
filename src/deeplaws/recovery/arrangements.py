"""Sampled hyperplane-arrangement patterns and the all-ones question.

A pattern is the 0/1 vector 1[X u >= 0] for a direction u; patterns are stored as the
columns of ``Dmat`` (n × P).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np

ALL_ONES_CHECKS = ("lp", "off")


def all_ones_exists(X: np.ndarray, tol: float = 1e-9) -> bool:
    """Exact test whether some u != 0 has X u >= 0 (all samples on one side).

    If rank(X) < d a null direction does it. Otherwise solve the LP
    max 1ᵀ X u s.t. X u >= 0, -1 <= u <= 1 (HiGHS): its optimum is positive iff such u exists
    (X u = 0 forces u = 0 when X has full column rank).
    """
    n, d = X.shape
    if np.linalg.matrix_rank(X) < d:
        return True
    scale = np.abs(X).max()
    Xs = X / scale
    from scipy.optimize import linprog  # only where the LP runs

    res = linprog(
        c=-Xs.sum(axis=0),
        A_ub=-Xs,
        b_ub=np.zeros(n),
        bounds=[(-1.0, 1.0)] * d,
        method="highs",
    )
    if res.status != 0:
        raise RuntimeError(f"all-ones LP failed: {res.message}")
    return bool(-res.fun > tol)


def wendel_probability(n: int, d: int) -> float:
    """P(some u != 0 has X u >= 0) for n i.i.d. symmetric rows in general position in R^d:
    2^-(n-1) Σ_{k<d} C(n-1, k) (Wendel 1962); 1 when n <= d."""
    if n <= d:
        return 1.0
    return float(sum(comb(n - 1, k) for k in range(d)) / 2 ** (n - 1))


def n_directions(n: int, rule: str, minimum: int = 50) -> int:
    """Number of random directions: max(n, 50) or, for the NNIC check, max(2n, 50)."""
    if rule == "n":
        return max(n, minimum)
    if rule == "2n":
        return max(2 * n, minimum)
    raise ValueError(f"unknown direction rule {rule!r}")


@dataclass
class Patterns:
    """Deduplicated patterns and where the planted ones are."""

    Dmat: np.ndarray  # (n, P) float 0/1
    planted: np.ndarray  # (k,) column index of each planted direction's pattern
    all_ones: bool  # whether an all-ones pattern was found and appended
    all_ones_index: int  # its column (-1 if none appended)

    @property
    def P(self) -> int:
        return self.Dmat.shape[1]


class PlantedPatternClash(RuntimeError):
    """Two planted neurons share one activation pattern (pitfall 11)."""


def sample_patterns(
    X: np.ndarray,
    rng: np.random.Generator,
    n_dirs: int,
    planted_dirs: np.ndarray | None = None,
    all_ones_check: str = "lp",
) -> Patterns:
    """Patterns of ``n_dirs`` Gaussian directions, with the planted directions prepended.

    Columns are deduplicated and sorted lexicographically (numpy ``unique`` over columns);
    planted pattern i is the unique column whose first occurrence is direction i. If the
    all-ones check says some u != 0 has X u >= 0, an all-ones column is appended (even if an
    all-ones column was already sampled, matching the original construction).
    """
    n, d = X.shape
    dirs = rng.standard_normal((d, n_dirs))
    k = 0
    if planted_dirs is not None:
        planted_dirs = np.asarray(planted_dirs).reshape(d, -1)
        k = planted_dirs.shape[1]
        dirs = np.concatenate([planted_dirs, dirs], axis=1)
    raw = (X @ dirs >= 0).astype(np.int8)
    uniq, first = np.unique(raw, axis=1, return_index=True)
    planted = np.empty(k, dtype=int)
    for i in range(k):
        hits = np.flatnonzero(first == i)
        if hits.size != 1:
            raise PlantedPatternClash(f"planted neuron {i} shares its pattern with another")
        planted[i] = hits[0]
    if all_ones_check not in ALL_ONES_CHECKS:
        raise ValueError(f"unknown all-ones check {all_ones_check!r}; allowed {ALL_ONES_CHECKS}")
    exists = all_ones_check == "lp" and all_ones_exists(X)
    Dmat = uniq.astype(float)
    index = -1
    if exists:
        Dmat = np.concatenate([Dmat, np.ones((n, 1))], axis=1)
        index = Dmat.shape[1] - 1
    return Patterns(Dmat=Dmat, planted=planted, all_ones=exists, all_ones_index=index)
