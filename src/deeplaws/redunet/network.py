"""Forward construction of a ReduNet with single-pass evaluation.

Layer ℓ is built from the current training features and the true labels, then applied at
once to the training set and to every evaluation set (test, shifted train, shifted test),
so no operator has to be stored or re-read. Rates are logged after every ``log_every``-th
layer (and after the last) in two conventions:

* ``*_est`` (code-compatible): labels = argmax of the soft membership computed in that layer
  from the pre-update features; R_c weighted by the training proportions γ (vector case) or
  by the estimated proportions n̂_j/n (shift-invariant case);
* ``*_true``: true labels, weights n_j/n of the set; also logged for the input (layer −1).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import torch

from deeplaws.common.defaults import schema_defaults_of
from deeplaws.redunet.layers import apply_layer, build_operators
from deeplaws.redunet.rates import coding_rate, compressed_rate
from deeplaws.redunet.spectral import Spectrum, from_spectrum

log = logging.getLogger(__name__)

RATE_KEYS = ("dR_est", "R_est", "Rc_est", "dR_true", "R_true", "Rc_true")


@dataclass
@schema_defaults_of("redunet", aliases={"lambda_": "lambda"})
class ConstructionConfig:
    """Hyper-parameters of one forward construction, named as the config's keys
    (``redunet.<key>``, ``redunet.lambda`` as ``lambda_``, a Python keyword otherwise; the
    others from ``redunet.experiments.<name>``). The defaults of the ``redunet`` keys are
    the config schema's; the others are required or off."""

    layers: int
    eta: float
    eps2: float  # ε² of the rates
    lambda_: float  # λ, the softmax sharpness of the membership estimate
    train_membership: str  # "soft" (code) or "hard" (true labels: exact gradient)
    legacy_class_alpha: bool  # vector layers only: α_j = 1/ε² (pre-2021-04 code)
    log_every: int = 1
    # "fast": NumPy/BLAS on the CPU (deeplaws.redunet.fast); "reference": this module's
    # torch implementation (CPU or CUDA), against which the fast one is tested
    backend: str
    # class weights of the true-label R_c of evaluation sets: "set" (the set's own class
    # shares n_j/n) or "train" (the training shares γ, as the official code weights R_c)
    true_class_weights: str
    # keep the real features of ``snapshot_sets`` after every Nth layer (0 = none); layer 0
    # (the input of layer 1) and the last layer are always kept when N >= 1
    snapshot_every: int = 0
    snapshot_sets: tuple[str, ...] = ("train", "test")

    #: the fields that are no config key (the sets whose snapshots are kept)
    CODE_ONLY: ClassVar[tuple[str, ...]] = ("snapshot_sets",)

    @classmethod
    def from_params(
        cls, settings: Mapping[str, Any], switches: Mapping[str, Any]
    ) -> ConstructionConfig:
        """From the params of the construction rule: ``settings``, the keys of
        redunet.experiments.<name> plus redunet.lambda; ``switches``, the other keys of the
        redunet section."""
        return cls(
            layers=int(settings["layers"]),
            eta=float(settings["eta"]),
            eps2=float(switches["eps2"]),
            lambda_=float(settings["lambda"]),
            train_membership=str(switches["train_membership"]),
            legacy_class_alpha=bool(switches["legacy_class_alpha"]),
            log_every=int(settings["log_every"]),
            backend=str(switches["backend"]),
            true_class_weights=str(switches["true_class_weights"]),
            snapshot_every=int(settings["snapshot_every"]),
        )


@dataclass
class Derived:
    """A set whose rates are those of the samples ``index`` (in ``base``'s order) of set
    ``base``, each standing for ``repeat`` samples (e.g. all its cyclic shifts: shifted
    copies have the same per-frequency covariances and memberships)."""

    base: str
    index: np.ndarray
    repeat: int = 1


