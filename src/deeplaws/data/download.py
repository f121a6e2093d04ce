"""Raw dataset files: where they are looked for, their pinned checksums, their download.

Each raw file has a pinned SHA-256 and is checked against it wherever it comes from: a
configured folder, a file the user placed in ``resources/<source>/``, a system folder, or a
download. Places are searched in that order (:func:`resolve`); a file found nowhere is
downloaded into ``resources/download/<source>/``, a folder the pipeline owns. The user's
``resources/<source>/`` is never the output of a job, so no setting change can make the
workflow delete or overwrite a file placed there.

A download goes to a temporary file, is checked, and only then renamed into place; a mismatch
deletes it and raises. Without network the job fails with one sentence: which file, where it
looked, how to provide it.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import urllib.error
import urllib.request
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deeplaws.common.io import atomic_path, sha256_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RawFile:
    """One raw file of a dataset: where to get it and its pinned checksum."""

    source: str
    name: str
    urls: tuple[str, ...]
    sha256: str | None  # None: no published checksum (the file's digest is recorded instead)
    # SHA-256 of the decompressed content of a .gz file: accepts a recompressed copy of the
    # same data (Debian's dataset-fashion-mnist ships the upstream IDX files re-gzipped)
    content_sha256: str | None = None


_MNIST = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)
_FASHION = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)


def _idx_files(
    source: str,
    mirrors: Sequence[str],
    sums: dict[str, str],
    content: dict[str, str] | None = None,
) -> dict[str, RawFile]:
    content = content or {}
    return {
        name: RawFile(source, name, tuple(m + name for m in mirrors), sha, content.get(name))
        for name, sha in sums.items()
    }


REGISTRY: dict[str, dict[str, RawFile]] = {
    "mnist": _idx_files(
        "mnist",
        _MNIST,
        {
            "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        },
    ),
    "fashion_mnist": _idx_files(
        "fashion_mnist",
        _FASHION,
        {
            "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        },
        # decompressed IDX data, from Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1
        # (the upstream files of zalandoresearch/fashion-mnist, re-gzipped by Debian)
        {
            "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        },
    ),
    "cifar10": {
        "cifar-10-python.tar.gz": RawFile(
            "cifar10",
            "cifar-10-python.tar.gz",
            ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",),
            "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
        )
    },
    "mice": {
        "Data_Cortex_Nuclear.xls": RawFile(
            "mice",
            "Data_Cortex_Nuclear.xls",
            (
                "https://archive.ics.uci.edu/ml/machine-learning-databases/00342/Data_Cortex_Nuclear.xls",
            ),
            # NOT PINNED YET: UCI publishes no checksum and the file could not be fetched where
            # this registry was written; the digest of the file used is recorded in the sidecar
            # and a warning is logged. Put the SHA-256 of the official file here.
            None,
        )
    },
}

# Where each source is found without a download (besides a configured directory).
SYSTEM_DIRS: dict[str, tuple[str, ...]] = {
    "fashion_mnist": ("/usr/share/datasets/fashion-mnist",),
}

# Folder of files the user placed by hand (never written by the pipeline), and the folder the
# download rule writes to; both relative to the workflow directory.
PLACED_DIR = "resources/{source}"
DOWNLOAD_DIR = "resources/download/{source}"


class DownloadError(RuntimeError):
    """A raw file is neither present nor downloadable."""


class ChecksumError(RuntimeError):
    """A file does not match its pinned SHA-256."""


class RawFileError(RuntimeError):
    """A configured raw-data folder lacks files of its dataset."""


def raw_file(source: str, name: str) -> RawFile:
    try:
        return REGISTRY[source][name]
    except KeyError:
        known = ", ".join(f"{s}/{n}" for s in REGISTRY for n in REGISTRY[s])
        raise KeyError(f"unknown raw file {source}/{name}; known: {known}") from None


def search_dirs(source: str, directory: str | None) -> list[str]:
    """The folders searched for ``source``'s raw files, in order (resources/ aside)."""
    dirs = [directory] if directory else []
    dirs.extend(SYSTEM_DIRS.get(source, ()))
    return dirs


def locate(source: str, directory: str | None) -> dict[str, str] | None:
    """Paths of all raw files of ``source`` in the first folder that holds all of them."""
    names = list(REGISTRY[source])
    for folder in search_dirs(source, directory):
        paths = {n: os.path.join(folder, n) for n in names}
        if all(os.path.isfile(p) for p in paths.values()):
            return paths
    return None


