"""CIFAR-10 python archive: restricted unpickling of batches the test writes."""

import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from deeplaws.data.cifar import UnsafePickleError, read_cifar10, restricted_loads


def _batch(rng, n):
    return {
        b"batch_label": b"test",
        b"labels": rng.integers(0, 10, n).tolist(),
        b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
        b"filenames": [b"x.png"] * n,
    }


def _write_archive(path, batches):
    with tarfile.open(path, "w:gz") as tar:
        for name, obj in batches.items():
            blob = pickle.dumps(obj, protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))


def test_read_archive(tmp_path):
    rng = np.random.default_rng(0)
    batches = {f"data_batch_{i}": _batch(rng, 4) for i in range(1, 6)}
    batches["test_batch"] = _batch(rng, 3)
    path = tmp_path / "cifar-10-python.tar.gz"
    _write_archive(path, batches)
    ds = read_cifar10(path)
    assert ds.X_train.shape == (20, 3, 32, 32) and ds.X_train.dtype == np.uint8
    assert ds.X_test.shape == (3, 3, 32, 32)
    np.testing.assert_array_equal(
        ds.X_train[4], batches["data_batch_2"][b"data"][0].reshape(3, 32, 32)
    )
    np.testing.assert_array_equal(ds.y_test, batches["test_batch"][b"labels"])
    assert str(path) in ds.raw_files


def test_missing_member(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "partial.tar.gz"
    _write_archive(path, {"data_batch_1": _batch(rng, 2)})
    with pytest.raises(ValueError, match="missing CIFAR-10 members"):
        read_cifar10(path)


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_refuses_code_execution():
    with pytest.raises(UnsafePickleError, match="system"):
        restricted_loads(pickle.dumps(_Evil(), protocol=2))


def test_allows_numpy_arrays():
    arr = np.arange(6, dtype=np.uint8).reshape(2, 3)
    np.testing.assert_array_equal(
        restricted_loads(pickle.dumps({b"a": arr}, protocol=2))[b"a"], arr
    )
