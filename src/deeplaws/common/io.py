"""Atomic, self-describing result files.

Every artifact the pipeline writes is written to a temporary file in the same folder and
renamed into place, so a crash never leaves a half-written result behind. Array results go
to ``.npz``; their description (config slice, seed, package version, raw-file checksums)
goes to a JSON *sidecar* next to them.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from deeplaws import __version__

PathLike = str | os.PathLike[str]


def sha256_file(path: PathLike, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    On an exception the temporary file is removed and ``path`` is left untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    return value


def save_json(path: PathLike, payload: Mapping[str, Any]) -> None:
    """Write ``payload`` as indented JSON, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(_jsonable(payload), indent=2, sort_keys=False) + "\n")


def load_json(path: PathLike) -> dict[str, Any]:
    return json.loads(Path(path).read_text())


def save_npz(path: PathLike, arrays: Mapping[str, np.ndarray]) -> None:
    """Write arrays to a compressed ``.npz``, atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **{k: np.asarray(v) for k, v in arrays.items()})


def load_npz(path: PathLike) -> dict[str, np.ndarray]:
    """Load every array of an ``.npz`` into memory (no pickles allowed)."""
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def provenance(**fields: Any) -> dict[str, Any]:
    """The common header of every sidecar: package version, time, host, plus ``fields``."""
    header = {
        "deeplaws_version": __version__,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "slurm_job_id": os.environ.get("SLURM_JOB_ID"),
    }
    header.update(fields)
    return header
