"""Checksummed downloads: verified file in place, mismatch removed, clear offline message."""

import gzip
import hashlib
import shutil
from pathlib import Path

import pytest

from deeplaws.data.download import (
    REGISTRY,
    ChecksumError,
    DownloadError,
    RawFile,
    RawFileError,
    check_raw,
    fetch,
    locate,
    resolve,
    verify,
    verify_raw,
)


def _source(tmp_path, content=b"raw bytes of a dataset"):
    src = tmp_path / "server" / "file.bin"
    src.parent.mkdir()
    src.write_bytes(content)
    return src, hashlib.sha256(content).hexdigest()


def test_fetch_verifies_and_places_file(tmp_path):
    src, digest = _source(tmp_path)
    entry = RawFile("demo", "file.bin", (src.as_uri(),), digest)
    dest = tmp_path / "resources" / "demo" / "file.bin"
    assert fetch(entry, dest) == digest
    assert dest.read_bytes() == src.read_bytes()
    # a second call keeps the verified file
    src.unlink()
    assert fetch(entry, dest) == digest


def test_checksum_mismatch_raises_and_leaves_nothing(tmp_path):
    src, digest = _source(tmp_path)
    entry = RawFile("demo", "file.bin", (src.as_uri(),), "0" * 64)
    dest = tmp_path / "resources" / "demo" / "file.bin"
    with pytest.raises(ChecksumError, match="expected SHA-256 0000") as info:
        fetch(entry, dest)
    assert src.as_uri() in str(info.value) and digest in str(info.value)
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []  # no temporary file left behind


def test_existing_corrupt_file_raises(tmp_path):
    src, digest = _source(tmp_path)
    dest = tmp_path / "file.bin"
    dest.write_bytes(b"corrupt")
    with pytest.raises(ChecksumError):
        fetch(RawFile("demo", "file.bin", (src.as_uri(),), digest), dest)


def test_offline_message_names_file_places_and_remedy(tmp_path):
    missing = (tmp_path / "nowhere" / "file.bin").as_uri()
    entry = RawFile("demo", "file.bin", (missing,), "0" * 64)
    dest = tmp_path / "resources" / "demo" / "file.bin"
    with pytest.raises(DownloadError) as info:
        fetch(entry, dest, looked_in=["/some/dir"], config_key="data.demo.directory")
    msg = str(info.value)
    assert "file.bin" in msg and "/some/dir" in msg and "resources/demo/" in msg
    assert "data.demo.directory" in msg and missing in msg
    assert len(msg.splitlines()) == 1
    assert not dest.exists()


def test_unpinned_file_is_recorded(tmp_path):
    src, digest = _source(tmp_path, b"no published checksum")
    dest = tmp_path / "x.bin"
    assert fetch(RawFile("demo", "x.bin", (src.as_uri(),), None), dest) == digest


def test_verify(tmp_path):
    src, digest = _source(tmp_path)
    assert verify(src, digest) == digest
    with pytest.raises(ChecksumError):
        verify(src, "f" * 64)


def test_locate_needs_all_files(tmp_path):
    names = list(REGISTRY["mnist"])
    for name in names[:-1]:
        (tmp_path / name).write_bytes(b"")
    assert locate("mnist", str(tmp_path)) is None
    (tmp_path / names[-1]).write_bytes(b"")
    found = locate("mnist", str(tmp_path))
    assert found == {n: str(tmp_path / n) for n in names}


def test_registry_pins_are_sha256():
    hexdigits = set("0123456789abcdef")
    pins = []
    for files in REGISTRY.values():
        for entry in files.values():
            assert entry.urls and all(u.startswith(("http://", "https://")) for u in entry.urls)
            for pin in (entry.sha256, entry.content_sha256):
                if pin is not None:
                    assert len(pin) == 64 and set(pin) <= hexdigits, pin
                    pins.append(pin)
    assert len(pins) == len(set(pins))  # no two files share a pin
    # every source but Mice is pinned (Mice: no published checksum, recorded instead)
    unpinned = {e.source for f in REGISTRY.values() for e in f.values() if e.sha256 is None}
    assert unpinned <= {"mice"}


