"""Atomic, self-describing result files.

Every artifact the pipeline writes is written to a temporary file in the same folder and
renamed into place, so a crash never leaves a half-written result behind; it gets the
permissions the umask gives a new file (not the 0600 of a temporary file). A result that
cannot be read back (truncated, corrupt) raises :class:`CorruptFileError` naming its path,
and one under a ``results/`` folder is removed, so the next run rebuilds it instead of
reusing it. Array results go
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
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from deeplaws import __version__

PathLike = str | os.PathLike[str]


class CorruptFileError(ValueError):
    """A result file that cannot be read back (truncated or corrupt)."""


def current_umask() -> int:
    """The process umask, read without changing it (falls back to set-and-restore)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _refuse(path: PathLike, exc: BaseException) -> CorruptFileError:
    """The error for an unreadable result; removes it when it lies under a results/ folder."""
    target = Path(path)
    text = f"{target}: corrupt or truncated ({type(exc).__name__}: {exc})"
    if "results" in target.resolve().parts[:-1] and target.exists():
        target.unlink()
        text += "; removed it, so the next run rebuilds it"
    else:
        text += "; replace or delete it and rerun"
    return CorruptFileError(text)


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
        if tmp_path.exists():
            os.chmod(tmp_path, 0o666 & ~current_umask())
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
    """Read a JSON result; a truncated or corrupt file raises :class:`CorruptFileError`."""
    try:
        return json.loads(Path(path).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _refuse(path, exc) from exc


def save_npz(path: PathLike, arrays: Mapping[str, np.ndarray]) -> None:
    """Write arrays to a compressed ``.npz``, atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **{k: np.asarray(v) for k, v in arrays.items()})


def load_npz(path: PathLike) -> dict[str, np.ndarray]:
    """Load every array of an ``.npz`` into memory (no pickles allowed).

    A truncated or corrupt file raises :class:`CorruptFileError` naming it.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        raise _refuse(path, exc) from exc


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
