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

from deeplaws.redunet.fast_engine import (
    Engine,
    FeatureSet,
    concatenate_sets,
    subset_of,
)
from deeplaws.redunet.fast_vector import TINY_DIM, construct_vector
from deeplaws.redunet.network import (
    RATE_KEYS,
    ConstructionConfig,
    ConstructionResult,
    Derived,
    Snapshots,
)
from deeplaws.redunet.spectral import Spectrum

log = logging.getLogger(__name__)


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
    sets = {"train": FeatureSet(V_train, y_train, k)}
    for name, (V, y) in eval_sets.items():
        sets[name] = FeatureSet(V, y, k)
    tr = sets["train"]
    if (tr.counts == 0).any():
        raise ValueError(f"every class needs a training sample; class counts {tr.counts.tolist()}")
    if spec.kind == "vector" and V_train.shape[1] <= TINY_DIM and not derived:
        return construct_vector(sets, cfg, k)
    eng = Engine(spec, k, cfg.eps2)
    m, (F, C) = tr.n, tr.V.shape[:2]
    every = concatenate_sets(list(sets.values()))  # one buffer: each layer maps all sets at once
    gamma = tr.counts / m
    est_w = gamma if spec.kind == "vector" else None  # official logging weights
    true_w = {
        n: (gamma if cfg.true_class_weights == "train" and n != "train" else None) for n in sets
    }
    names = list(sets) + list(derived)
    rates: dict[str, dict[str, list[float]]] = {n: {r: [] for r in RATE_KEYS} for n in names}
    y_hats: dict[str, list[np.ndarray]] = {n: [] for n in names}
    scales_log = np.concatenate([[C / (m * cfg.eps2)], C / (tr.counts * cfg.eps2)])
    scales_op = scales_log.copy()
    if legacy:
        scales_op[1:] = 1.0 / cfg.eps2
    train_sl = [(0, m)] + [(int(tr.bounds[j]), int(tr.bounds[j + 1])) for j in range(k)]

    def record(name: str, row: dict[str, float], y_hat: np.ndarray | None, S: FeatureSet) -> None:
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
                sub, pos = subset_of(base, d.index, k)
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
        yh_all = eng.apply(every, stack, gamma, cfg.eta, cfg.lambda_, hard_n)
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
    features = {n: S.to_torch() for n, S in sets.items()}
    return ConstructionResult.collect(features, rates, logged, t0, y_hats, snaps)
