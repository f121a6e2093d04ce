"""Lifting, polar transform and cyclic shifts.

* Lifting: fixed random N(0, 1) kernels (NumPy legacy RNG, seed 10 as in the official code,
  no normalization), circular cross-correlation padded on the right/bottom, then ReLU. It
  commutes with cyclic shifts, so the whole network is shift-equivariant.
* Polar transform: rotate each 28×28 image by T angles in [0°, 360°] (both ends included),
  cubic spline, rounded and clipped to uint8 as in the official code, and read the middle
  row at C_in radii: channel = radius, time = angle.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import ndimage


def make_kernels(shape: tuple[int, ...], seed: int = 10) -> np.ndarray:
    """N(0, 1) kernels from ``np.random.seed(seed)`` + one ``normal`` call (official RNG)."""
    return np.random.RandomState(seed).normal(0.0, 1.0, size=shape)


def lift1d(X: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """ReLU(circular cross-correlation): X (n, C_in, T), W (C_out, C_in, k) -> (n, C_out, T).

    out[o, t] = ReLU(Σ_c Σ_s W[o, c, s] X[c, (t + s) mod T]).
    """
    k = W.shape[-1]
    Xp = torch.cat([X, X[..., : k - 1]], dim=-1) if k > 1 else X
    return torch.relu(torch.nn.functional.conv1d(Xp, W.to(X.dtype)))


def lift2d(X: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """ReLU(circular 2-D cross-correlation): X (n, 1, H, W), W (C_out, 1, k, k)."""
    k = W.shape[-1]
    Xp = torch.nn.functional.pad(X, (0, k - 1, 0, k - 1), mode="circular") if k > 1 else X
    return torch.relu(torch.nn.functional.conv2d(Xp, W.to(X.dtype)))


def polar(images: np.ndarray, channels: int, time: int) -> np.ndarray:
    """Polar signals (n, channels, time) of uint8-valued images (n, 28, 28).

    Radii: integer part of linspace(0, mid, channels) as columns of the middle row; angles:
    linspace(0, 360, time) degrees (both ends); rotation by cubic spline with zero padding,
    then rounding and clipping to 0…255 as for the official uint8 images.
    """
    imgs = np.asarray(images, dtype=np.float64)
    mid = imgs.shape[1] // 2
    cols = np.linspace(0, mid, channels).astype(int)
    out = np.empty((imgs.shape[0], channels, time), dtype=np.float64)
    for t, angle in enumerate(np.linspace(0.0, 360.0, time)):
        rot = ndimage.rotate(imgs, angle, axes=(1, 2), reshape=False, order=3)
        out[:, :, t] = np.clip(np.round(rot[:, mid, cols]), 0, 255)
    return out


def cyclic_shifts(
    X: np.ndarray, stride: int, axes: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """All cyclic shifts by multiples of ``stride`` along ``axes`` (every combination).

    Returns the shifted copies stacked sample-major ((n · S, ...): the S shifts of sample 0
    first) and the (S, len(axes)) table of shifts.
    """
    grids = [np.arange(0, X.shape[a], stride) for a in axes]
    shifts = np.stack(np.meshgrid(*grids, indexing="ij"), axis=-1).reshape(-1, len(axes))
    out = np.empty((X.shape[0], len(shifts)) + X.shape[1:], dtype=X.dtype)  # (n, S, ...)
    for i, sh in enumerate(shifts):
        out[:, i] = np.roll(X, tuple(int(s) for s in sh), axis=axes)
    return out.reshape((-1,) + X.shape[1:]), shifts
