"""Separation fuzziness D = Tr(SS_w SS_b^+).

With mu the global mean, mu_k the mean of class k and n_k its count,
    SS_b = (1/n) sum_k n_k (mu_k - mu)(mu_k - mu)^T,
    SS_w = (1/n) sum_k sum_{y_i = k} (h_i - mu_k)(h_i - mu_k)^T.
:func:`fuzziness` evaluates D exactly without forming any p x p matrix: SS_b = M M^T with
M = [sqrt(n_k/n)(mu_k - mu)]_k (p x K), so SS_b^+ = sum_j u_j u_j^T / lambda_j over the kept
eigenpairs of SS_b, and u_j^T SS_w u_j is a sum of squared projections of the within-class
residuals. Eigenvalues are kept when lambda_j > p * eps * lambda_max, the cut-off of
``scipy.linalg.pinv`` on the dense p x p SS_b. :func:`fuzziness_dense` is that dense route,
kept as the reference for tests (p <= a few thousand).

``weighting="uniform"`` is the class-uniform form of the original balanced driver,
    SS_b = (1/K) sum_k (mu_k - mu)(mu_k - mu)^T,
    SS_w = (1/K) sum_k (1/n_k) sum_{y_i = k} (h_i - mu_k)(h_i - mu_k)^T;
it equals the n_k-weighted form when every class has n/K samples and differs on imbalanced
data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import scipy.linalg

#: lambda_min/lambda_max below this marks a tap whose class means are (nearly) dependent
ILL_CONDITIONED = 1e-8


@dataclass(frozen=True)
class Fuzziness:
    """D at one tap with its diagnostics."""

    D: float
    p: int  # feature dimension
    n_kept: int  # eigenvalues of SS_b kept by the rank cut (at most K-1)
    lambda_max: float
    lambda_min: float  # smallest kept eigenvalue
    lambda_ratio: float  # lambda_min / lambda_max
    trace_within: float  # Tr(SS_w)
    between_variation: float  # Tr(SS_b) / ||SS_b||_F
    ill_conditioned: bool  # lambda_ratio < ILL_CONDITIONED

    def as_dict(self) -> dict[str, float | int | bool]:
        return asdict(self)


def _class_stats(H: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centred features (float64), class means of the centred features, class weights n_k/n."""
    Hc = np.array(H, dtype=np.float64)  # a copy, centred in place below
    if Hc.ndim != 2:
        Hc = Hc.reshape(Hc.shape[0], -1)
    y = np.asarray(y)
    classes, inverse = np.unique(y, return_inverse=True)
    n = Hc.shape[0]
    Hc -= Hc.mean(axis=0)
    counts = np.bincount(inverse, minlength=len(classes)).astype(np.float64)
    onehot = np.zeros((len(classes), n))
    onehot[inverse, np.arange(n)] = 1.0
    means = (onehot @ Hc) / counts[:, None]
    return Hc, means, counts / n


WEIGHTINGS = ("nk", "uniform")


