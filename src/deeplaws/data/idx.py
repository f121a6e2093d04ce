"""Reader and writer of the IDX format of (Fashion-)MNIST, gzip-compressed or plain."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {np.dtype(v).str.lstrip("<>|="): k for k, v in _DTYPES.items()}


class IDXError(ValueError):
    """An IDX file whose header or length is wrong."""


def _open(path: Path):
    with open(path, "rb") as fh:
        magic = fh.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def read_idx(path: str | Path, expect_ndim: int | None = None) -> np.ndarray:
    """Read an IDX file (``.gz`` or not); validate the header against the payload size."""
    path = Path(path)
    try:
        with _open(path) as fh:
            header = fh.read(4)
            if len(header) != 4 or header[0] != 0 or header[1] != 0:
                raise IDXError(f"{path}: not an IDX file (magic bytes {header!r})")
            code, ndim = header[2], header[3]
            if code not in _DTYPES:
                raise IDXError(f"{path}: unknown IDX data type code 0x{code:02x}")
            if expect_ndim is not None and ndim != expect_ndim:
                raise IDXError(f"{path}: expected {expect_ndim} dimensions, header says {ndim}")
            dims_raw = fh.read(4 * ndim)
            if len(dims_raw) != 4 * ndim:
                raise IDXError(f"{path}: truncated header")
            shape = struct.unpack(f">{ndim}I", dims_raw)
            dtype = _DTYPES[code]
            payload = fh.read()
    except (OSError, EOFError) as exc:
        if isinstance(exc, IDXError):
            raise
        raise IDXError(f"{path}: cannot be read as (gzip) IDX: {exc}") from exc
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(payload) != expected:
        raise IDXError(
            f"{path}: header announces shape {shape} ({expected} bytes) "
            f"but the file holds {len(payload)} bytes of data"
        )
    return np.frombuffer(payload, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path: str | Path, array: np.ndarray, compress: bool | None = None) -> None:
    """Write ``array`` as IDX (gzip when ``path`` ends in .gz unless ``compress`` says)."""
    path = Path(path)
    array = np.asarray(array)
    key = array.dtype.str.lstrip("<>|=")
    if key not in _CODES:
        raise IDXError(f"dtype {array.dtype} has no IDX code")
    code = _CODES[key]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    body = array.astype(_DTYPES[code]).tobytes()
    use_gzip = path.suffix == ".gz" if compress is None else compress
    opener = gzip.open if use_gzip else open
    with opener(path, "wb") as fh:
        fh.write(header + body)
