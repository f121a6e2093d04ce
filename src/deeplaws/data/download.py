"""Checksummed downloads of the datasets that are not shipped offline.

Each raw file has a pinned SHA-256. A download goes to a temporary file, is checked, and only
then renamed into ``resources/<source>/``; a mismatch deletes it and raises. Without
network the job fails with one sentence: which file, where it looked, how to provide it.
"""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.request
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


_MNIST = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)
_FASHION = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)


def _idx_files(source: str, mirrors: Sequence[str], sums: dict[str, str]) -> dict[str, RawFile]:
    return {
        name: RawFile(source, name, tuple(m + name for m in mirrors), sha)
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
            None,
        )
    },
}

# Where each source is found without a download (besides a configured directory).
SYSTEM_DIRS: dict[str, tuple[str, ...]] = {
    "fashion_mnist": ("/usr/share/datasets/fashion-mnist",),
}


class DownloadError(RuntimeError):
    """A raw file is neither present nor downloadable."""


class ChecksumError(RuntimeError):
    """A file does not match its pinned SHA-256."""


def raw_file(source: str, name: str) -> RawFile:
    try:
        return REGISTRY[source][name]
    except KeyError:
        known = ", ".join(f"{s}/{n}" for s in REGISTRY for n in REGISTRY[s])
        raise KeyError(f"unknown raw file {source}/{name}; known: {known}") from None


def search_dirs(source: str, directory: str | None) -> list[str]:
    """The folders searched for ``source``'s raw files, in order."""
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
        return verify(dest, entry.sha256)
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
                digest = verify(tmp, entry.sha256)
            if entry.sha256 is None:
                log.warning(
                    "%s has no published SHA-256; downloaded file has %s (recorded)", dest, digest
                )
            return digest
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reasons.append(f"{url}: {getattr(exc, 'reason', exc)}")
    places = ", ".join([*looked_in, str(dest.parent)])
    how = f"place it in {dest.parent}/"
    if config_key:
        how += f" or set {config_key} to a folder that holds it"
    raise DownloadError(
        f"{entry.name} ({entry.source}) was not found (looked in {places}) and could not be "
        f"downloaded ({'; '.join(reasons)}): download it yourself from {entry.urls[0]} and {how}."
    )
