"""Checksummed downloads: verified file in place, mismatch removed, clear offline message."""

import hashlib

import pytest

from deeplaws.data.download import (
    REGISTRY,
    ChecksumError,
    DownloadError,
    RawFile,
    fetch,
    locate,
    verify,
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
    with pytest.raises(ChecksumError, match="expected 0000"):
        fetch(entry, dest)
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
    assert "file.bin" in msg and "/some/dir" in msg and str(dest.parent) in msg
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
    for files in REGISTRY.values():
        for entry in files.values():
            assert entry.urls and all(u.startswith(("http://", "https://")) for u in entry.urls)
            if entry.sha256 is not None:
                assert len(entry.sha256) == 64 and int(entry.sha256, 16) >= 0