@dataclass
class ConstructionResult:
    features: dict[str, torch.Tensor]
    rates: dict[str, dict[str, np.ndarray]]
    layers_logged: np.ndarray
    seconds: float
    # per set: (logged layers, n) estimated labels argmax π̂ of each logged layer (−1 for
    # the input)
    y_hat: dict[str, np.ndarray] = field(default_factory=dict)
    # layer indices of the snapshots (0 = input of layer 1, L = output of layer L) and per
    # set their real flattened features, float32 (n_snapshots, n, C·T) (empty if none)
    snapshot_layers: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    snapshots: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def collect(
        cls,
        features: dict[str, torch.Tensor],
        rates: dict[str, dict[str, list[float]]],
        logged: list[int],
        t0: float,
        y_hats: dict[str, list[np.ndarray]],
        snaps: Snapshots,
    ) -> ConstructionResult:
        """The result of a construction that started at ``perf_counter()`` ``t0``, from the
        per-layer lists a backend gathered."""
        seconds = time.perf_counter() - t0
        return cls(
            features=features,
            rates={
                n: {key: np.asarray(v, dtype=np.float64) for key, v in r.items()}
                for n, r in rates.items()
            },
            layers_logged=np.asarray(logged),
            seconds=seconds,
            y_hat={n: np.stack(v) for n, v in y_hats.items()},
            snapshot_layers=snaps.layers,
            snapshots=snaps.data,
        )


def snapshot_layers(layers: int, every: int) -> np.ndarray:
    """0, every, 2·every, … and ``layers`` (empty when ``every`` is 0)."""
    if every < 0:
        raise ValueError(f"snapshot_every must be >= 0, got {every}")
    if every == 0:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.r_[np.arange(0, layers + 1, every), layers]).astype(np.int64)


class Snapshots:
    """Preallocated float32 buffers of the per-layer real features of some sets."""

    def __init__(self, cfg: ConstructionConfig, spec: Spectrum, sizes: dict[str, tuple]) -> None:
        """``sizes``: set name -> shape (n, C, F) of its features."""
        self.layers = snapshot_layers(cfg.layers, cfg.snapshot_every)
        self.spec = spec
        self._pos = {int(layer): i for i, layer in enumerate(self.layers)}
        self.data: dict[str, np.ndarray] = {}
        if len(self.layers):
            for name in (n_ for n_ in cfg.snapshot_sets if n_ in sizes):
                n, C, _ = sizes[name]
                dim = C * (int(np.prod(spec.shape)) if spec.shape else 1)
                self.data[name] = np.empty((len(self.layers), n, dim), dtype=np.float32)

    def wants(self, layer: int) -> bool:
        return layer in self._pos

    def take(self, layer: int, name: str, V: torch.Tensor) -> None:
        """Store the real features of (n, C, F) spectral features ``V`` after ``layer``."""
        if name in self.data and layer in self._pos:
            X = from_spectrum(V, self.spec).reshape(V.shape[0], -1)
            self.data[name][self._pos[layer]] = X.cpu().numpy()


def _log_rates(
    rates: dict[str, dict[str, list[float]]],
    name: str,
    V: torch.Tensor,
    y: torch.Tensor,
    y_hat: torch.Tensor | None,
    k: int,
    cfg: ConstructionConfig,
    spec: Spectrum,
    gamma_train: torch.Tensor,
    true_weights: torch.Tensor | None = None,
) -> None:
    w = spec.weights
    R = float(coding_rate(V, cfg.eps2, w))  # label-free: the same in both conventions
    Rc = float(compressed_rate(V, y, k, cfg.eps2, w, class_weights=true_weights))
    row = {"dR_true": R - Rc, "R_true": R, "Rc_true": Rc}
    if y_hat is None:
        row.update(dR_est=np.nan, R_est=np.nan, Rc_est=np.nan)
    else:
        cw = gamma_train if spec.kind == "vector" else None
        Rce = float(compressed_rate(V, y_hat, k, cfg.eps2, w, class_weights=cw))
        row.update(dR_est=R - Rce, R_est=R, Rc_est=Rce)
    for key, value in row.items():
        rates[name][key].append(value)