def resolve(source: str, directory: str | None, root: str | Path = ".") -> dict[str, str]:
    """Where each raw file of ``source`` is read from: ``{name: path}``.

    A configured ``directory`` must hold every file (else :class:`RawFileError`, naming the
    key, the folder and the missing files). Otherwise ``resources/<source>/`` when the user
    placed every file there, else a system folder holding all of them, else per file:
    ``resources/<source>/<name>`` when placed there, else
    ``resources/download/<source>/<name>`` (made by the download rule). Paths under ``root``
    are returned relative to it.
    """
    names = list(REGISTRY[source])
    if directory:
        missing = [n for n in names if not os.path.isfile(os.path.join(directory, n))]
        if missing:
            raise RawFileError(
                f"data.{source}.directory: the folder {directory!r} lacks "
                f"{', '.join(missing)}; put the files there, or set data.{source}.directory "
                f"to null to use {PLACED_DIR.format(source=source)}/ or a download"
            )
        return {n: os.path.join(directory, n) for n in names}
    placed = PLACED_DIR.format(source=source)
    downloaded = DOWNLOAD_DIR.format(source=source)
    if all(os.path.isfile(Path(root) / placed / n) for n in names):
        return {n: f"{placed}/{n}" for n in names}
    found = locate(source, None)
    if found is not None:
        return found
    return {
        n: f"{placed}/{n}" if os.path.isfile(Path(root) / placed / n) else f"{downloaded}/{n}"
        for n in names
    }


def _content_sha256(path: str | Path) -> str | None:
    """SHA-256 of a gzip file's decompressed content (None if it is not gzip or is broken)."""
    digest = hashlib.sha256()
    try:
        with gzip.open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
    except (OSError, EOFError, zlib.error):
        return None
    return digest.hexdigest()


def _identify(digest: str, content: str | None) -> str | None:
    """The registry entry a digest belongs to, as 'source/name' (None if none)."""
    for files in REGISTRY.values():
        for entry in files.values():
            if digest == entry.sha256 or (content and content == entry.content_sha256):
                return f"{entry.source}/{entry.name}"
    return None


def check_raw(path: str | Path, entry: RawFile, label: str | None = None) -> str:
    """Check the file at ``path`` against ``entry``'s pins; return its SHA-256.

    It passes if its SHA-256 equals the pin, or, for a pinned decompressed content, if the
    SHA-256 of its decompressed data equals that. Otherwise :class:`ChecksumError` names the
    file, the expected and the found digest, and what the file is when it is another pinned
    file (e.g. Fashion-MNIST placed as MNIST). An unpinned entry only logs its digest.
    ``label`` names the file in messages (default: ``path``).
    """
    label = label or str(path)
    digest = sha256_file(path)
    if entry.sha256 is None:
        log.warning(
            "%s: %s/%s has no pinned SHA-256; it is %s", label, entry.source, entry.name, digest
        )
        return digest
    if digest == entry.sha256:
        return digest
    content = _content_sha256(path) if entry.content_sha256 else None
    if content is not None and content == entry.content_sha256:
        return digest
    what = _identify(digest, content if content is not None else _content_sha256(path))
    found = f"SHA-256 {digest}"
    if entry.content_sha256:
        found += f" (decompressed: {content})" if content else " (its data cannot be decompressed)"
        expected = f"{entry.sha256} (decompressed: {entry.content_sha256})"
    else:
        expected = entry.sha256
    text = f"{label}: not the pinned {entry.source}/{entry.name}: expected SHA-256 {expected}, found {found}"
    if what and what != f"{entry.source}/{entry.name}":
        text += f"; this file is {what}"
    raise ChecksumError(text + ". Replace it with the official file.")


def verify_raw(source: str, paths: Sequence[str | Path]) -> dict[str, str]:
    """Check each raw file of ``source`` (matched by file name) against its pin.

    Returns ``{path: sha256}``. Raises :class:`ChecksumError` for the first mismatch.
    """
    return {str(p): check_raw(p, raw_file(source, Path(p).name)) for p in paths}


def verify(path: str | Path, sha256: str | None) -> str:
    """Return the file's SHA-256; raise :class:`ChecksumError` if it differs from ``sha256``."""
    digest = sha256_file(path)
    if sha256 is not None and digest != sha256:
        raise ChecksumError(f"{path}: SHA-256 is {digest}, expected {sha256}")
    return digest


def fetch(
    entry: RawFile,
    dest: str | Path,
    looked_in: Sequence[str] = (),
    config_key: str | None = None,
    timeout: float = 60.0,
) -> str:
    """Download ``entry`` to ``dest`` (verified); return its SHA-256.

    An existing ``dest`` with the right checksum is kept. Without network, raises
    :class:`DownloadError` with one sentence saying which file, where it looked and how to
    provide it.
    """
    dest = Path(dest)
    if dest.exists():
        return check_raw(dest, entry)
    reasons = []
    for url in entry.urls:
        try:
            with atomic_path(dest) as tmp:
                log.info("downloading %s", url)
                with (
                    urllib.request.urlopen(url, timeout=timeout) as response,
                    open(tmp, "wb") as fh,
                ):
                    while block := response.read(1 << 20):
                        fh.write(block)
                digest = check_raw(tmp, entry, label=f"{url} (downloaded for {dest})")
            return digest
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reasons.append(f"{url}: {getattr(exc, 'reason', exc)}")
    places = ", ".join([*looked_in, str(dest.parent)])
    placed = PLACED_DIR.format(source=entry.source)
    how = f"place it in {placed}/"
    if config_key:
        how += f" or set {config_key} to a folder that holds all files of {entry.source}"
    raise DownloadError(
        f"{entry.name} ({entry.source}) was not found (looked in {places}) and could not be "
        f"downloaded ({'; '.join(reasons)}): download it yourself from {entry.urls[0]} and {how}."
    )
