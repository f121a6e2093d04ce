"""Forward construction on the CPU at the speed of the arithmetic (backend ``fast``).

The same mathematics as :func:`deeplaws.redunet.network.construct` (the ``reference``
backend, kept as a switch and tested against this one), organised for speed:

* features live as (F, C, n) float64/complex128 arrays (frequencies outermost), every set
  sorted once by its true labels, so a class is a contiguous slice: class covariances are
  slice matmuls with no padded copies, and the true-label rates need no gather;
* the conjugate of each set is kept in a reused buffer, so V_j V_jᴴ is one BLAS product;
* a class with fewer samples than channels (m_j < C, e.g. 10 digits against 75 channels)
  is handled on its Gram side: logdet(I + a V_j V_jᴴ) = logdet(I + a V_jᴴ V_j) and
  a (I + a V_j V_jᴴ)⁻¹ = a I − a² V_j (I + a V_jᴴ V_j)⁻¹ V_jᴴ (Sylvester, Woodbury), an
  m_j×m_j factorization instead of a C×C one;
* one stacked (F, (k+1)C, C) operator matmul per sample chunk (torch's batched complex
  matmul into a reused output buffer), norms by one weighted sum of squares, the update
  by one contraction, in place;
* one rate evaluation per set and layer serves both logging conventions (R is
  label-free; the class log-determinants of the estimated labels are those of the true
  labels when the labels agree); the training set's true-label rates are the
  log-determinants the next layer's construction factorizes anyway;
* rates of a subset of another set (the shifted sets under equivariance: every cyclic
  shift of a sample has the same per-frequency covariance and membership) are computed
  from the base set's features, or copied when the subset is the whole set.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import torch

from deeplaws.redunet.network import (
    RATE_KEYS,
    ConstructionConfig,
    ConstructionResult,
    Derived,
    Snapshots,
)
from deeplaws.redunet.spectral import NORM_FLOOR, Spectrum

log = logging.getLogger(__name__)

SMALL_MATRIX = 16  # up to this size, classes with few samples still use the dense C×C path
TINY_DIM = 8  # real vector features up to this dimension take the outer-product path
GEMM_TORCH_MIN = 1 << 16  # output entries from which _gemm uses torch
CHUNK_BYTES = 192 << 20  # output buffer of the stacked operator matmul


def _factor(A: np.ndarray, inverse: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """logdet (real) and optionally the inverse of a stack of HPD matrices (..., c, c).

    NumPy's batched LAPACK calls (LU): faster here than torch's batched Cholesky inverse."""
    ld = np.linalg.slogdet(A)[1]
    return ld, (np.linalg.inv(A) if inverse else None)


def _gemm(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out = a @ b for stacks of matrices (views allowed); large products go through torch's
    batched matmul (much faster than NumPy's here), written to a contiguous ``out``."""
    if out.size < GEMM_TORCH_MIN or not out.flags.c_contiguous:
        return np.matmul(a, b, out=out)
    torch.matmul(torch.from_numpy(a), torch.from_numpy(b), out=torch.from_numpy(out))
    return out


def _argmax0(z: np.ndarray) -> np.ndarray:
    """argmax over the first (class) axis of a (k, n) array, first maximum on ties (as
    ``z.argmax(axis=0)``, without its slow strided reduction)."""
    best = z[0].copy()
    idx = np.zeros(z.shape[1], dtype=np.int64)
    for j in range(1, z.shape[0]):
        better = z[j] > best
        idx[better] = j
        np.maximum(best, z[j], out=best)
    return idx


def _add_identity(A: np.ndarray, s: float = 1.0) -> None:
    """A += s·I in place for a stack (..., c, c)."""
    np.einsum("...ii->...i", A)[...] += s


