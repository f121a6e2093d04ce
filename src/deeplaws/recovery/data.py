"""Planted data of the recovery experiments.

Draw order inside one trial is fixed: X, planted weights (with the redraw loop
of the normalized model), noise, then (elsewhere) pattern directions, then the test X.
"""

from __future__ import annotations

import numpy as np

XDISTS = ("gauss", "cubic", "white", "white_cubic")
SKIP_PLANTED = ("gauss", "svmin")
NORMAL_PLANTED = ("gauss", "eye", "pm")
DEAD_TOL = 1e-10
MAX_REDRAWS = 1000


def whiten(X: np.ndarray) -> np.ndarray:
    """Thin-SVD whitening: U (orthonormal columns) if n >= d, else Vᵀ (orthonormal rows)."""
    n, d = X.shape
    U, _, Vt = np.linalg.svd(X, full_matrices=False)
    return U if n >= d else Vt


def draw_x(rng: np.random.Generator, n: int, d: int, xdist: str) -> np.ndarray:
    """X with i.i.d. N(0, 1/n) entries, then the transformation of its distribution
    (gauss, cubic, white or white_cubic = cube then whiten)."""
    if xdist not in XDISTS:
        raise ValueError(f"unknown X distribution {xdist!r}; allowed {XDISTS}")
    X = rng.standard_normal((n, d)) / np.sqrt(n)
    if xdist in ("cubic", "white_cubic"):
        X = X**3
    if xdist in ("white", "white_cubic"):
        X = whiten(X)
    return X


def svmin_direction(X: np.ndarray) -> np.ndarray:
    """The last right singular vector of the thin SVD (for n < d: the n-th one, pitfall 9)."""
    _, _, Vt = np.linalg.svd(X, full_matrices=False)
    return Vt[-1].copy()


def unit(v: np.ndarray, axis: int = 0) -> np.ndarray:
    return v / np.linalg.norm(v, axis=axis, keepdims=True)


def draw_skip_weight(rng: np.random.Generator, X: np.ndarray, planted: str) -> np.ndarray:
    """Unit w* of the planted linear model (gauss or svmin)."""
    if planted == "gauss":
        return unit(rng.standard_normal(X.shape[1]))
    if planted == "svmin":
        return svmin_direction(X)
    raise ValueError(f"unknown skip planted model {planted!r}; allowed {SKIP_PLANTED}")


def draw_normal_weights(rng: np.random.Generator, d: int, k: int, planted: str) -> np.ndarray:
    """W* (d × k) with unit columns (gauss, eye or pm)."""
    if planted == "gauss":
        W = rng.standard_normal((d, k))
    elif planted == "eye":
        if k > d:
            raise ValueError(f"eye planted model needs k <= d, got k={k}, d={d}")
        W = np.eye(d)[:, :k]
    elif planted == "pm":
        if k != 2:
            raise ValueError("the pm planted model has exactly k = 2 neurons")
        u = rng.standard_normal(d)
        W = np.stack([u, -u], axis=1)
    else:
        raise ValueError(f"unknown normalized planted model {planted!r}; allowed {NORMAL_PLANTED}")
    return unit(W, axis=0)


def relu(a: np.ndarray) -> np.ndarray:
    return np.maximum(a, 0.0)


def normal_outputs(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Columns (X w_i)₊ / ‖(X w_i)₊‖ (n × k); a dead column stays zero."""
    H = relu(X @ W)
    norms = np.linalg.norm(H, axis=0)
    return H / np.where(norms > DEAD_TOL, norms, 1.0)


def noise(rng: np.random.Generator, n: int, sigma: float) -> np.ndarray:
    """z ~ N(0, σ²/n I_n), so E‖z‖² = σ²."""
    return sigma * rng.standard_normal(n) / np.sqrt(n)


def skip_instance(
    rng: np.random.Generator, n: int, d: int, xdist: str, planted: str, sigma: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training part of the planted linear model: (X, w*, y = X w* + z)."""
    X = draw_x(rng, n, d, xdist)
    w = draw_skip_weight(rng, X, planted)
    y = X @ w + noise(rng, n, sigma)
    return X, w, y


def normal_instance(
    rng: np.random.Generator, n: int, d: int, k: int, xdist: str, planted: str, sigma: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Training part of the planted normalized-ReLU model; redraws X and W* while a planted
    neuron is dead. Returns (X, W*, y, number of redraws)."""
    for redraws in range(MAX_REDRAWS):
        X = draw_x(rng, n, d, xdist)
        W = draw_normal_weights(rng, d, k, planted)
        if np.all(np.linalg.norm(relu(X @ W), axis=0) >= DEAD_TOL):
            y = normal_outputs(X, W).sum(axis=1) + noise(rng, n, sigma)
            return X, W, y, redraws
    raise RuntimeError(f"every planted draw had a dead neuron after {MAX_REDRAWS} tries")


def plain_instance(
    rng: np.random.Generator, n: int, d: int, k: int, xdist: str, sigma: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Planted plain-ReLU model y = Σ_i (X w_i)₊ + z with unit Gaussian w_i."""
    for redraws in range(MAX_REDRAWS):
        X = draw_x(rng, n, d, xdist)
        W = unit(rng.standard_normal((d, k)), axis=0)
        H = relu(X @ W)
        if np.all(np.linalg.norm(H, axis=0) >= DEAD_TOL):
            return X, W, H.sum(axis=1) + noise(rng, n, sigma), redraws
    raise RuntimeError(f"every planted draw had a dead neuron after {MAX_REDRAWS} tries")


def test_labels(family: str, X_test: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Noise-free test labels."""
    if family == "skip":
        return X_test @ w
    if family == "normal":
        return normal_outputs(X_test, w).sum(axis=1)
    if family == "plain":
        return relu(X_test @ w).sum(axis=1)
    raise ValueError(f"unknown family {family!r}")
