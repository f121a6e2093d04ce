"""IDX reader/writer: round trips on files the test writes, and header validation."""

import gzip
import struct

import numpy as np
import pytest

from deeplaws.data.idx import IDXError, read_idx, write_idx


@pytest.mark.parametrize("suffix", [".gz", ""])
@pytest.mark.parametrize(
    "array",
    [
        np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28),
        np.array([3, 1, 4, 1, 5, 9], dtype=np.uint8),
        np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4),
        np.arange(-6, 6, dtype=np.int32).reshape(2, 2, 3),
    ],
)
def test_round_trip(tmp_path, array, suffix):
    path = tmp_path / f"x-idx{suffix}"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == array.dtype
    assert back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_gzip_is_detected_by_content(tmp_path):
    path = tmp_path / "images"
    write_idx(path, np.ones((1, 2, 2), np.uint8), compress=True)
    with open(path, "rb") as fh:
        assert fh.read(2) == b"\x1f\x8b"
    assert read_idx(path).sum() == 4


def _write_raw(path, payload: bytes) -> None:
    with gzip.open(path, "wb") as fh:
        fh.write(payload)


def test_bad_magic(tmp_path):
    path = tmp_path / "bad.gz"
    _write_raw(path, b"\x01\x00\x08\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(IDXError, match="not an IDX file"):
        read_idx(path)


def test_unknown_type_code(tmp_path):
    path = tmp_path / "bad.gz"
    _write_raw(path, b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(IDXError, match="unknown IDX data type"):
        read_idx(path)


def test_truncated_payload(tmp_path):
    path = tmp_path / "short.gz"
    _write_raw(path, b"\x00\x00\x08\x03" + struct.pack(">3I", 10, 28, 28) + b"\x00" * 100)
    with pytest.raises(IDXError, match="announces shape"):
        read_idx(path)


def test_expected_ndim(tmp_path):
    path = tmp_path / "labels.gz"
    write_idx(path, np.zeros(5, np.uint8))
    with pytest.raises(IDXError, match="expected 3 dimensions"):
        read_idx(path, expect_ndim=3)


def test_not_gzip_not_idx(tmp_path):
    path = tmp_path / "text.gz"
    path.write_text("hello world")
    with pytest.raises(IDXError):
        read_idx(path)
