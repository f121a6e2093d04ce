"""Backend ``fast`` for real vector features of small dimension d (≤ TINY_DIM), e.g. the
2-D and 3-D Gaussians and Iris: a layer costs a fixed, small number of NumPy calls on
arrays allocated once.

All sets live side by side in one (d, N) array (each sorted by its true labels). Once per
layer, from the features entering it:

* the (d², N) outer products z zᵀ of every sample times one (N, q) 0/1 matrix give, for
  each set, its whole-set and true-class sums; the class sums of the estimated labels of
  the previous layer are these plus the outer products of the samples whose estimated
  label differs from the true one (moved from their true class to the estimated one);
* one batched factorization (closed forms for d = 2) gives the operators of this layer
  (E and C^j of the training set) and the log-determinants of every logged rate of the
  previous layer's output (both conventions, every set); the rates themselves are formed
  for all logged layers at once after the construction;
* the layer map of every set is one (k+1)d × d matmul, the soft membership, the update and
  the normalization, in place.

The numbers are those of the general fast path and of the reference backend (tested to
1e-10 relative); only the grouping of the operations differs.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from deeplaws.redunet.fast_engine import FeatureSet, argmax0, concatenate_sets
from deeplaws.redunet.network import (
    RATE_KEYS,
    ConstructionConfig,
    ConstructionResult,
    Snapshots,
)
from deeplaws.redunet.spectral import NORM_FLOOR, make_spectrum

log = logging.getLogger(__name__)

TINY_DIM = 8  # real vector features up to this dimension take this path


def _factorize(A: np.ndarray, n_inv: int, inv: np.ndarray) -> np.ndarray:
    """logdet of every HPD matrix of the stack A (Q, d, d); the inverses of the first
    ``n_inv`` ones go to ``inv``."""
    if A.shape[1] == 2:  # closed forms of the 2×2 determinant and inverse
        a, b, c, e = A[:, 0, 0], A[:, 0, 1], A[:, 1, 0], A[:, 1, 1]
        det = a * e - b * c
        f = 1.0 / det[:n_inv]
        inv[:, 0, 0], inv[:, 0, 1] = e[:n_inv] * f, -b[:n_inv] * f
        inv[:, 1, 0], inv[:, 1, 1] = -c[:n_inv] * f, a[:n_inv] * f
        return np.log(det)
    inv[...] = np.linalg.inv(A[:n_inv])
    return np.linalg.slogdet(A)[1]


def construct_vector(
    sets: dict[str, FeatureSet], cfg: ConstructionConfig, k: int
) -> ConstructionResult:
    """The construction of :func:`deeplaws.redunet.fast.construct_fast` for real vector
    features of dimension ≤ TINY_DIM and no derived sets; ``sets`` starts with "train"."""
    names = list(sets)
    tr = sets["train"]
    every = concatenate_sets(list(sets.values()))
    Z = every.V[0]  # (d, N) view: the layer maps update it in place
    d, N = Z.shape
    m, e2, n_sets = tr.n, cfg.eps2, len(names)
    gamma = tr.counts / m
    # columns of M, per set: [whole set, true class 0..k-1]
    q = n_sets * (k + 1)
    M = np.zeros((N, q))
    scale_true = np.empty(q)
    set_of = np.empty(N, dtype=np.int64)
    for s, name in enumerate(names):
        S = sets[name]
        o, c = S.offset, s * (k + 1)
        M[o : o + S.n, c] = 1.0
        scale_true[c] = d / (S.n * e2)
        for j in range(k):
            M[o + S.bounds[j] : o + S.bounds[j + 1], c + 1 + j] = 1.0
        scale_true[c + 1 : c + 1 + k] = d / (np.maximum(S.counts, 1) * e2)
        set_of[o : o + S.n] = s
    cls_cols = np.array([s * (k + 1) + 1 + j for s in range(n_sets) for j in range(k)])
    y_col = set_of * k + every.y  # the true class of every sample among the n_sets·k
    # the matrices factorized: the training operators (whole set, true classes, scales of
    # the operators), then the true-label matrices of every set and its estimated classes
    Q = (k + 1) + q + n_sets * k
    scales = np.empty(Q)
    scales[: k + 1] = scale_true[: k + 1]
    if cfg.legacy_class_alpha:
        scales[1 : k + 1] = 1.0 / e2
    scales[k + 1 : k + 1 + q] = scale_true
    est_scale = scales[k + 1 + q :]  # view: set from the estimated counts of each layer
    A = np.empty((Q, d * d))
    A3 = A.reshape(Q, d, d)
    inv = np.empty((k + 1, d, d))

    logged = [-1] + [
        layer
        for layer in range(cfg.layers)
        if (layer + 1) % cfg.log_every == 0 or layer == cfg.layers - 1
    ]
    log_pos = {layer: i for i, layer in enumerate(logged)}
    half = np.zeros((len(logged), Q - (k + 1)))  # ½ logdets of every logged layer
    est_cnt = np.zeros((len(logged), n_sets, k))
    lab_dtype = np.int16 if k < 2**15 else np.int64
    y_sorted = np.empty((len(logged), N), dtype=lab_dtype)  # estimated labels, sorted order
    snaps = Snapshots(cfg, make_spectrum("vector"), {n: sets[n].V.shape[::-1] for n in names})

    P = np.empty((d, d, N))
    P2 = P.reshape(d * d, N)
    Y = np.empty(((k + 1) * d, N))
    ops = np.empty((k + 1, d, d))
    diag = np.arange(d)
    hard = cfg.train_membership == "hard"
    onehot_train = (np.arange(k)[:, None] == tr.y[None, :]) if hard else None
    moved = np.zeros(0, dtype=np.int64)  # samples whose estimated label is not their own
    y_hat = np.zeros(N, dtype=np.int64)
    t0 = time.perf_counter()
    for it in range(cfg.layers + 1):  # it: number of layers applied so far
        np.multiply(Z[:, None, :], Z[None, :, :], out=P)
        Sig = (P2 @ M).T  # (q, d²)
        i = log_pos.get(it - 1)  # the row of the logged rates of this input, if any
        n_fac = Q if i is not None else k + 1
        A[: k + 1] = Sig[: k + 1]
        if i is not None:
            A[k + 1 : k + 1 + q] = Sig
            A[k + 1 + q :] = Sig[cls_cols]
            if moved.size:  # move the outer products of the misclassified samples
                D = np.zeros((moved.size, n_sets * k))
                r = np.arange(moved.size)
                D[r, set_of[moved] * k + y_hat[moved]] = 1.0
                D[r, y_col[moved]] = -1.0
                A[k + 1 + q :] += (P2[:, moved] @ D).T
        Af = A[:n_fac]
        Af *= scales[:n_fac, None]
        A3[:n_fac, diag, diag] += 1.0
        ld = _factorize(A3[:n_fac], k + 1, inv)
        if i is not None:
            half[i] = 0.5 * ld[k + 1 :]
        if snaps.wants(it):
            for name in snaps.data:
                snaps.take(it, name, sets[name].to_torch())
        if it == cfg.layers:
            break
        # the layer map of every set
        np.multiply(inv, scales[: k + 1, None, None], out=ops)
        np.matmul(ops.reshape((k + 1) * d, d), Z, out=Y)
        CY = Y[d:].reshape(k, d, N)
        z = np.sqrt(np.einsum("jcx,jcx->jx", CY, CY))
        np.maximum(z, NORM_FLOOR, out=z)
        z *= -cfg.lambda_
        z -= z.max(axis=0)
        np.exp(z, out=z)
        z /= z.sum(axis=0)
        if it in log_pos:  # the estimated labels of this layer, for its logged rates
            y_hat = np.greater(z[1], z[0]).astype(np.int64) if k == 2 else argmax0(z)
            i = log_pos[it]
            y_sorted[i] = y_hat
            moved = np.flatnonzero(y_hat != every.y)
            cnt = np.bincount(set_of * k + y_hat, minlength=n_sets * k).reshape(n_sets, k)
            est_cnt[i] = cnt
            est_scale[:] = (d / e2) / np.maximum(cnt, 1).ravel()
        if hard:
            z[:, :m] = onehot_train
        z *= gamma[:, None]
        g = np.einsum("jci,ji->ci", CY, z)
        np.subtract(Y[:d], g, out=g)
        g *= cfg.eta
        Z += g
        nrm = np.sqrt(np.einsum("cx,cx->x", Z, Z))
        np.maximum(nrm, NORM_FLOOR, out=nrm)
        Z /= nrm
        if (it + 1) % max(1, cfg.layers // 10) == 0:
            log.info("layer %d/%d (%.1f s)", it + 1, cfg.layers, time.perf_counter() - t0)
    seconds = time.perf_counter() - t0

    rates: dict[str, dict[str, np.ndarray]] = {}
    y_hats: dict[str, np.ndarray] = {}
    for s, name in enumerate(names):
        S = sets[name]
        c, e0 = s * (k + 1), q + s * k
        R = half[:, c]
        tw = gamma if (cfg.true_class_weights == "train" and name != "train") else S.counts / S.n
        Rc = np.where(S.counts > 0, half[:, c + 1 : c + 1 + k], 0.0) @ tw
        Rce = np.where(est_cnt[:, s] > 0, half[:, e0 : e0 + k], 0.0) @ gamma
        Rce[0] = np.nan  # the input has no estimated labels
        Re = R.copy()
        Re[0] = np.nan
        rates[name] = dict(zip(RATE_KEYS, (Re - Rce, Re, Rce, R - Rc, R.copy(), Rc), strict=True))
        yh = np.empty((len(logged), S.n), dtype=lab_dtype)
        yh[:, S.order] = y_sorted[:, S.offset : S.offset + S.n]
        yh[0] = -1
        y_hats[name] = yh
    return ConstructionResult(
        features={n: S.to_torch() for n, S in sets.items()},
        rates=rates,
        layers_logged=np.asarray(logged),
        seconds=seconds,
        y_hat=y_hats,
        snapshot_layers=snaps.layers,
        snapshots=snaps.data,
    )
