"""Gaussian-mixture separability (official ReLU/prob.py, option 3).

n points, the first half μ1 + z, the second half μ2 + z, z ~ N(0, σ⁻² I_d), with μ1, μ2
independent and uniform on the unit sphere. With u = μ1/‖μ1‖ − μ2/‖μ2‖, a sample succeeds
iff 1[X u >= 0] = (1, …, 1, 0, …, 0).

The official script draws the means once per (d, σ), so the curve carries the luck of one
draw (the probability given the means depends on c = μ1·μ2). ``curve`` averages over
several mean draws (the first of which is the one-draw protocol) and reports their spread.
Closed forms: given the means, P = Φ(σ √((1 − c)/2))^n; over the draws, (1 + c)/2 ~
Beta((d − 1)/2, (d − 1)/2) for independent uniform unit vectors in R^d.

Only the projections X u enter, and z u ~ N(0, ‖u‖² σ⁻²) exactly, so the Monte-Carlo
draws the n projections instead of the n × d noise matrix (same distribution, d times
cheaper).
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, special, stats


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


def conditional_probability(mu1: np.ndarray, mu2: np.ndarray, sigma: float, n: int) -> float:
    """Exact success probability given the means (unit vectors): Φ(σ √((1 − c)/2))^n."""
    u = mu1 - mu2
    scale = sigma / np.linalg.norm(u)
    half = n // 2
    log_p = half * special.log_ndtr(scale * (mu1 @ u)) + (n - half) * special.log_ndtr(
        -scale * (mu2 @ u)
    )
    return float(np.exp(log_p))


def expected_probability(d: int, sigma: float, n: int) -> float:
    """The success probability averaged over the uniform mean draws (one quadrature over
    c = μ1·μ2, (1 + c)/2 ~ Beta((d − 1)/2, (d − 1)/2))."""
    a = (d - 1) / 2

    def integrand(t: float) -> float:
        c = 2 * t - 1
        return float(np.exp(n * special.log_ndtr(sigma * np.sqrt((1 - c) / 2)))) * stats.beta.pdf(
            t, a, a
        )

    value, _ = integrate.quad(integrand, 0.0, 1.0, limit=200)
    return float(value)


def curve(
    rng: np.random.Generator, d: int, sigma: float, n: int, samples: int, draws: int
) -> dict[str, float | list[float]]:
    """Monte-Carlo probability at one (d, σ) averaged over ``draws`` mean draws, each with
    ``samples`` samples, from one generator (draws = 1: the official one-draw protocol,
    and the first draw of any longer run). Returns the mean, the per-draw values and their
    10–90 % range."""
    per_draw = [separation_probability(rng, d, sigma, n=n, samples=samples) for _ in range(draws)]
    lo, hi = np.quantile(per_draw, [0.1, 0.9])
    return {
        "probability": float(np.mean(per_draw)),
        "probability_lo": float(lo),
        "probability_hi": float(hi),
        "probability_draws": [float(p) for p in per_draw],
    }
