"""One ReduNet layer: closed-form operators and the layer map.

The same code serves vector data (F = 1, real) and shift-invariant data (F frequencies,
complex): the operators are stacks of C×C matrices, one per frequency,

    E(p)   = α   (I + α   Σ(p))^{-1},     α   = C / (m e2)
    C^j(p) = α_j (I + α_j Σ_j(p))^{-1},   α_j = C / (m_j e2)   (legacy: 1 / e2)

computed by batched Cholesky factorizations, and applied to (n, C, F) features with batched
matmuls over frequencies and classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from deeplaws.redunet.rates import class_covariances, covariance
from deeplaws.redunet.spectral import NORM_FLOOR, normalize

# Sample chunk when applying the (k, F, C, C) class operators: bounds k·F·C·chunk.
APPLY_CHUNK_ELEMENTS = 1 << 24


@dataclass
class LayerOperators:
    """E (F, C, C), C (k, F, C, C), gamma (k,) float64 training class proportions."""

    E: torch.Tensor
    C: torch.Tensor
    gamma: torch.Tensor

    @property
    def n_classes(self) -> int:
        return int(self.C.shape[0])


def _hpd_inverse(A: torch.Tensor) -> torch.Tensor:
    """Inverse of a batch of Hermitian positive definite matrices via Cholesky."""
    return torch.cholesky_inverse(torch.linalg.cholesky(A))


def build_operators(
    V: torch.Tensor, y: torch.Tensor, k: int, e2: float, legacy_class_alpha: bool = False
) -> LayerOperators:
    """The operators of one layer from training features V (m, C, F) and true labels y.

    ``legacy_class_alpha`` reproduces the vector code before 2021-04-18, which used
    α_j = 1/e2 for every class.
    """
    m, C, _ = V.shape
    counts = torch.bincount(y, minlength=k).to(torch.float64)
    if bool((counts == 0).any()):
        raise ValueError(f"every class needs a training sample; class counts {counts.tolist()}")
    eye = torch.eye(C, dtype=V.dtype, device=V.device)
    alpha = C / (m * e2)
    E = alpha * _hpd_inverse(eye + alpha * covariance(V))
    alpha_j = torch.full_like(counts, 1.0 / e2) if legacy_class_alpha else C / (counts * e2)
    aj = alpha_j.to(V.dtype)[:, None, None, None]
    Cj = aj * _hpd_inverse(eye + aj * class_covariances(V, y, k))
    return LayerOperators(E=E, C=Cj, gamma=counts / m)


def apply_layer(
    V: torch.Tensor,
    ops: LayerOperators,
    weights: torch.Tensor,
    eta: float,
    lam: float,
    hard_labels: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """z ← normalize(z + η (E z − Σ_j γ_j π_j(z) C^j z)) for every sample of V (n, C, F).

    π(z) is the soft membership softmax_j(−λ ‖C^j z‖) (norms over all (C, F) entries), or
    the one-hot of ``hard_labels`` when given. Returns the new features and the estimated
    labels argmax_j π̂_j(z) (always from the soft membership), computed from V.
    """
    n, C, F = V.shape
    k = ops.n_classes
    rdtype = V.real.dtype
    gamma = ops.gamma.to(rdtype)
    w = weights.to(rdtype)
    # One (F, (k+1)·C, C) stack [E; C^0; …; C^{k-1}] per frequency: a single batched matmul
    # applies every operator (faster than a broadcast (k, F) batch for small C).
    stack = torch.cat([ops.E[:, None], ops.C.transpose(0, 1)], dim=1).reshape(F, (k + 1) * C, C)
    out = torch.empty_like(V)
    y_hat = torch.empty(n, dtype=torch.long, device=V.device)
    chunk = max(1, APPLY_CHUNK_ELEMENTS // max(1, (k + 1) * C * F))
    for start in range(0, n, chunk):
        Vt = V[start : start + chunk].permute(2, 1, 0).contiguous()  # (F, C, b)
        Y = (stack @ Vt).reshape(F, k + 1, C, -1)
        EV, CV = Y[:, 0], Y[:, 1:]  # (F, C, b), (F, k, C, b)
        mag2 = (CV.real.square() + CV.imag.square()) if CV.is_complex() else CV.square()
        s = (mag2.sum(dim=2) * w[:, None, None]).sum(dim=0).sqrt().clamp_min(NORM_FLOOR)  # (k, b)
        pi = torch.softmax(-lam * s, dim=0)
        y_hat[start : start + chunk] = pi.argmax(dim=0)
        if hard_labels is not None:
            hl = hard_labels[start : start + chunk]
            pi = torch.nn.functional.one_hot(hl, k).T.to(rdtype)
        coef = (gamma[:, None] * pi).to(V.dtype)  # (k, b)
        grad = EV - (coef[None, :, None, :] * CV).sum(dim=1)
        out[start : start + chunk] = (Vt + eta * grad).permute(2, 1, 0)
    return normalize(out, weights), y_hat
