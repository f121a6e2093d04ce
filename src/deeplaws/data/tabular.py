"""Tabular datasets: Iris and digits (scikit-learn) and Mice Protein (UCI, downloaded)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits, load_iris
from sklearn.model_selection import train_test_split

from deeplaws.common.io import sha256_file
from deeplaws.data.dataset import Dataset

MICE_CLASSES = ("c-CS-m", "c-CS-s", "c-SC-m", "c-SC-s", "t-CS-m", "t-CS-s", "t-SC-m", "t-SC-s")


def _normalize_rows(X: np.ndarray) -> np.ndarray:
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def _split(
    name: str, X: np.ndarray, y: np.ndarray, test_size: float, random_state: int, meta: dict
) -> Dataset:
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=test_size, shuffle=True, random_state=random_state
    )
    return Dataset(name, X_tr, y_tr.astype(np.int64), X_te, y_te.astype(np.int64), meta=meta)


def iris(test_size: float, random_state: int) -> Dataset:
    """Iris, split as redunet iris.py; rows normalised to unit norm."""
    bunch = load_iris()
    X = _normalize_rows(bunch.data.astype(np.float64))
    return _split(
        "iris",
        X,
        bunch.target,
        test_size,
        random_state,
        {
            "source": "scikit-learn load_iris",
            "description": "150 x 4, 3 classes, rows normalised, train_test_split shuffled",
            "class_names": list(bunch.target_names),
        },
    )


def digits(test_size: float, random_state: int) -> Dataset:
    """scikit-learn's 8x8 digits (1797 images), pixel values 0..16, images (N, 8, 8)."""
    bunch = load_digits()
    return _split(
        "digits",
        bunch.images.astype(np.float64),
        bunch.target,
        test_size,
        random_state,
        {
            "source": "scikit-learn load_digits",
            "description": "1797 images of 8 x 8 pixels (0..16), 10 classes",
            "class_names": [str(i) for i in range(10)],
        },
    )


def mice_from_frame(frame, test_size: float, random_state: int) -> Dataset:
    """Mice Protein from the sheet as a DataFrame: 1080 x 77, 8 classes.

    Features are columns 1..77 (MouseID first; Genotype, Treatment, Behavior, class last);
    missing values are filled with the column mean; classes are coded in lexicographic order.
    """
    if "class" not in frame.columns or frame.shape[1] < 82:
        raise ValueError(
            f"not the Mice Protein sheet: expected MouseID, 77 protein columns, Genotype, "
            f"Treatment, Behavior, class; got {frame.shape[1]} columns"
        )
    features = frame.iloc[:, 1:78]
    features = features.fillna(features.mean(numeric_only=True))
    codes = {c: i for i, c in enumerate(MICE_CLASSES)}
    unknown = sorted(set(frame["class"]) - set(codes))
    if unknown:
        raise ValueError(f"unknown Mice Protein classes {unknown}; expected {MICE_CLASSES}")
    y = frame["class"].map(codes).to_numpy(np.int64)
    X = _normalize_rows(features.to_numpy(np.float32))
    return _split(
        "mice",
        X,
        y,
        test_size,
        random_state,
        {
            "source": "UCI ML repository 342, Data_Cortex_Nuclear.xls",
            "description": "1080 x 77 protein levels, 8 classes; NaN filled with column means",
            "class_names": list(MICE_CLASSES),
            "notes": ["replicates of one mouse fall on both sides of the split, as in the paper"],
        },
    )


def mice(xls_path: str | Path, test_size: float, random_state: int) -> Dataset:
    """Mice Protein read from ``Data_Cortex_Nuclear.xls`` (sheet "Hoja1")."""
    import pandas as pd

    frame = pd.read_excel(xls_path, sheet_name="Hoja1")
    try:
        ds = mice_from_frame(frame, test_size, random_state)
    except ValueError as exc:
        raise ValueError(f"{xls_path}: {exc}") from None
    ds.raw_files = {str(xls_path): sha256_file(xls_path)}
    return ds
