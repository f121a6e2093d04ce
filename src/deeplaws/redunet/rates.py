"""The MCR² rates R, R_c and ΔR, batched over frequencies.

Features are (n, C, F) tensors (see :mod:`deeplaws.redunet.spectral`). With F = 1 and real
features these are the vector rates

    R(Z)   = ½ logdet(I + α Z Zᵀ),                   α   = C / (n e2)
    R_c(Z) = Σ_j w_j ½ logdet(I + α_j Z_j Z_jᵀ),     α_j = C / (n_j e2)

and for shift-invariant features the code's per-frequency rates
R = (1 / 2F) Σ_p logdet(I + α Σ(p)) with Σ(p) the (C×C) covariance of frequency p.
``e2`` is the CLI's "eps" (ε² itself). Log-determinants come from Cholesky factors and are
accumulated in float64.
"""

from __future__ import annotations

import torch

# Sample chunk for class covariances: bounds the memory of the padded class blocks.
CHUNK_ELEMENTS = 1 << 24


def covariance(V: torch.Tensor) -> torch.Tensor:
    """Σ(p) = Σ_i v_i(p) v_i(p)^H for every frequency: (n, C, F) -> (F, C, C)."""
    Vt = V.permute(2, 1, 0).contiguous()  # (F, C, n)
    return Vt @ Vt.transpose(-2, -1).conj()


def class_index(y: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-class sample indices padded to a rectangle.

    Returns ``idx`` (k, n_max) holding the indices of each class's samples, padded with
    ``n`` (the index of an appended zero sample), and the class counts (k,).
    """
    n = y.shape[0]
    counts = torch.bincount(y, minlength=k)
    n_max = int(counts.max()) if n else 0
    order = torch.argsort(y, stable=True)
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.arange(n, device=y.device) - starts[y[order]]
    idx = torch.full((k, max(n_max, 1)), n, dtype=torch.long, device=y.device)
    idx[y[order], rank] = order
    return idx, counts


def class_covariances(V: torch.Tensor, y: torch.Tensor, k: int) -> torch.Tensor:
    """Σ_j(p) = Σ_{i: y_i = j} v_i(p) v_i(p)^H for all classes: -> (k, F, C, C).

    Samples are gathered into a zero-padded (k, F, C, n_max) block and multiplied in one
    batched matmul (no loop over classes); the sample axis is processed in chunks.
    """
    n, C, F = V.shape
    out = torch.zeros((k, F, C, C), dtype=V.dtype, device=V.device)
    chunk = max(1, CHUNK_ELEMENTS // max(1, k * C * F))
    for start in range(0, n, chunk):
        Vc, yc = V[start : start + chunk], y[start : start + chunk]
        idx, _ = class_index(yc, k)
        padded = torch.cat([Vc, torch.zeros_like(Vc[:1])], dim=0)
        G = padded[idx].permute(0, 3, 2, 1).contiguous()  # (k, F, C, n_max)
        out += G @ G.transpose(-2, -1).conj()
    return out


def logdet_identity_plus(scale: torch.Tensor, S: torch.Tensor) -> torch.Tensor:
    """logdet(I + scale · S) for a batch of Hermitian PSD S (..., C, C); real float64.

    ``scale`` broadcasts against the batch dimensions of S.
    """
    C = S.shape[-1]
    eye = torch.eye(C, dtype=S.dtype, device=S.device)
    A = eye + scale[..., None, None].to(S.dtype) * S
    L = torch.linalg.cholesky(A)
    return 2.0 * torch.log(torch.diagonal(L, dim1=-2, dim2=-1).real.double()).sum(-1)


def coding_rate(V: torch.Tensor, e2: float, weights: torch.Tensor) -> torch.Tensor:
    """R of the whole set (float64 scalar)."""
    n, C, _ = V.shape
    alpha = torch.tensor(C / (n * e2), dtype=torch.float64, device=V.device)
    ld = logdet_identity_plus(alpha, covariance(V))  # (F,)
    return 0.5 * (ld * weights).sum() / weights.sum()


def class_rates(
    V: torch.Tensor, y: torch.Tensor, k: int, e2: float, weights: torch.Tensor
) -> torch.Tensor:
    """½ (1/F) Σ_p logdet(I + α_j Σ_j(p)) for every class j, shape (k,); 0 for empty classes."""
    _, C, _ = V.shape
    counts = torch.bincount(y, minlength=k).to(torch.float64)
    alpha = C / (counts.clamp_min(1.0) * e2)
    ld = logdet_identity_plus(alpha[:, None], class_covariances(V, y, k))  # (k, F)
    per_class = 0.5 * (ld * weights).sum(-1) / weights.sum()
    return torch.where(counts > 0, per_class, torch.zeros_like(per_class))


def compressed_rate(
    V: torch.Tensor,
    y: torch.Tensor,
    k: int,
    e2: float,
    weights: torch.Tensor,
    class_weights: torch.Tensor | None = None,
) -> torch.Tensor:
    """R_c = Σ_j w_j · (class rate j); w_j = n_j / n unless ``class_weights`` are given."""
    if class_weights is None:
        class_weights = torch.bincount(y, minlength=k).to(torch.float64) / y.shape[0]
    return (class_weights.to(torch.float64) * class_rates(V, y, k, e2, weights)).sum()


def rate_reduction(
    V: torch.Tensor,
    y: torch.Tensor,
    k: int,
    e2: float,
    weights: torch.Tensor,
    class_weights: torch.Tensor | None = None,
) -> tuple[float, float, float]:
    """(ΔR, R, R_c) as Python floats."""
    R = float(coding_rate(V, e2, weights))
    Rc = float(compressed_rate(V, y, k, e2, weights, class_weights))
    return R - Rc, R, Rc