# --- pins checked wherever a raw file comes from --------------------------------------------

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
needs_fashion = pytest.mark.skipif(
    not (FASHION_DIR / "train-labels-idx1-ubyte.gz").is_file(),
    reason="Debian's dataset-fashion-mnist is not installed",
)


def _gz(path, payload):
    with gzip.open(path, "wb") as fh:
        fh.write(payload)
    return path


def test_check_raw_accepts_pinned_bytes_or_pinned_content(tmp_path):
    payload = b"\x00\x00\x08\x01\x00\x00\x00\x03abc"
    a = _gz(tmp_path / "a.gz", payload)
    b = tmp_path / "b.gz"
    b.write_bytes(gzip.compress(payload, compresslevel=1, mtime=12345))  # same data, other bytes
    assert a.read_bytes() != b.read_bytes()
    entry = RawFile(
        "demo", "a.gz", (), hashlib.sha256(a.read_bytes()).hexdigest(),
        hashlib.sha256(payload).hexdigest(),
    )  # fmt: skip
    assert check_raw(a, entry) == entry.sha256
    assert check_raw(b, entry) == hashlib.sha256(b.read_bytes()).hexdigest()
    c = _gz(tmp_path / "c.gz", payload + b"x")  # one tampered byte
    with pytest.raises(ChecksumError) as info:
        check_raw(c, entry)
    msg = str(info.value)
    assert str(c) in msg and entry.sha256 in msg and entry.content_sha256 in msg
    assert hashlib.sha256(c.read_bytes()).hexdigest() in msg


def test_check_raw_without_content_pin_needs_exact_bytes(tmp_path):
    payload = b"data"
    a = _gz(tmp_path / "a.gz", payload)
    b = tmp_path / "b.gz"
    b.write_bytes(gzip.compress(payload, mtime=99))
    entry = RawFile("demo", "a.gz", (), hashlib.sha256(a.read_bytes()).hexdigest())
    with pytest.raises(ChecksumError, match=hashlib.sha256(b.read_bytes()).hexdigest()):
        check_raw(b, entry)


@needs_fashion
def test_fashion_mnist_placed_as_mnist_is_refused_and_named(tmp_path):
    name = "train-labels-idx1-ubyte.gz"
    placed = tmp_path / "resources" / "mnist" / name
    placed.parent.mkdir(parents=True)
    shutil.copy(FASHION_DIR / name, placed)
    with pytest.raises(ChecksumError) as info:
        verify_raw("mnist", [placed])
    msg = str(info.value)
    assert str(placed) in msg and REGISTRY["mnist"][name].sha256 in msg
    assert f"this file is fashion_mnist/{name}" in msg
    # the same file is accepted as what it is
    assert verify_raw("fashion_mnist", [FASHION_DIR / name])


@needs_fashion
def test_debian_fashion_mnist_matches_the_content_pins():
    files = [FASHION_DIR / n for n in REGISTRY["fashion_mnist"]]
    assert set(verify_raw("fashion_mnist", files)) == {str(f) for f in files}


def test_resolve_prefers_configured_then_placed_then_download(tmp_path):
    names = list(REGISTRY["mnist"])
    assert resolve("mnist", None, tmp_path) == {n: f"resources/download/mnist/{n}" for n in names}
    placed = tmp_path / "resources" / "mnist"
    placed.mkdir(parents=True)
    (placed / names[0]).write_bytes(b"")
    got = resolve("mnist", None, tmp_path)
    assert got[names[0]] == f"resources/mnist/{names[0]}"
    assert all(got[n] == f"resources/download/mnist/{n}" for n in names[1:])
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    for n in names:
        (folder / n).write_bytes(b"")
    assert resolve("mnist", str(folder), tmp_path) == {n: str(folder / n) for n in names}


def test_resolve_refuses_a_configured_folder_that_lacks_files(tmp_path):
    names = list(REGISTRY["mnist"])
    (tmp_path / names[0]).write_bytes(b"")
    with pytest.raises(RawFileError) as info:
        resolve("mnist", str(tmp_path), tmp_path)
    msg = str(info.value)
    assert "data.mnist.directory" in msg and str(tmp_path) in msg
    assert all(n in msg for n in names[1:]) and names[0] + "," not in msg
