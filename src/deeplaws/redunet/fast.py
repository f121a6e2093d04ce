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
)
from deeplaws.redunet.spectral import NORM_FLOOR, Spectrum

log = logging.getLogger(__name__)

SMALL_MATRIX = 16  # factorizations of matrices up to this size use NumPy (low call overhead)
CHUNK_BYTES = 192 << 20  # output buffer of the stacked operator matmul


def _factor(A: np.ndarray, inverse: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """logdet (real) and optionally the inverse of a stack of HPD matrices (..., c, c)."""
    if A.shape[-1] <= SMALL_MATRIX:
        ld = np.linalg.slogdet(A)[1]
        return ld, (np.linalg.inv(A) if inverse else None)
    At = torch.from_numpy(A)
    L = torch.linalg.cholesky(At)
    ld = 2.0 * torch.log(torch.diagonal(L, dim1=-2, dim2=-1).real).sum(-1)
    inv = torch.cholesky_inverse(L).numpy() if inverse else None
    return ld.numpy(), inv


def _add_identity(A: np.ndarray, s: float = 1.0) -> None:
    """A += s·I in place for a stack (..., c, c)."""
    c = A.shape[-1]
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
            for i, q in enumerate(dense):
                a, b = slices[q]
                np.matmul(V[:, :, a:b], Vc[:, :, a:b].transpose(0, 2, 1), out=A[:, i])
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
                op = stack[:, q]
                np.matmul(np.matmul(Vj, M), Vjc.transpose(0, 2, 1), out=op)
                op *= -(s * s)
                _add_identity(op, s)
        return out

    # -------------------------------------------------------------- the layer map
    def apply(
        self,
        S: _Features,
        stack: np.ndarray,
        gamma: np.ndarray,
        eta: float,
        lam: float,
        hard: bool,
    ) -> np.ndarray:
        """The layer map of set S, in place; returns the estimated labels (sorted order)."""
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
            y_hat[a:e] = z.argmax(axis=0)
            if hard:
                z = (np.arange(k)[:, None] == S.y[None, a:e]).astype(np.float64)
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
        S.refresh_conj()
        return y_hat

    # -------------------------------------------------------------- logged rates
    def est_class_rates(self, S: _Features, y_hat: np.ndarray) -> np.ndarray | None:
        """½·(1/F)Σ_p logdet(I + α̂_j Σ̂_j) per estimated class j (0 if empty), or None when
        the estimated labels equal the true ones (then they are the true-label values)."""
        if np.array_equal(y_hat, S.y):
            return None
        C, n, k = S.V.shape[1], S.n, self.k
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
    sub.Vc = np.conjugate(sub.V) if sub.complex else sub.V
    return sub, p[o]


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
    eng = _Engine(spec, k, cfg.e2)
    sets = {"train": _Features(V_train, y_train, k)}
    for name, (V, y) in eval_sets.items():
        sets[name] = _Features(V, y, k)
    tr = sets["train"]
    m, (F, C) = tr.n, tr.V.shape[:2]
    if (tr.counts == 0).any():
        raise ValueError(f"every class needs a training sample; class counts {tr.counts.tolist()}")
    gamma = tr.counts / m
    est_w = gamma if spec.kind == "vector" else None  # official logging weights
    true_w = {n: (gamma if cfg.true_class_weights == "train" and n != "train" else None) for n in sets}
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
            if len(d.index) == base.n:  # the whole base set: identical rates
                for key in RATE_KEYS:
                    rates[dn][key].append(rates[d.base][key][-1])
                yb = y_hats[d.base][-1]
            else:
                sub, pos = _subset(base, d.index, k)
                e = None if yh is None else (eng.est_class_rates(sub, yh[pos]), np.bincount(yh[pos], minlength=k))
                row = _row(eng.true_rates(sub), sub.counts, true_w[d.base], e, est_w)
                for key, v in row.items():
                    rates[dn][key].append(v)
                yb = y_hats[d.base][-1][d.index]
            y_hats[dn].append(np.repeat(yb, d.repeat))

    for name, S in sets.items():  # the input (true labels only)
        if name != "train":
            record(name, _row(eng.true_rates(S), S.counts, true_w[name], None, None), None, S)
    logged = [-1]
    stack = eng.buf("stack", (F, k + 1, C, C), tr.V.dtype)
    t0 = time.perf_counter()
    for layer in range(cfg.layers):
        half_ld = 0.5 * eng.logdets(tr.V, tr.Vc, train_sl, scales_op, stack=stack)
        if pending is not None:
            finish(eng.true_rates(tr, scales_log) if legacy else half_ld)
            pending = None
        do_log = (layer + 1) % cfg.log_every == 0 or layer == cfg.layers - 1
        for name, S in sets.items():
            hard = cfg.train_membership == "hard" and name == "train"
            yh = eng.apply(S, stack, gamma, cfg.eta, cfg.lam, hard)
            if not do_log:
                continue
            last_yhat[name] = yh
            est = (eng.est_class_rates(S, yh), np.bincount(yh, minlength=k))
            if name == "train":  # its true-label rates come with the next factorization
                pending = {"est": est, "y_hat": yh}
            else:
                record(name, _row(eng.true_rates(S), S.counts, true_w[name], est, est_w), yh, S)
        if do_log:
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
    )