def construct(
    V_train: torch.Tensor,
    y_train: torch.Tensor,
    eval_sets: dict[str, tuple[torch.Tensor, torch.Tensor]],
    spec: Spectrum,
    cfg: ConstructionConfig,
    n_classes: int | None = None,
    derived: dict[str, Derived] | None = None,
) -> ConstructionResult:
    """Build ``cfg.layers`` layers on (V_train, y_train) and push every set through them.

    ``eval_sets`` maps a name to (features, labels); labels are used for logging only.
    ``derived`` adds sets that are not pushed but whose rates are those of a subset of a
    pushed set. Returns the final features of "train" and of every evaluation set, the rate
    logs and the estimated labels of every logged layer.
    """
    if cfg.train_membership not in ("soft", "hard"):
        raise ValueError(f"train_membership must be 'soft' or 'hard', got {cfg.train_membership!r}")
    if cfg.true_class_weights not in ("set", "train"):
        raise ValueError(
            f"true_class_weights must be 'set' or 'train', got {cfg.true_class_weights!r}"
        )
    k = int(n_classes if n_classes is not None else int(y_train.max()) + 1)
    if cfg.backend == "fast":
        from deeplaws.redunet.fast import construct_fast

        return construct_fast(V_train, y_train, eval_sets, spec, cfg, k, derived)
    if cfg.backend != "reference":
        raise ValueError(f"backend must be 'fast' or 'reference', got {cfg.backend!r}")
    derived = derived or {}
    legacy = cfg.legacy_class_alpha and spec.kind == "vector"
    sets = {"train": (V_train, y_train), **eval_sets}
    feats = {name: V for name, (V, _) in sets.items()}
    labels = {name: y for name, (_, y) in sets.items()}
    names = [*sets, *derived]
    rates: dict[str, dict[str, list[float]]] = {n: {k_: [] for k_ in RATE_KEYS} for n in names}
    y_hats: dict[str, list[np.ndarray]] = {n: [] for n in names}
    gamma_train = torch.bincount(y_train, minlength=k).to(torch.float64) / y_train.shape[0]
    true_w = {
        n: (gamma_train if cfg.true_class_weights == "train" and n != "train" else None)
        for n in sets
    }

    def log_set(name: str, y_hat: torch.Tensor | None) -> None:
        V, y = feats[name], labels[name]
        _log_rates(rates, name, V, y, y_hat, k, cfg, spec, gamma_train, true_w[name])
        y_hats[name].append(
            np.full(len(y), -1) if y_hat is None else y_hat.cpu().numpy().astype(np.int64)
        )
        for dn, d in derived.items():
            if d.base != name:
                continue
            idx = torch.as_tensor(d.index, device=V.device)
            yh = None if y_hat is None else y_hat[idx]
            _log_rates(rates, dn, V[idx], y[idx], yh, k, cfg, spec, gamma_train, true_w[name])
            y_hats[dn].append(np.repeat(y_hats[name][-1][d.index], d.repeat))

    logged = [-1]
    for name in sets:
        log_set(name, None)
    snaps = Snapshots(cfg, spec, {n: tuple(V.shape) for n, V in feats.items()})
    for name in sets:
        snaps.take(0, name, feats[name])
    t0 = time.perf_counter()
    for layer in range(cfg.layers):
        ops = build_operators(feats["train"], y_train, k, cfg.eps2, legacy_class_alpha=legacy)
        do_log = (layer + 1) % cfg.log_every == 0 or layer == cfg.layers - 1
        if do_log:
            logged.append(layer)
        for name in sets:
            hard = y_train if (name == "train" and cfg.train_membership == "hard") else None
            feats[name], y_hat = apply_layer(
                feats[name], ops, spec.weights, cfg.eta, cfg.lambda_, hard
            )
            if do_log:
                log_set(name, y_hat)
            snaps.take(layer + 1, name, feats[name])
        if do_log and (layer + 1) % max(1, cfg.layers // 10) == 0:
            r = rates["train"]
            log.info(
                "layer %d/%d: train dR_est %.6f dR_true %.6f (%.1f s)",
                layer + 1,
                cfg.layers,
                r["dR_est"][-1],
                r["dR_true"][-1],
                time.perf_counter() - t0,
            )
    return ConstructionResult.collect(feats, rates, logged, t0, y_hats, snaps)