class _Features:
    """One set: features (F, C, n) sorted by true label, its conjugate, labels, bounds."""

    def __init__(self, V: torch.Tensor, y: torch.Tensor, k: int) -> None:
        yn = y.cpu().numpy().astype(np.int64)
        self.order = np.argsort(yn, kind="stable")
        self.y = yn[self.order]
        self.counts = np.bincount(self.y, minlength=k)
        self.bounds = np.concatenate([[0], np.cumsum(self.counts)])
        Vn = V.detach().cpu().numpy()
        self.V = np.ascontiguousarray(Vn[self.order].transpose(2, 1, 0))  # (F, C, n)
        self.complex = np.iscomplexobj(self.V)
        self.version = 0  # bumped by every layer map (cache key of derived arrays)
        self.Vc = np.empty_like(self.V) if self.complex else self.V
        self.refresh_conj()

    @property
    def n(self) -> int:
        return self.V.shape[2]

    def refresh_conj(self) -> None:
        if self.complex:
            np.conjugate(self.V, out=self.Vc)

    def to_torch(self) -> torch.Tensor:
        """(n, C, F) in the original sample order."""
        out = np.empty((self.n,) + self.V.shape[1::-1], dtype=self.V.dtype)
        out[self.order] = self.V.transpose(2, 1, 0)
        return torch.from_numpy(out)

    def unsort(self, v: np.ndarray) -> np.ndarray:
        out = np.empty_like(v)
        out[self.order] = v
        return out


