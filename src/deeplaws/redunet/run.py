"""One ReduNet experiment end to end: inputs -> construction -> rates, features, similarity
statistics and accuracies (used by the compute rule; no file formats here)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from deeplaws.data.dataset import Dataset
from deeplaws.redunet.evaluate import (
    abs_cosine_sorted,
    accuracies,
    cross_class_histogram,
    flat_unit,
)
from deeplaws.redunet.experiments import first_per_class_index, prepare, to_features
from deeplaws.redunet.lift import cyclic_shifts
from deeplaws.redunet.network import ConstructionConfig, Derived, construct
from deeplaws.redunet.spectral import from_spectrum

log = logging.getLogger(__name__)


@dataclass
class ExperimentResult:
    rates: dict[str, np.ndarray]
    features: dict[str, np.ndarray]
    similarity: dict[str, np.ndarray]
    accuracy: pd.DataFrame
    summary: dict[str, Any]
    # features after selected layers (keys layers, <set>_features, <set>_labels, eps2, kind);
    # empty when the construction kept no snapshots
    layer_features: dict[str, np.ndarray]


def _shift_base_index(exp: Any, params: dict[str, Any], base: str) -> np.ndarray:
    """Indices (in set ``base``) of the samples whose cyclic shifts make ``<base>_shift``."""
    y = exp.sets[base][1]
    return first_per_class_index(y, list(range(exp.n_classes)), params.get("shift_samples"))


class _ShiftedFeatures:
    """The flat unit features of all cyclic shifts of ``signals`` (sample-major, as
    ``cyclic_shifts``), built on demand: whole, or by blocks of ``per_block`` samples."""

    def __init__(self, signals: np.ndarray, stride: int, axes: tuple[int, ...]) -> None:
        self.signals, self.stride, self.axes = signals, stride, axes

    def rows(self, start: int, stop: int) -> np.ndarray:
        shifted, _ = cyclic_shifts(self.signals[start:stop], self.stride, self.axes)
        return flat_unit(shifted, inplace=True)

    def whole(self) -> np.ndarray:
        return self.rows(0, len(self.signals))

    def blocks(self, per_block: int = 10) -> Iterator[np.ndarray]:
        for s in range(0, len(self.signals), per_block):
            yield self.rows(s, s + per_block)


def _whole(F: np.ndarray | _ShiftedFeatures) -> np.ndarray:
    return F.whole() if isinstance(F, _ShiftedFeatures) else F


def _labelled(F: np.ndarray | _ShiftedFeatures, y: np.ndarray) -> Any:
    """(features, labels), or a callable building them for a shifted set."""
    if isinstance(F, _ShiftedFeatures):
        return lambda: (F.whole(), y)
    return F, y


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def run_experiment(
    ds: Dataset,
    kind: str,
    params: dict[str, Any],
    cfg: ConstructionConfig,
    n_comp: int,
    device: torch.device | None = None,
) -> ExperimentResult:
    if device is None:
        device = default_device() if cfg.backend == "reference" else torch.device("cpu")
    exp = prepare(ds, kind, params)
    # "equivariance" (default): the shifted sets are not pushed through the layers; their
    # features are the cyclic shifts of the features of the unshifted samples, and their
    # rates those of the unshifted samples they are made of (exact: every layer commutes with
    # cyclic shifts, and a shifted copy has the same per-frequency covariance and membership;
    # tests/unit/redunet). "push": every shifted sample goes through every layer.
    mode = params.get("shift_evaluation", "equivariance")
    if mode not in ("equivariance", "push"):
        raise ValueError(f"shift_evaluation must be 'equivariance' or 'push', got {mode!r}")
    equivariant = kind != "vector" and mode == "equivariance"
    pushed = [n for n in exp.sets if not (equivariant and n.endswith("_shift"))]
    feats, labels = {}, {}
    spec = None
    for name in pushed:
        X, y = exp.sets[name]
        feats[name], spec = to_features(exp, X, device=device)
        labels[name] = torch.as_tensor(y, device=device)
    assert spec is not None
    log.info(
        "sets: %s; features (C, F) = %s",
        {n: len(exp.sets[n][1]) for n in pushed},
        tuple(feats["train"].shape[1:]),
    )
    evals = {n: (feats[n], labels[n]) for n in pushed if n != "train"}
    derived = {}
    if equivariant:
        for base in ("train", "test"):
            idx = _shift_base_index(exp, params, base)
            repeat = len(exp.sets[f"{base}_shift"][1]) // len(idx)
            derived[f"{base}_shift"] = Derived(base=base, index=idx, repeat=repeat)
    res = construct(
        feats["train"],
        labels["train"],
        evals,
        spec,
        cfg,
        n_classes=exp.n_classes,
        derived=derived,
    )
    log.info("construction of %d layers: %.1f s", cfg.layers, res.seconds)
    feature_shape = list(feats["train"].shape[1:])
    del feats, evals  # the input features (the outputs are in res)

    signals = {n: from_spectrum(V, spec).cpu().numpy() for n, V in res.features.items()}
    res.features.clear()
    # the shifted sets (1600 × 75·28·28 float64 each at the paper's MNIST size) are built
    # from the unshifted features when needed, one at a time (and the evaluation set of the
    # cross-class histogram by blocks of samples): the same rows as built whole
    Z: dict[str, Any] = {}
    if equivariant:
        axes = tuple(range(2, signals["train"].ndim))
        for base in ("train", "test"):
            base_signals = signals[base][_shift_base_index(exp, params, base)]
            Z[f"{base}_shift"] = _ShiftedFeatures(base_signals, int(params["shift_stride"]), axes)
    Z = {n: Z[n] if n in Z else flat_unit(signals.pop(n), inplace=True) for n in exp.sets}
    X = {n: flat_unit(Xs) for n, (Xs, _) in exp.sets.items()}
    y = {n: ys for n, (_, ys) in exp.sets.items()}

    rows = []
    for feat_name, F in (("X", X), ("Z", Z)):
        sets = {n: _labelled(F[n], y[n]) for n in F}
        for row in accuracies(F["train"], y["train"], sets, n_comp):
            rows.append({"features": feat_name, **row})
    acc = pd.DataFrame(rows)[["features", "set", "classifier", "accuracy"]]

    rates: dict[str, np.ndarray] = {"layers": res.layers_logged}
    for n, r in res.rates.items():
        for key, v in r.items():
            rates[f"{n}/{key}"] = v
        # what the construction knows: the estimated labels of every logged layer and their
        # accuracy against the true labels (NaN for the input, which has none)
        y_hat = res.y_hat[n]
        rates[f"{n}/y_hat"] = y_hat.astype(np.int16)
        hit = (y_hat == y[n][None, :]).mean(axis=1)
        rates[f"{n}/acc_est"] = np.where(y_hat[:, 0] < 0, np.nan, hit)

    eval_name = "test_shift" if "test_shift" in y else "test"
    heat_name = "train_shift" if "train_shift" in y else "train"
    sim: dict[str, np.ndarray] = {}
    for feat_name, F in (("X", X), ("Z", Z)):
        F_heat = _whole(F[heat_name])
        for n in dict.fromkeys([heat_name, "train", "test"]):
            G, ys = abs_cosine_sorted(F_heat if n == heat_name else F[n], y[n])
            sim[f"{feat_name}/{n}/heatmap"] = G.astype(np.float32)
            sim[f"{feat_name}/{n}/labels"] = ys
        F_eval = F[eval_name]
        if isinstance(F_eval, _ShiftedFeatures):
            F_eval = F_eval.blocks()
        hist = cross_class_histogram(F_heat, y[heat_name], F_eval, y[eval_name])
        del F_heat, F_eval
        for key, v in hist.items():
            sim[f"{feat_name}/cross/{key}"] = v
    features = {
        f"{f}/{n}": d[n].astype(np.float32)
        for f, d in (("X", X), ("Z", Z))
        for n in ("train", "test")
    }
    features.update({f"y/{n}": y[n] for n in ("train", "test")})
    summary = {
        "kind": kind,
        "n_classes": exp.n_classes,
        "set_sizes": {n: len(v) for n, v in y.items()},
        "feature_shape": feature_shape,
        "cross_pair": [heat_name, eval_name],
        "construction_seconds": res.seconds,
        "shift_evaluation": "equivariance" if equivariant else "push",
        "backend": cfg.backend,
        "final_accuracy_est": {n: float(rates[f"{n}/acc_est"][-1]) for n in res.rates},
        "device": str(device),
        "final_rates": {n: {k: float(v[-1]) for k, v in r.items()} for n, r in res.rates.items()},
        "dR_true_min_step": {
            n: float(np.diff(r["dR_true"][1:]).min(initial=np.inf)) for n, r in res.rates.items()
        },
        "cross_similarity": {
            f: {
                k: float(sim[f"{f}/cross/{k}"])
                for k in ("mean_within", "mean_across", "frac_across_below_0.2")
            }
            for f in ("X", "Z")
        },
        "notes": exp.notes,
    }
    layer_features: dict[str, Any] = {}
    if len(res.snapshot_layers):
        layer_features = {"layers": res.snapshot_layers.astype(np.int64)}
        for n, snap in res.snapshots.items():
            layer_features[f"{n}_features"] = snap
            layer_features[f"{n}_labels"] = y[n].astype(np.int64)
        layer_features.update(eps2=np.float64(cfg.eps2), kind=np.str_(kind))
    return ExperimentResult(
        rates=rates,
        features=features,
        similarity=sim,
        accuracy=acc,
        summary=summary,
        layer_features=layer_features,
    )
