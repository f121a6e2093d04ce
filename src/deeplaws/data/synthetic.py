"""Seeded synthetic datasets of ReduNet.

The official generators use numpy's global stream without a seed; here every dataset is
drawn from its own seeded Generator, in the same order (train with shuffling first, then
test without shuffling), so results are reproducible.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from deeplaws.data.dataset import Dataset

PI = np.pi

# Means of Gaussian 2D, as angles on the unit circle (--data 1..8).
GAUSSIAN2D_ANGLES: dict[int, tuple[float, ...]] = {
    1: (0.0, PI / 2),
    2: (PI / 3, 0.0),
    3: (PI / 4, 0.0),
    4: (3 * PI / 4, 0.0),
    5: (2 * PI / 3, 0.0),
    6: (3 * PI / 4, 4 * PI / 3, 0.0),
    7: (3 * PI / 4, 4 * PI / 3, PI / 4),
    8: (PI / 6, PI / 2, 3 * PI / 4, 5 * PI / 4, 7 * PI / 4, 3 * PI / 2),
}

# Means of Gaussian 3D (--data 1..3). Variant 3 keeps the official typo
# (cos used twice in the last mean).
GAUSSIAN3D_MEANS: dict[int, tuple[tuple[float, float, float], ...]] = {
    1: ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    2: (
        (np.cos(PI / 4), np.sin(PI / 4), 1.0),
        (np.cos(2 * PI / 3), np.sin(2 * PI / 3), 1.0),
        (np.cos(PI), np.sin(PI), 1.0),
    ),
    3: (
        (np.cos(PI / 4), np.sin(PI / 4), 1.0),
        (np.cos(2 * PI / 3), np.sin(2 * PI / 3), 1.0),
        (np.cos(5 * PI / 6), np.cos(5 * PI / 6), 1.0),
    ),
}


def gaussian_means(dim: int, variant: int) -> np.ndarray:
    """Class means (k × dim) of a Gaussian variant."""
    if dim == 2:
        if variant not in GAUSSIAN2D_ANGLES:
            raise ValueError(f"gaussian2d variant must be one of 1..8, got {variant}")
        angles = np.asarray(GAUSSIAN2D_ANGLES[variant])
        return np.stack([np.cos(angles), np.sin(angles)], axis=1)
    if dim == 3:
        if variant not in GAUSSIAN3D_MEANS:
            raise ValueError(f"gaussian3d variant must be one of 1..3, got {variant}")
        return np.asarray(GAUSSIAN3D_MEANS[variant], dtype=np.float64)
    raise ValueError(f"dim must be 2 or 3, got {dim}")


def _normalize_rows(X: np.ndarray) -> np.ndarray:
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def _gaussian_split(
    rng: np.random.Generator, means: np.ndarray, noise: float, samples: int, shuffle: bool
) -> tuple[np.ndarray, np.ndarray]:
    X = np.concatenate(
        [m + noise * rng.standard_normal((samples, means.shape[1])) for m in means], axis=0
    )
    y = np.repeat(np.arange(len(means)), samples)
    X = _normalize_rows(X)
    if shuffle:
        perm = rng.permutation(len(y))
        X, y = X[perm], y[perm]
    return X, y


def gaussian(dim: int, variant: int, noise: float, samples: int, seed: int) -> Dataset:
    """Gaussian clusters on the unit sphere: ``samples`` per class in train and in test."""
    means = gaussian_means(dim, variant)
    rng = np.random.default_rng(seed)
    X_tr, y_tr = _gaussian_split(rng, means, noise, samples, shuffle=True)
    X_te, y_te = _gaussian_split(rng, means, noise, samples, shuffle=False)
    dtype = np.float64 if dim == 2 else np.float32
    notes = ["rows normalised to unit norm after adding noise"]
    if dim == 3 and variant == 3:
        notes.append("variant 3 keeps the official typo: last mean is (cos 5pi/6, cos 5pi/6, 1)")
    return Dataset(
        name=f"gaussian{dim}d_{variant}",
        X_train=X_tr.astype(dtype),
        y_train=y_tr,
        X_test=X_te.astype(dtype),
        y_test=y_te,
        meta={
            "source": f"synthetic: Gaussian {dim}D, --data {variant}",
            "description": f"{len(means)} Gaussian clusters, noise std {noise}, "
            f"{samples} per class per split, train shuffled, test sorted by class",
            "notes": notes,
        },
        extras={"means": means},
    )


SINUSOID_CLASSES = {1: 2, 2: 3, 3: 4, 4: 2, 5: 2, 6: 4, 7: 2, 8: 2, 9: 3}


def _sinusoid_split(
    rng: np.random.Generator, variant: int, time: int, samples: int, shuffle: bool
) -> tuple[np.ndarray, np.ndarray]:
    x0 = rng.uniform(0.0, 10 * PI, size=samples)
    x1 = np.linspace(x0, x0 + 2 * PI, time, axis=1)  # (samples, time); both endpoints

    def noisy(signal: np.ndarray, std: float) -> np.ndarray:
        return signal + std * rng.standard_normal(signal.shape)

    s = np.sin(x1)
    if variant in (1, 2, 3):
        freqs = {1: (1, 3), 2: (1, 3, 7), 3: (1, 3, 7, 11)}[variant]
        classes = [np.sin(f * x1) for f in freqs]
    elif variant == 4:
        # Official bug kept: the negative bumps reuse the positive bumps' positions.
        pos = rng.integers(0, time, size=samples)
        grid = np.arange(time)[None, :]
        bump = norm.pdf(grid, loc=pos[:, None], scale=5)
        classes = [bump, -bump]
    elif variant == 5:
        classes = [s, np.sign(s)]
    elif variant == 6:
        s3 = np.sin(3 * x1)
        classes = [noisy(s, 0.1), noisy(np.sign(s), 0.1), noisy(s3, 0.1), noisy(np.sign(s3), 0.1)]
    elif variant in (7, 8):
        std = 0.1 if variant == 7 else 0.2
        classes = [noisy(s, std), noisy(np.sign(s), std)]
    elif variant == 9:
        classes = [noisy(s, 0.1), noisy(np.exp(s), 0.1), noisy(np.sign(s), 0.1)]
    else:
        raise ValueError(f"sinusoid variant must be one of 1..9, got {variant}")
    X = np.concatenate(classes, axis=0)[:, None, :]
    y = np.repeat(np.arange(len(classes)), samples)
    if shuffle:
        perm = rng.permutation(len(y))
        X, y = X[perm], y[perm]
    return X, y


def sinusoid(variant: int, time: int, samples: int, seed: int) -> Dataset:
    """Sinusoid classes of the official sinusoid.py, shape (samples·k, 1, time), one period per sample."""
    rng = np.random.default_rng(seed)
    X_tr, y_tr = _sinusoid_split(rng, variant, time, samples, shuffle=True)
    X_te, y_te = _sinusoid_split(rng, variant, time, samples, shuffle=False)
    notes = ["the time grid includes both ends of the period: first and last samples coincide"]
    if variant == 4:
        notes.append("official bug kept: negative bumps reuse the positive bumps' positions")
    return Dataset(
        name=f"sinusoid_{variant}",
        X_train=X_tr,
        y_train=y_tr,
        X_test=X_te,
        y_test=y_te,
        meta={
            "source": f"synthetic: sinusoids, --data {variant}",
            "description": f"{SINUSOID_CLASSES[variant]} classes of 1-D signals, T={time}, "
            f"{samples} per class per split",
            "notes": notes,
        },
    )