class _Engine:
    def __init__(self, spec: Spectrum, k: int, e2: float) -> None:
        self.w = spec.weights.cpu().numpy().astype(np.float64)
        self.wsum = float(self.w.sum())
        self.k = k
        self.e2 = e2
        self._bufs: dict[str, np.ndarray] = {}

    def buf(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        b = self._bufs.get(name)
        if b is None or b.shape != shape or b.dtype != dtype:
            b = np.empty(shape, dtype=dtype)
            self._bufs[name] = b
        return b

    # -------------------------------------------------------------- log-determinants
    def logdets(
        self,
        V: np.ndarray,
        Vc: np.ndarray,
        slices: list[tuple[int, int]],
        scales: np.ndarray,
        stack: np.ndarray | None = None,
    ) -> np.ndarray:
        """Σ_p w_p logdet(I + s_q V_q(p) V_q(p)ᴴ) / Σ w for every slice q of the sample axis,
        shape (q,); 0 for an empty slice. With ``stack`` (F, q, C, C), also writes the
        operators s_q (I + s_q V_q V_qᴴ)⁻¹ there."""
        F, C, _ = V.shape
        out = np.zeros(len(slices))
        dense = [
            q for q, (a, b) in enumerate(slices) if b > a and (b - a >= C or C <= SMALL_MATRIX)
        ]
        if dense:
            A = self.buf(f"dense{len(dense)}", (F, len(dense), C, C), V.dtype)
            tmp = self.buf("cc", (F, C, C), V.dtype) if len(dense) > 1 else None
            for i, q in enumerate(dense):
                a, b = slices[q]
                if tmp is None:
                    _gemm(V[:, :, a:b], Vc[:, :, a:b].transpose(0, 2, 1), A[:, 0])
                else:
                    A[:, i] = _gemm(V[:, :, a:b], Vc[:, :, a:b].transpose(0, 2, 1), tmp)
            s = scales[dense]
            A *= s[:, None, None]
            _add_identity(A)
            ld, inv = _factor(A, inverse=stack is not None)
            out[dense] = (self.w @ ld) / self.wsum
            if stack is not None:
                assert inv is not None
                inv *= s[:, None, None]
                if len(dense) == len(slices):
                    stack[...] = inv
                else:
                    for i, q in enumerate(dense):
                        stack[:, q] = inv[:, i]
        for q, (a, b) in enumerate(slices):
            if b <= a or q in dense:
                continue
            s = float(scales[q])
            Vj, Vjc = V[:, :, a:b], Vc[:, :, a:b]
            K = np.matmul(Vjc.transpose(0, 2, 1), Vj)  # (F, m_j, m_j) Gram matrix
            K *= s
            _add_identity(K)
            ld, M = _factor(K, inverse=stack is not None)
            out[q] = (ld @ self.w) / self.wsum
            if stack is not None:
                assert M is not None
                op = self.buf("cc", (F, C, C), V.dtype)
                _gemm(np.matmul(Vj, M), Vjc.transpose(0, 2, 1), op)
                op *= -(s * s)
                _add_identity(op, s)
                stack[:, q] = op
        return out

    # -------------------------------------------------------------- the layer map
    def apply(
        self,
        S: _Features,
        stack: np.ndarray,
        gamma: np.ndarray,
        eta: float,
        lam: float,
        hard_n: int,
    ) -> np.ndarray:
        """The layer map of set S, in place; returns the estimated labels (sorted order).
        The first ``hard_n`` samples use their true labels as membership."""
        F, C, n = S.V.shape
        k = self.k
        ops = torch.from_numpy(stack.reshape(F, (k + 1) * C, C))
        b = int(max(1, min(n, CHUNK_BYTES // max(1, F * (k + 1) * C * S.V.itemsize))))
        Yflat = self.buf("Y", (F * (k + 1) * C * b,), S.V.dtype)
        Gflat = self.buf("grad", (F * C * b,), S.V.dtype)
        y_hat = np.empty(n, dtype=np.int64)
        w = self.w
        for a in range(0, n, b):
            e = min(n, a + b)
            nb = e - a
            Vch = S.V[:, :, a:e]
            Y = Yflat[: F * (k + 1) * C * nb].reshape(F, (k + 1) * C, nb)
            torch.matmul(ops, torch.from_numpy(Vch), out=torch.from_numpy(Y))
            Y4 = Y.reshape(F, k + 1, C, nb)
            CY = Y4[:, 1:]
            if S.complex:
                R = CY.view(np.float64)  # (F, k, C, 2 nb): re/im interleaved
                s2 = np.einsum("p,pjcx,pjcx->jx", w, R, R)
                s2 = s2[:, 0::2] + s2[:, 1::2]
            else:
                s2 = np.einsum("p,pjcx,pjcx->jx", w, CY, CY)
            z = np.sqrt(s2)
            np.maximum(z, NORM_FLOOR, out=z)
            z *= -lam
            z -= z.max(axis=0)
            np.exp(z, out=z)
            z /= z.sum(axis=0)
            y_hat[a:e] = _argmax0(z)
            if a < hard_n:
                h = min(e, hard_n) - a
                z[:, :h] = np.arange(k)[:, None] == S.y[None, a : a + h]
            z *= gamma[:, None]
            grad = Gflat[: F * C * nb].reshape(F, C, nb)
            np.einsum("pjci,ji->pci", CY, z.astype(S.V.dtype), out=grad)
            np.subtract(Y4[:, 0], grad, out=grad)
            grad *= eta
            Vch += grad
        # normalize every sample by its full-spectrum norm
        if S.complex:
            R = S.V.view(np.float64)
            nrm = np.einsum("p,pcx,pcx->x", w, R, R)
            nrm = nrm[0::2] + nrm[1::2]
        else:
            nrm = np.einsum("p,pcx,pcx->x", w, S.V, S.V)
        np.sqrt(nrm, out=nrm)
        np.maximum(nrm, NORM_FLOOR, out=nrm)
        S.V *= 1.0 / nrm
        return y_hat

    # -------------------------------------------------------------- logged rates
    def est_class_rates(self, S: _Features, y_hat: np.ndarray) -> np.ndarray | None:
        """½·(1/F)Σ_p logdet(I + α̂_j Σ̂_j) per estimated class j (0 if empty), or None when
        the estimated labels equal the true ones (then they are the true-label values)."""
        if np.array_equal(y_hat, S.y):
            return None
        C, k = S.V.shape[1], self.k
        cnt = np.bincount(y_hat, minlength=k)
        order = np.argsort(y_hat, kind="stable")
        G = self.buf("G", S.V.shape, S.V.dtype)
        np.take(S.V, order, axis=2, out=G)  # the one gather of a logged layer
        if S.complex:
            Gc = self.buf("Gc", S.V.shape, S.V.dtype)
            np.conjugate(G, out=Gc)
        else:
            Gc = G
        bh = np.concatenate([[0], np.cumsum(cnt)])
        sl = [(int(bh[j]), int(bh[j + 1])) for j in range(k)]
        ld = self.logdets(G, Gc, sl, C / (np.maximum(cnt, 1) * self.e2))
        return np.where(cnt > 0, 0.5 * ld, 0.0)

    def true_rates(self, S: _Features, scales: np.ndarray | None = None) -> np.ndarray:
        """[R, class rate_0 … class rate_{k-1}] with the true labels (sorted slices)."""
        C, n, k = S.V.shape[1], S.n, self.k
        if scales is None:
            scales = np.concatenate([[C / (n * self.e2)], C / (np.maximum(S.counts, 1) * self.e2)])
        sl = [(0, n)] + [(int(S.bounds[j]), int(S.bounds[j + 1])) for j in range(k)]
        return 0.5 * self.logdets(S.V, S.Vc, sl, scales)


class _TinyEngine(_Engine):
    """Real vector features of small dimension d (≤ TINY_DIM): the few d×d matrices of a
    layer come from the (d², n) outer products of the samples (computed once per set and
    layer) by one cumulative sum over the sorted class slices, or by one matmul with the
    one-hot estimated labels; the layer map is one (k+1)d × d matmul per set."""

    def __init__(self, spec: Spectrum, k: int, e2: float, d: int) -> None:
        super().__init__(spec, k, e2)
        self.d = d
        self._outer_cache: dict[int, tuple[int, np.ndarray]] = {}
        self._slice_mats: dict[tuple, np.ndarray] = {}
        self._ar = np.arange(k)

    def outer(self, V: np.ndarray, version: int | None = None) -> np.ndarray:
        """(d², n) products z_a z_b of every sample (cached per buffer and version)."""
        key = id(V)
        hit = self._outer_cache.get(key)
        if version is not None and hit is not None and hit[0] == version:
            return hit[1]
        d, n = V.shape[1:]
        P = self.buf(f"P{key}", (d, d, n), V.dtype)
        np.multiply(V[0][:, None, :], V[0][None, :, :], out=P)
        P2 = P.reshape(d * d, n)
        if version is not None:
            self._outer_cache[key] = (version, P2)
        return P2

    def _logdets_from(
        self, Sig: np.ndarray, scales: np.ndarray, stack: np.ndarray | None
    ) -> np.ndarray:
        q, d = len(scales), self.d
        A = Sig.reshape(q, d, d) * scales[:, None, None]
        np.einsum("...ii->...i", A)[...] += 1.0
        if d == 2:  # closed forms of the 2×2 determinant and inverse
            a, b, c, e = A[:, 0, 0], A[:, 0, 1], A[:, 1, 0], A[:, 1, 1]
            det = a * e - b * c
            if stack is not None:
                f = scales / det
                op = stack[0]
                op[:, 0, 0], op[:, 0, 1], op[:, 1, 0], op[:, 1, 1] = e * f, -b * f, -c * f, a * f
            return np.log(det)
        ld = np.linalg.slogdet(A)[1]
        if stack is not None:
            np.multiply(np.linalg.inv(A), scales[:, None, None], out=stack[0])
        return ld

    def logdets(
        self,
        V: np.ndarray,
        Vc: np.ndarray,
        slices: list[tuple[int, int]],
        scales: np.ndarray,
        stack: np.ndarray | None = None,
        version: int | None = None,
    ) -> np.ndarray:
        P = self.outer(V, version)
        n = P.shape[1]
        key = (n, tuple(slices))
        M = self._slice_mats.get(key)
        if M is None:  # (n, q) 0/1 membership of each sample in each slice
            M = np.zeros((n, len(slices)))
            for q, (a, b) in enumerate(slices):
                M[a:b, q] = 1.0
            self._slice_mats[key] = M
        return self._logdets_from((P @ M).T, scales, stack)

    def apply(
        self,
        S: _Features,
        stack: np.ndarray,
        gamma: np.ndarray,
        eta: float,
        lam: float,
        hard_n: int,
    ) -> np.ndarray:
        _, d, n = S.V.shape
        k = self.k
        Z = S.V[0]
        Y = self.buf(f"Y{n}", ((k + 1) * d, n), Z.dtype)
        np.matmul(stack[0].reshape((k + 1) * d, d), Z, out=Y)
        CY = Y[d:].reshape(k, d, n)
        z = np.sqrt(np.einsum("jcx,jcx->jx", CY, CY))
        np.maximum(z, NORM_FLOOR, out=z)
        z *= -lam
        z -= z.max(axis=0)
        np.exp(z, out=z)
        z /= z.sum(axis=0)
        y_hat = _argmax0(z)
        if hard_n:
            z[:, :hard_n] = self._ar[:, None] == S.y[None, :hard_n]
        z *= gamma[:, None]
        g = np.einsum("jci,ji->ci", CY, z)
        np.subtract(Y[:d], g, out=g)
        g *= eta
        Z += g
        nrm = np.sqrt(np.einsum("cx,cx->x", Z, Z))
        np.maximum(nrm, NORM_FLOOR, out=nrm)
        Z /= nrm
        return y_hat

    def est_class_rates(self, S: _Features, y_hat: np.ndarray) -> np.ndarray | None:
        if np.array_equal(y_hat, S.y):
            return None
        C = S.V.shape[1]
        onehot = (y_hat[:, None] == self._ar[None, :]).astype(np.float64)
        cnt = onehot.sum(axis=0)
        P = self.outer(S.V, S.version)
        ld = self._logdets_from((P @ onehot).T, C / (np.maximum(cnt, 1) * self.e2), None)
        return np.where(cnt > 0, 0.5 * ld, 0.0)

    def true_rates(self, S: _Features, scales: np.ndarray | None = None) -> np.ndarray:
        C, n, k = S.V.shape[1], S.n, self.k
        if scales is None:
            scales = np.concatenate([[C / (n * self.e2)], C / (np.maximum(S.counts, 1) * self.e2)])
        sl = [(0, n)] + [(int(S.bounds[j]), int(S.bounds[j + 1])) for j in range(k)]
        return 0.5 * self.logdets(S.V, S.Vc, sl, scales, version=S.version)


def _row(
    half_ld: np.ndarray,
    counts: np.ndarray,
    true_weights: np.ndarray | None,
    est: tuple[np.ndarray | None, np.ndarray] | None,
    est_weights: np.ndarray | None,
) -> dict[str, float]:
    """One logged row from [R, true class rates] and (est class rates or None, ŷ counts)."""
    n = counts.sum()
    R = float(half_ld[0])
    rate_true = np.where(counts > 0, half_ld[1:], 0.0)
    tw = counts / n if true_weights is None else true_weights
    Rc = float(tw @ rate_true)
    row = {"dR_true": R - Rc, "R_true": R, "Rc_true": Rc}
    if est is None:
        row.update(dR_est=np.nan, R_est=np.nan, Rc_est=np.nan)
        return row
    rate_est, cnt_hat = est
    if rate_est is None:
        rate_est = rate_true
    ew = cnt_hat / n if est_weights is None else est_weights
    Rce = float(ew @ rate_est)
    row.update(dR_est=R - Rce, R_est=R, Rc_est=Rce)
    return row


def _subset(S: _Features, index: np.ndarray, k: int) -> tuple[_Features, np.ndarray]:
    """The samples ``index`` (original order) of S as a new set (a copy), and their
    positions in S's sorted order (in the new set's sorted order)."""
    pos = np.empty(S.n, dtype=np.int64)
    pos[S.order] = np.arange(S.n)
    p = pos[index]
    o = np.argsort(S.y[p], kind="stable")
    sub = object.__new__(_Features)
    sub.order = o
    sub.y = S.y[p[o]]
    sub.counts = np.bincount(sub.y, minlength=k)
    sub.bounds = np.concatenate([[0], np.cumsum(sub.counts)])
    sub.V = np.ascontiguousarray(S.V[:, :, p[o]])
    sub.complex = S.complex
    sub.version = 0
    sub.Vc = np.conjugate(sub.V) if sub.complex else sub.V
    return sub, p[o]


def _concatenate(sets: list[_Features]) -> _Features:
    """Move the features of every set into one (F, C, Σn) buffer; each set keeps a view."""
    every = object.__new__(_Features)
    every.V = np.concatenate([S.V for S in sets], axis=2)
    every.complex = sets[0].complex
    every.Vc = np.conjugate(every.V) if every.complex else every.V
    every.y = np.concatenate([S.y for S in sets])
    every.version = 0
    off = 0
    for S in sets:
        S.offset = off
        S.V = every.V[:, :, off : off + S.n]
        S.Vc = every.Vc[:, :, off : off + S.n]
        off += S.n
    return every


def construct_fast(
    V_train: torch.Tensor,
    y_train: torch.Tensor,
    eval_sets: dict[str, tuple[torch.Tensor, torch.Tensor]],
    spec: Spectrum,
    cfg: ConstructionConfig,
    n_classes: int,
    derived: dict[str, Derived] | None = None,
) -> ConstructionResult:
    """Backend ``fast`` of :func:`deeplaws.redunet.network.construct` (same arguments and
    result; features come back on the CPU). ``derived`` adds the rates of subsets."""
    k = n_classes
    derived = derived or {}
    legacy = cfg.legacy_class_alpha and spec.kind == "vector"
    tiny = spec.kind == "vector" and V_train.shape[1] <= TINY_DIM
    eng = _TinyEngine(spec, k, cfg.e2, V_train.shape[1]) if tiny else _Engine(spec, k, cfg.e2)
    sets = {"train": _Features(V_train, y_train, k)}
    for name, (V, y) in eval_sets.items():
        sets[name] = _Features(V, y, k)
    tr = sets["train"]
    m, (F, C) = tr.n, tr.V.shape[:2]
    every = _concatenate(list(sets.values()))  # one buffer: each layer maps all sets at once
    if (tr.counts == 0).any():
        raise ValueError(f"every class needs a training sample; class counts {tr.counts.tolist()}")
    gamma = tr.counts / m
    est_w = gamma if spec.kind == "vector" else None  # official logging weights
    true_w = {
        n: (gamma if cfg.true_class_weights == "train" and n != "train" else None) for n in sets
    }
    names = list(sets) + list(derived)
    rates: dict[str, dict[str, list[float]]] = {n: {r: [] for r in RATE_KEYS} for n in names}
    y_hats: dict[str, list[np.ndarray]] = {n: [] for n in names}
    scales_log = np.concatenate([[C / (m * cfg.e2)], C / (tr.counts * cfg.e2)])
    scales_op = scales_log.copy()
    if legacy:
        scales_op[1:] = 1.0 / cfg.e2
    train_sl = [(0, m)] + [(int(tr.bounds[j]), int(tr.bounds[j + 1])) for j in range(k)]

    def record(name: str, row: dict[str, float], y_hat: np.ndarray | None, S: _Features) -> None:
        for key, v in row.items():
            rates[name][key].append(v)
        y_hats[name].append(np.full(S.n, -1, dtype=np.int64) if y_hat is None else S.unsort(y_hat))

    # pending: the logging point whose training-set row waits for the next factorization
    pending: dict[str, object] | None = {"est": None, "y_hat": None}
    last_yhat: dict[str, np.ndarray | None] = {n: None for n in sets}

    def finish(half_ld: np.ndarray) -> None:
        assert pending is not None
        est = pending["est"]
        record("train", _row(half_ld, tr.counts, None, est, est_w), pending["y_hat"], tr)  # type: ignore[arg-type]
        for dn, d in derived.items():
            base, yh = sets[d.base], last_yhat[d.base]
            if len(d.index) == base.n:  # the whole base set (reordered): identical rates
                for key in RATE_KEYS:
                    rates[dn][key].append(rates[d.base][key][-1])
            else:
                sub, pos = _subset(base, d.index, k)
                e = (
                    None
                    if yh is None
                    else (eng.est_class_rates(sub, yh[pos]), np.bincount(yh[pos], minlength=k))
                )
                row = _row(eng.true_rates(sub), sub.counts, true_w[d.base], e, est_w)
                for key, v in row.items():
                    rates[dn][key].append(v)
            y_hats[dn].append(np.repeat(y_hats[d.base][-1][d.index], d.repeat))

    for name, S in sets.items():  # the input (true labels only)
        if name != "train":
            record(name, _row(eng.true_rates(S), S.counts, true_w[name], None, None), None, S)
    logged = [-1]
    snaps = Snapshots(cfg, spec, {n: S.V.shape[::-1] for n, S in sets.items()})
    for name in snaps.data:
        snaps.take(0, name, sets[name].to_torch())
    stack = eng.buf("stack", (F, k + 1, C, C), tr.V.dtype)
    t0 = time.perf_counter()
    for layer in range(cfg.layers):
        half_ld = 0.5 * eng.logdets(tr.V, tr.Vc, train_sl, scales_op, stack=stack)
        tr.version += 1  # (the outer products of the operators' input are not reused)
        if pending is not None:
            finish(eng.true_rates(tr, scales_log) if legacy else half_ld)
            pending = None
        do_log = (layer + 1) % cfg.log_every == 0 or layer == cfg.layers - 1
        hard_n = m if cfg.train_membership == "hard" else 0
        yh_all = eng.apply(every, stack, gamma, cfg.eta, cfg.lam, hard_n)
        every.refresh_conj()
        for S in sets.values():
            S.version += 1
        if snaps.wants(layer + 1):
            for name in snaps.data:
                snaps.take(layer + 1, name, sets[name].to_torch())
        if not do_log:
            continue
        for name, S in sets.items():
            yh = yh_all[S.offset : S.offset + S.n]
            last_yhat[name] = yh
            est = (eng.est_class_rates(S, yh), np.bincount(yh, minlength=k))
            if name == "train":  # its true-label rates come with the next factorization
                pending = {"est": est, "y_hat": yh}
            else:
                record(name, _row(eng.true_rates(S), S.counts, true_w[name], est, est_w), yh, S)
        logged.append(layer)
        if (layer + 1) % max(1, cfg.layers // 10) == 0:
            log.info("layer %d/%d (%.1f s)", layer + 1, cfg.layers, time.perf_counter() - t0)
    if pending is not None:
        finish(eng.true_rates(tr, scales_log))
    seconds = time.perf_counter() - t0
    out_rates = {
        n: {key: np.asarray(v, dtype=np.float64) for key, v in r.items()} for n, r in rates.items()
    }
    return ConstructionResult(
        features={n: S.to_torch() for n, S in sets.items()},
        rates=out_rates,
        layers_logged=np.asarray(logged),
        seconds=seconds,
        y_hat={n: np.stack(v) for n, v in y_hats.items()},
        snapshot_layers=snaps.layers,
        snapshots=snaps.data,
    )
