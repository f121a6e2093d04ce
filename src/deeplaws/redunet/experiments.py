"""Inputs of every ReduNet experiment: raw train/test/shifted sets from a dataset file.

Experiment kinds: ``vector`` (Gaussians, Iris, Mice), ``sinusoid``
(1-D signals, lifting), ``rotation`` (MNIST → polar signals, 1-D lifting) and
``translation`` (MNIST images, 2-D lifting). Shift-invariant kinds also get the shifted
evaluation sets: every cyclic shift by multiples of ``shift_stride`` (along time, or along
both image axes) of the first ``shift_samples`` samples per class of train and test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from deeplaws.data.dataset import Dataset
from deeplaws.redunet.lift import cyclic_shifts, lift1d, lift2d, make_kernels, polar
from deeplaws.redunet.spectral import Spectrum, make_spectrum, to_spectrum

KINDS = ("vector", "sinusoid", "rotation", "translation")


@dataclass
class ExperimentInput:
    """Raw sets (name -> (X, y)) and how to map them into features."""

    kind: str
    sets: dict[str, tuple[np.ndarray, np.ndarray]]
    n_classes: int
    kernels: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def signal_kind(self) -> str:
        return {"vector": "vector", "translation": "2d"}.get(self.kind, "1d")


def first_per_class_index(y: np.ndarray, classes: list[int], n: int | None) -> np.ndarray:
    """Indices of the first ``n`` samples (all if None) of each class, class by class."""
    return np.concatenate([np.flatnonzero(y == c)[:n] for c in classes])


def first_per_class(
    X: np.ndarray, y: np.ndarray, classes: list[int], n: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` samples (all if None) of each class in ``classes``, in stored order,
    concatenated class by class; labels remapped to 0…K−1 in the order of sorted ``classes``."""
    remap = {c: i for i, c in enumerate(sorted(classes))}
    idx = first_per_class_index(y, classes, n)
    return X[idx], np.array([remap[int(c)] for c in y[idx]], dtype=np.int64)


def seed10_permutation(n: int, seed: int = 10) -> np.ndarray:
    """``np.random.seed(seed); np.random.choice(n, n, replace=False)`` (official shuffle)."""
    return np.random.RandomState(seed).choice(n, n, replace=False)


def _shift_sets(
    sets: dict[str, tuple[np.ndarray, np.ndarray]],
    n_classes: int,
    per_class: int | None,
    stride: int,
    axes: tuple[int, ...],
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {}
    for name in ("train", "test"):
        X, y = sets[name]
        Xs, ys = first_per_class(X, y, list(range(n_classes)), per_class)
        shifted, table = cyclic_shifts(Xs, stride, axes)
        out[f"{name}_shift"] = (shifted, np.repeat(ys, len(table)))
    return out


def prepare(ds: Dataset, kind: str, params: dict[str, Any]) -> ExperimentInput:
    """The raw sets of one experiment.

    params (by kind): classes, samples (per class, MNIST), radii, angles (rotation),
    out_channels, kernel_size, kernel_seed (lifting), shift_stride, shift_samples.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown experiment kind {kind!r}; one of {KINDS}")
    if kind == "vector":
        sets = {
            "train": (np.asarray(ds.X_train, dtype=np.float64), ds.y_train.astype(np.int64)),
            "test": (np.asarray(ds.X_test, dtype=np.float64), ds.y_test.astype(np.int64)),
        }
        return ExperimentInput(kind=kind, sets=sets, n_classes=ds.n_classes)
    notes = []
    if kind == "sinusoid":
        sets = {
            "train": (np.asarray(ds.X_train, dtype=np.float64), ds.y_train.astype(np.int64)),
            "test": (np.asarray(ds.X_test, dtype=np.float64), ds.y_test.astype(np.int64)),
        }
        n_classes = ds.n_classes
        axes: tuple[int, ...] = (2,)
        c_in = 1
    else:
        classes = [int(c) for c in params["classes"]]
        n_classes = len(classes)
        Xtr, ytr = first_per_class(ds.X_train, ds.y_train, classes, params["samples"])
        perm = seed10_permutation(len(ytr))
        Xtr, ytr = Xtr[perm], ytr[perm]
        Xte, yte = first_per_class(ds.X_test, ds.y_test, classes, params["samples"])
        if kind == "rotation":
            Xtr = polar(Xtr, params["radii"], params["angles"])
            Xte = polar(Xte, params["radii"], params["angles"])
            axes, c_in = (2,), params["radii"]
        else:
            Xtr = Xtr.astype(np.float64)[:, None]
            Xte = Xte.astype(np.float64)[:, None]
            axes, c_in = (2, 3), 1
        sets = {"train": (Xtr, ytr), "test": (Xte, yte)}
    sets.update(
        _shift_sets(sets, n_classes, params.get("shift_samples"), params["shift_stride"], axes)
    )
    ksize = params["kernel_size"]
    shape = (params["out_channels"], c_in) + (ksize,) * len(axes)
    kernels = make_kernels(shape, seed=params.get("kernel_seed", 10))
    return ExperimentInput(kind=kind, sets=sets, n_classes=n_classes, kernels=kernels, notes=notes)


def to_features(
    exp: ExperimentInput, X: np.ndarray, device: str | torch.device = "cpu"
) -> tuple[torch.Tensor, Spectrum]:
    """Raw inputs of one set -> normalized (n, C, F) features (lifting + rfft for signals)."""
    Xt = torch.as_tensor(X, dtype=torch.float64, device=device)
    if exp.kind == "vector":
        spec = make_spectrum("vector", device=device)
        return to_spectrum(Xt.reshape(Xt.shape[0], -1), spec), spec
    W = torch.as_tensor(exp.kernels, dtype=torch.float64, device=device)
    if exp.signal_kind == "1d":
        lifted = lift1d(Xt, W)
        spec = make_spectrum("1d", (lifted.shape[-1],), device=device)
    else:
        lifted = lift2d(Xt, W)
        spec = make_spectrum("2d", tuple(lifted.shape[-2:]), device=device)
    return to_spectrum(lifted, spec), spec
