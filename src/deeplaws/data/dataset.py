"""The dataset container shared by every generator and reader, and its file format."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from deeplaws.common.io import load_json, load_npz, provenance, save_json, save_npz

SPLITS = ("train", "test")


@dataclass
class Dataset:
    """A train/test dataset with its description.

    ``meta`` carries at least ``source`` and ``description``; ``raw_files`` maps each raw
    input file to its SHA-256. ``extras`` holds further arrays (e.g. ``source_index_train``,
    ``norm_mean``) stored in the same ``.npz``.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    raw_files: dict[str, str] = field(default_factory=dict)
    extras: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for split in SPLITS:
            X, y = getattr(self, f"X_{split}"), getattr(self, f"y_{split}")
            if len(X) != len(y):
                raise ValueError(
                    f"dataset {self.name}: X_{split} has {len(X)} rows but y_{split} {len(y)}"
                )

    @property
    def n_classes(self) -> int:
        return int(max(self.y_train.max(initial=-1), self.y_test.max(initial=-1)) + 1)

    def class_counts(self, split: str) -> list[int]:
        y = getattr(self, f"y_{split}")
        return np.bincount(y.astype(np.int64), minlength=self.n_classes).tolist()

    def arrays(self) -> dict[str, np.ndarray]:
        out = {f"{a}_{s}": getattr(self, f"{a}_{s}") for s in SPLITS for a in ("X", "y")}
        out.update(self.extras)
        return out

    def sidecar(self, params: dict[str, Any], seed: int | None) -> dict[str, Any]:
        return provenance(
            name=self.name,
            source=self.meta.get("source"),
            description=self.meta.get("description"),
            notes=self.meta.get("notes", []),
            raw_files=self.raw_files,
            shapes={k: list(v.shape) for k, v in self.arrays().items()},
            dtypes={k: str(v.dtype) for k, v in self.arrays().items()},
            n_classes=self.n_classes,
            class_counts={s: self.class_counts(s) for s in SPLITS},
            class_names=self.meta.get("class_names"),
            seed=seed,
            params=params,
        )


def write_dataset(
    ds: Dataset,
    npz_path: str | Path,
    json_path: str | Path,
    params: dict[str, Any],
    seed: int | None,
) -> dict[str, Any]:
    """Write ``ds`` to ``npz_path`` and its sidecar to ``json_path``; return the sidecar."""
    save_npz(npz_path, ds.arrays())
    side = ds.sidecar(params=params, seed=seed)
    save_json(json_path, side)
    return side


def load_dataset(npz_path: str | Path, json_path: str | Path | None = None) -> Dataset:
    """Read a dataset written by :func:`write_dataset` (sidecar next to it by default)."""
    npz_path = Path(npz_path)
    json_path = Path(json_path) if json_path else npz_path.with_suffix(".json")
    arrays = load_npz(npz_path)
    meta = load_json(json_path) if json_path.exists() else {}
    core = {k: arrays.pop(k) for k in ("X_train", "y_train", "X_test", "y_test")}
    return Dataset(
        name=meta.get("name", npz_path.stem),
        meta=meta,
        raw_files=meta.get("raw_files", {}),
        extras=arrays,
        **core,
    )


def normalized_images(ds: Dataset, split: str) -> np.ndarray:
    """float32 images of an image subset, scaled to [0,1] and normalised per channel.

    Image subsets store uint8 pixels (N, C, H, W) and ``norm_mean``/``norm_std`` per channel.
    """
    X = getattr(ds, f"X_{split}")
    mean = ds.extras["norm_mean"].astype(np.float32).reshape(1, -1, 1, 1)
    std = ds.extras["norm_std"].astype(np.float32).reshape(1, -1, 1, 1)
    return ((X.astype(np.float32) / np.float32(255.0)) - mean) / std
