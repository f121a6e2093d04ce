"""CIFAR-10 (python version) read with a restricted unpickler.

The archive's batches are pickles. A pickle can run arbitrary code, so this reader allows
only the globals a CIFAR batch needs (numpy array reconstruction) and refuses everything else.
"""

from __future__ import annotations

import io
import pickle
import tarfile
from pathlib import Path

import numpy as np

from deeplaws.common.io import sha256_file
from deeplaws.data.dataset import Dataset

CIFAR_CLASSES = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
]  # fmt: skip

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("_codecs", "encode"),
}


class UnsafePickleError(pickle.UnpicklingError):
    """The pickle asks for a global outside the allow-list."""


class RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):  # noqa: D401
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise UnsafePickleError(f"refusing to unpickle global {module}.{name}")


def restricted_loads(data: bytes) -> object:
    return RestrictedUnpickler(io.BytesIO(data), encoding="bytes").load()


def _batch(blob: bytes, member: str) -> tuple[np.ndarray, np.ndarray]:
    obj = restricted_loads(blob)
    if not isinstance(obj, dict) or b"data" not in obj or b"labels" not in obj:
        raise ValueError(f"{member}: not a CIFAR-10 batch (keys {list(obj)[:5]})")
    data = np.asarray(obj[b"data"], dtype=np.uint8)
    labels = np.asarray(obj[b"labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3072 or len(data) != len(labels):
        raise ValueError(f"{member}: unexpected shapes {data.shape}, {labels.shape}")
    return data.reshape(-1, 3, 32, 32), labels


def read_cifar10(tar_path: str | Path) -> Dataset:
    """Images (N, 3, 32, 32) uint8 and labels of the train (5 batches) and test splits."""
    members = {}
    with tarfile.open(tar_path, "r:gz") as tar:
        for info in tar.getmembers():
            base = info.name.rsplit("/", 1)[-1]
            if info.isfile() and (base.startswith("data_batch_") or base == "test_batch"):
                fh = tar.extractfile(info)
                assert fh is not None
                members[base] = fh.read()
    train_names = [f"data_batch_{i}" for i in range(1, 6)]
    missing = [n for n in [*train_names, "test_batch"] if n not in members]
    if missing:
        raise ValueError(f"{tar_path}: missing CIFAR-10 members {missing}")
    parts = [_batch(members[n], n) for n in train_names]
    X_tr = np.concatenate([p[0] for p in parts])
    y_tr = np.concatenate([p[1] for p in parts])
    X_te, y_te = _batch(members["test_batch"], "test_batch")
    return Dataset(
        name="cifar10_raw",
        X_train=X_tr,
        y_train=y_tr,
        X_test=X_te,
        y_test=y_te,
        meta={
            "source": "CIFAR-10 python version (Krizhevsky 2009)",
            "description": "uint8 images (N, 3, 32, 32), train batches 1-5 in order, test batch",
            "class_names": CIFAR_CLASSES,
        },
        raw_files={str(tar_path): sha256_file(tar_path)},
    )
