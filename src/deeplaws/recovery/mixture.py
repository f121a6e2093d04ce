"""Gaussian-mixture separability (spec §8.3, official ReLU/prob.py, option 3).

n points, the first half μ1 + z, the second half μ2 + z, z ~ N(0, σ⁻² I_d), with μ1, μ2
independent and uniform on the unit sphere (drawn once per (d, σ)). With
u = μ1/‖μ1‖ − μ2/‖μ2‖, a sample succeeds iff 1[X u >= 0] = (1, …, 1, 0, …, 0).

Only the projections X u enter, and z u ~ N(0, ‖u‖² σ⁻²) exactly, so the Monte-Carlo
draws the n projections instead of the n × d noise matrix (same distribution, d times
cheaper).
"""

from __future__ import annotations

import numpy as np


def sphere(rng: np.random.Generator, d: int) -> np.ndarray:
    g = rng.standard_normal(d)
    return g / np.linalg.norm(g)


def draw_means(rng: np.random.Generator, d: int) -> tuple[np.ndarray, np.ndarray]:
    """μ1, μ2 independent and uniform on the unit sphere (option 3)."""
    return sphere(rng, d), sphere(rng, d)


def separation_probability(
    rng: np.random.Generator,
    d: int,
    sigma: float,
    n: int = 100,
    samples: int = 5000,
    means: tuple[np.ndarray, np.ndarray] | None = None,
) -> float:
    """Fraction of samples whose pattern along u is exactly the cluster split."""
    mu1, mu2 = draw_means(rng, d) if means is None else means
    u = mu1 - mu2
    half = n // 2
    means = np.concatenate([np.full(half, mu1 @ u), np.full(n - half, mu2 @ u)])
    proj = means[None, :] + rng.standard_normal((samples, n)) * (np.linalg.norm(u) / sigma)
    target = np.concatenate([np.ones(half, bool), np.zeros(n - half, bool)])
    return float(np.mean(np.all((proj >= 0) == target[None, :], axis=1)))


def separation_probability_full(
    rng: np.random.Generator,
    d: int,
    sigma: float,
    n: int = 100,
    samples: int = 200,
    means: tuple[np.ndarray, np.ndarray] | None = None,
) -> float:
    """The same probability from full n × d noise draws (reference for the tests)."""
    mu1, mu2 = draw_means(rng, d) if means is None else means
    u = mu1 - mu2
    half = n // 2
    centers = np.concatenate([np.tile(mu1, (half, 1)), np.tile(mu2, (n - half, 1))])
    target = np.concatenate([np.ones(half, bool), np.zeros(n - half, bool)])
    hits = 0
    for _ in range(samples):
        X = centers + rng.standard_normal((n, d)) / sigma
        hits += bool(np.all((X @ u >= 0) == target))
    return hits / samples