def _weights(
    y: np.ndarray, weights: np.ndarray, weighting: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(class weights of SS_b, per-sample weights of SS_w, class index of each sample)."""
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, not {weighting!r}")
    _, inverse = np.unique(np.asarray(y), return_inverse=True)
    n, K = inverse.size, weights.size
    if weighting == "nk":
        return weights, np.full(n, 1.0 / n), inverse
    counts = weights * n
    return np.full(K, 1.0 / K), 1.0 / (K * counts[inverse]), inverse


def fuzziness(H: np.ndarray, y: np.ndarray, weighting: str = "nk") -> Fuzziness:
    """D = Tr(SS_w SS_b^+) of features ``H`` (n x p) with labels ``y``, in O(n p K).

    ``weighting``: ``nk`` (the paper's definition) or ``uniform`` (class-uniform).
    """
    Hc, means, weights = _class_stats(H, y)
    n, p = Hc.shape
    class_w, sample_w, inverse = _weights(y, weights, weighting)
    M = means.T * np.sqrt(class_w)[None, :]  # p x K, SS_b = M M^T
    U, s, _ = np.linalg.svd(M, full_matrices=False)
    lam = s**2
    lam_max = float(lam.max()) if lam.size else 0.0
    keep = lam > p * np.finfo(np.float64).eps * lam_max
    U, lam_kept = U[:, keep], lam[keep]
    # within-class residuals projected on the kept directions, chunked over samples
    proj_sq = np.zeros(len(lam_kept))
    trace_w = 0.0
    step = max(1, int(2**26 // max(p, 1)))  # about 512 MB of float64 per chunk
    for start in range(0, n, step):
        R = Hc[start : start + step] - means[inverse[start : start + step]]
        w = sample_w[start : start + step]
        proj_sq += (w[:, None] * (R @ U) ** 2).sum(axis=0)
        trace_w += float(np.einsum("i,ij,ij->", w, R, R))
    D = float(np.sum(proj_sq / lam_kept)) if lam_kept.size else float("nan")
    lam_min = float(lam_kept.min()) if lam_kept.size else 0.0
    ratio = lam_min / lam_max if lam_max > 0 else 0.0
    between = float(lam.sum() / np.sqrt(np.sum(lam**2))) if lam_max > 0 else float("nan")
    return Fuzziness(
        D=D,
        p=int(p),
        n_kept=int(lam_kept.size),
        lambda_max=lam_max,
        lambda_min=lam_min,
        lambda_ratio=float(ratio),
        trace_within=trace_w,
        between_variation=between,
        ill_conditioned=bool(ratio < ILL_CONDITIONED),
    )


def scatter_matrices(
    H: np.ndarray, y: np.ndarray, weighting: str = "nk"
) -> tuple[np.ndarray, np.ndarray]:
    """The dense p x p matrices (SS_w, SS_b) (for tests and small p only)."""
    Hc, means, weights = _class_stats(H, y)
    class_w, sample_w, inverse = _weights(y, weights, weighting)
    R = Hc - means[inverse]
    ss_w = (R * sample_w[:, None]).T @ R
    ss_b = (means.T * class_w[None, :]) @ means
    return ss_w, ss_b


def fuzziness_dense(H: np.ndarray, y: np.ndarray, weighting: str = "nk") -> float:
    """D by the original dense route: trace(SS_w @ scipy.linalg.pinv(SS_b))."""
    ss_w, ss_b = scatter_matrices(H, y, weighting)
    return float(np.trace(ss_w @ scipy.linalg.pinv(ss_b)))


PCA_METHODS = ("auto", "svd", "gram")


def _fix_signs(scores: np.ndarray) -> np.ndarray:
    """Flip each column so that its entry of largest magnitude is positive (a fixed sign)."""
    idx = np.argmax(np.abs(scores), axis=0)
    signs = np.sign(scores[idx, np.arange(scores.shape[1])])
    signs[signs == 0] = 1.0
    return scores * signs[None, :]


def pca_scores(H: np.ndarray, n_components: int = 100, method: str = "auto") -> np.ndarray:
    """Scores on the first ``n_components`` principal axes (mean-centred).

    ``svd``: the thin SVD of the centred n x p matrix. ``gram``: the eigenvectors of the
    smaller of the two Gram matrices, Hc Hc^T (n x n, scores = V sqrt(lambda)) when p > n,
    else Hc^T Hc (p x p, scores = Hc V); one GEMM and one symmetric eigensolve, cheaper than
    the SVD. ``auto`` is ``gram``. Both fix each column's sign (largest entry positive), so
    the two routes agree to round-off. Features with at most ``n_components`` dimensions are
    returned unchanged.
    """
    if method not in PCA_METHODS:
        raise ValueError(f"PCA method must be one of {PCA_METHODS}, not {method!r}")
    H = np.asarray(H, dtype=np.float64)
    if H.shape[1] <= n_components:
        return H
    Hc = H - H.mean(axis=0)
    n, p = Hc.shape
    k = min(n_components, n, p)
    if method == "svd":
        U, s, _ = np.linalg.svd(Hc, full_matrices=False)
        return _fix_signs(U[:, :k] * s[:k])
    if p > n:
        lam, V = np.linalg.eigh(Hc @ Hc.T)
        order = np.argsort(lam)[::-1][:k]
        scores = V[:, order] * np.sqrt(np.clip(lam[order], 0.0, None))[None, :]
    else:
        lam, V = np.linalg.eigh(Hc.T @ Hc)
        order = np.argsort(lam)[::-1][:k]
        scores = Hc @ V[:, order]
    return _fix_signs(scores)
