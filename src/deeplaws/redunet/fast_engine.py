"""Building blocks of the fast backend (:mod:`deeplaws.redunet.fast`): a set of features
as one (F, C, n) array sorted by true label, and the engine computing its log-determinants,
layer operators and layer map (dense C×C classes and Gram-side classes, real or complex)."""

from __future__ import annotations

import numpy as np
import torch

from deeplaws.redunet.spectral import NORM_FLOOR, Spectrum

SMALL_MATRIX = 16  # up to this size, classes with few samples still use the dense C×C path
GEMM_TORCH_MIN = 1 << 16  # output entries from which gemm uses torch
CHUNK_BYTES = 192 << 20  # output buffer of the stacked operator matmul


def factor(A: np.ndarray, inverse: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """logdet (real) and optionally the inverse of a stack of HPD matrices (..., c, c).

    NumPy's batched LAPACK calls (LU): faster here than torch's batched Cholesky inverse."""
    ld = np.linalg.slogdet(A)[1]
    return ld, (np.linalg.inv(A) if inverse else None)


def gemm(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out = a @ b for stacks of matrices (views allowed); large products go through torch's
    batched matmul (much faster than NumPy's here), written to a contiguous ``out``."""
    if out.size < GEMM_TORCH_MIN or not out.flags.c_contiguous:
        return np.matmul(a, b, out=out)
    torch.matmul(torch.from_numpy(a), torch.from_numpy(b), out=torch.from_numpy(out))
    return out


def argmax0(z: np.ndarray) -> np.ndarray:
    """argmax over the first (class) axis of a (k, n) array, first maximum on ties (as
    ``z.argmax(axis=0)``, without its slow strided reduction)."""
    best = z[0].copy()
    idx = np.zeros(z.shape[1], dtype=np.int64)
    for j in range(1, z.shape[0]):
        better = z[j] > best
        idx[better] = j
        np.maximum(best, z[j], out=best)
    return idx


def add_identity(A: np.ndarray, s: float = 1.0) -> None:
    """A += s·I in place for a stack (..., c, c)."""
    np.einsum("...ii->...i", A)[...] += s


class FeatureSet:
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


class Engine:
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
                    gemm(V[:, :, a:b], Vc[:, :, a:b].transpose(0, 2, 1), A[:, 0])
                else:
                    A[:, i] = gemm(V[:, :, a:b], Vc[:, :, a:b].transpose(0, 2, 1), tmp)
            s = scales[dense]
            A *= s[:, None, None]
            add_identity(A)
            ld, inv = factor(A, inverse=stack is not None)
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
            add_identity(K)
            ld, M = factor(K, inverse=stack is not None)
            out[q] = (ld @ self.w) / self.wsum
            if stack is not None:
                assert M is not None
                op = self.buf("cc", (F, C, C), V.dtype)
                gemm(np.matmul(Vj, M), Vjc.transpose(0, 2, 1), op)
                op *= -(s * s)
                add_identity(op, s)
                stack[:, q] = op
        return out

    # -------------------------------------------------------------- the layer map
    def apply(
        self,
        S: FeatureSet,
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
            y_hat[a:e] = argmax0(z)
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
    def est_class_rates(self, S: FeatureSet, y_hat: np.ndarray) -> np.ndarray | None:
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

    def true_rates(self, S: FeatureSet, scales: np.ndarray | None = None) -> np.ndarray:
        """[R, class rate_0 … class rate_{k-1}] with the true labels (sorted slices)."""
        C, n, k = S.V.shape[1], S.n, self.k
        if scales is None:
            scales = np.concatenate([[C / (n * self.e2)], C / (np.maximum(S.counts, 1) * self.e2)])
        sl = [(0, n)] + [(int(S.bounds[j]), int(S.bounds[j + 1])) for j in range(k)]
        return 0.5 * self.logdets(S.V, S.Vc, sl, scales)


def subset_of(S: FeatureSet, index: np.ndarray, k: int) -> tuple[FeatureSet, np.ndarray]:
    """The samples ``index`` (original order) of S as a new set (a copy), and their
    positions in S's sorted order (in the new set's sorted order)."""
    pos = np.empty(S.n, dtype=np.int64)
    pos[S.order] = np.arange(S.n)
    p = pos[index]
    o = np.argsort(S.y[p], kind="stable")
    sub = object.__new__(FeatureSet)
    sub.order = o
    sub.y = S.y[p[o]]
    sub.counts = np.bincount(sub.y, minlength=k)
    sub.bounds = np.concatenate([[0], np.cumsum(sub.counts)])
    sub.V = np.ascontiguousarray(S.V[:, :, p[o]])
    sub.complex = S.complex
    sub.version = 0
    sub.Vc = np.conjugate(sub.V) if sub.complex else sub.V
    return sub, p[o]


def concatenate_sets(sets: list[FeatureSet]) -> FeatureSet:
    """Move the features of every set into one (F, C, Σn) buffer; each set keeps a view."""
    every = object.__new__(FeatureSet)
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
