"""Features in the frequency domain: (n, C, F) tensors plus per-frequency weights.

A vector feature set (n, d) is the special case C = d, F = 1 with weight 1 (real dtype).
Shift-invariant features are stored as the orthonormal ``rfft`` (1-D) or ``rfft2`` (2-D)
of real signals; only the non-negative half-spectrum is kept, and every
sum over frequencies weights the bins whose conjugate partner is not stored by 2.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

NORM_FLOOR = 1e-8


@dataclass(frozen=True)
class Spectrum:
    """How features of one block are laid out.

    ``kind``: "vector", "1d" or "2d"; ``shape``: the signal shape (T,) or (H, W) (empty for
    vectors); ``weights``: (F,) float64 multiplicity of each stored frequency bin.
    """

    kind: str
    shape: tuple[int, ...]
    weights: torch.Tensor

    @property
    def n_freq_total(self) -> float:
        """Number of frequencies of the full spectrum (1 for vectors)."""
        return float(self.weights.sum())


def rfft_weights(length: int) -> torch.Tensor:
    """Weights of the ``rfft`` bins of a length-``length`` real signal (1 or 2)."""
    w = torch.full((length // 2 + 1,), 2.0, dtype=torch.float64)
    w[0] = 1.0
    if length % 2 == 0:
        w[-1] = 1.0
    return w


def make_spectrum(
    kind: str, shape: tuple[int, ...] = (), device: str | torch.device = "cpu"
) -> Spectrum:
    if kind == "vector":
        w = torch.ones(1, dtype=torch.float64)
    elif kind == "1d":
        (T,) = shape
        w = rfft_weights(T)
    elif kind == "2d":
        H, W = shape
        w = rfft_weights(W).repeat(H)  # (H, W//2+1) flattened row-major
    else:
        raise ValueError(f"unknown feature kind {kind!r} (vector, 1d, 2d)")
    return Spectrum(kind=kind, shape=tuple(shape), weights=w.to(device))


def sq_norms(V: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Squared norms over all (C, F) entries of each sample of (n, C, F), shape (n,)."""
    return ((V.real**2 + V.imag**2) if V.is_complex() else V**2).mul(weights).sum(dim=(-2, -1))


def normalize(V: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Each sample divided by its (full-spectrum) norm, norms clipped at 1e-8."""
    norms = sq_norms(V, weights).sqrt().clamp_min(NORM_FLOOR)
    return V / norms.to(V.real.dtype)[:, None, None]


def to_spectrum(X: torch.Tensor, spec: Spectrum) -> torch.Tensor:
    """Real signals -> normalized (n, C, F) features.

    vector: X (n, d); 1d: X (n, C, T); 2d: X (n, C, H, W). Each sample is normalized to unit
    Frobenius norm, then transformed with the orthonormal rfft/rfft2.
    """
    if spec.kind == "vector":
        V = X.reshape(X.shape[0], -1, 1)
    elif spec.kind == "1d":
        V = torch.fft.rfft(X, dim=-1, norm="ortho")
    else:
        V = torch.fft.rfft2(X, dim=(-2, -1), norm="ortho").flatten(-2)
    return normalize(V, spec.weights)


def from_spectrum(V: torch.Tensor, spec: Spectrum) -> torch.Tensor:
    """(n, C, F) features -> real signals (inverse orthonormal DFT), unit norm per sample."""
    if spec.kind == "vector":
        X = V[..., 0]
    elif spec.kind == "1d":
        X = torch.fft.irfft(V, n=spec.shape[0], dim=-1, norm="ortho")
    else:
        H, W = spec.shape
        X = torch.fft.irfft2(V.unflatten(-1, (H, W // 2 + 1)), s=(H, W), dim=(-2, -1), norm="ortho")
    flat = X.reshape(X.shape[0], -1)
    return (flat / flat.norm(dim=1, keepdim=True).clamp_min(NORM_FLOOR)).reshape(X.shape)
