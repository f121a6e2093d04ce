"""Real Snakemake runs: a user's raw files survive setting changes and are checked against
their pins; a run killed with SIGKILL in the middle of a job recovers as the README says and
gives the same results as a clean run."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from deeplaws.common.io import load_npz
from deeplaws.data.download import REGISTRY
from tests.workflow.conftest import copy_repo, run_snakemake

pytestmark = pytest.mark.workflow

FASHION = Path("/usr/share/datasets/fashion-mnist")
needs_fashion = pytest.mark.skipif(
    not all((FASHION / n).is_file() for n in REGISTRY["fashion_mnist"]),
    reason="Debian's dataset-fashion-mnist is not installed",
)
TARGET = "results/data/cfm.npz"  # one subset job: reads the four Fashion-MNIST files


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _config(repo: Path, directory: str | None) -> None:
    value = "null" if directory is None else json.dumps(directory)
    (repo / "raw.yaml").write_text(f"data:\n  fashion_mnist:\n    directory: {value}\n")


def _used(repo: Path) -> set[str]:
    """The raw files the built subset says it was made from."""
    return set(json.loads((repo / "results/data/cfm.json").read_text())["raw_files"])


@needs_fashion
def test_placed_raw_files_survive_setting_changes_and_are_checked(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    placed = repo / "resources/fashion_mnist"
    placed.mkdir(parents=True)
    for name in REGISTRY["fashion_mnist"]:
        shutil.copy(FASHION / name, placed / name)
    before = _digests(placed)

    def build(directory):
        _config(repo, directory)
        return run_snakemake(repo, "-c1", TARGET, "--configfile", "raw.yaml", timeout=300)

    # 1. the placed files are used (they are no job's output: no download is planned)
    run = build(None)
    assert run.rc == 0, run.out[-3000:]
    assert "data_download_file" not in run.out
    assert _used(repo) == {f"resources/fashion_mnist/{n}" for n in REGISTRY["fashion_mnist"]}
    # 2. point the setting elsewhere, then to a folder that lacks the files, then back
    run = build(str(FASHION))
    assert run.rc == 0, run.out[-3000:]
    assert _used(repo) == {str(FASHION / n) for n in REGISTRY["fashion_mnist"]}
    run = build(str(tmp_path / "empty"))
    assert run.rc != 0 and "data.fashion_mnist.directory" in run.out, run.out[-3000:]
    run = build(None)
    assert run.rc == 0, run.out[-3000:]
    assert _used(repo) == {f"resources/fashion_mnist/{n}" for n in REGISTRY["fashion_mnist"]}
    assert _digests(placed) == before  # nothing deleted or rewritten
    # 3. a tampered placed file is refused, named with both digests, and kept
    victim = placed / "t10k-labels-idx1-ubyte.gz"
    victim.write_bytes(victim.read_bytes()[:-100])
    found = hashlib.sha256(victim.read_bytes()).hexdigest()
    run = build(None)  # the input changed, so the subset job reruns
    assert run.rc != 0, run.out[-3000:]
    entry = REGISTRY["fashion_mnist"][victim.name]
    for fragment in (f"resources/fashion_mnist/{victim.name}", entry.sha256, found):
        assert fragment in run.out, run.out[-3000:]
    assert victim.exists() and _digests(placed)[victim.name] == found
    assert not (repo / TARGET).exists()  # the failed job left no result a later run would take


def _comparable(repo: Path) -> tuple[dict[str, np.ndarray], dict]:
    arrays = load_npz(repo / TARGET)
    side = json.loads((repo / "results/data/cfm.json").read_text())
    for volatile in ("created", "slurm_job_id"):
        side.pop(volatile)
    return arrays, side


def _start(repo: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(repo / "src"), PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "snakemake", "-c1", TARGET],
        cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the job processes are in it too
    )  # fmt: skip


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@needs_fashion
def test_sigkill_during_a_job_recovers_to_the_clean_result(tmp_path):
    clean = copy_repo(tmp_path / "clean")
    run = run_snakemake(clean, "-c1", TARGET, timeout=300)
    assert run.rc == 0, run.out[-3000:]
    want_arrays, want_side = _comparable(clean)

    repo = copy_repo(tmp_path / "crashed")
    proc = _start(repo)
    job_log = repo / "logs/data_make_subset/cfm.log"
    deadline = time.monotonic() + 120
    while not job_log.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before the job could be interrupted"
    time.sleep(0.5)  # inside the job, which takes a few seconds after opening its log
    os.killpg(proc.pid, signal.SIGKILL)  # Snakemake and its job, as a node failure would
    proc.wait()
    deadline = time.monotonic() + 10  # (an unreaped zombie may keep the group "alive")
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not (repo / TARGET).exists()  # atomic writes: no half-written result
    assert any((repo / ".snakemake/incomplete").iterdir())  # the job is marked incomplete

    # the README's recovery: unlock, then rerun (profiles/default sets rerun-incomplete)
    locked = run_snakemake(repo, "-c1", TARGET, timeout=300)
    assert locked.rc != 0 and "unlock" in locked.out, locked.out[-3000:]
    unlock = run_snakemake(repo, "--unlock", timeout=300)
    assert unlock.rc == 0, unlock.out[-3000:]
    rerun = run_snakemake(repo, "-c1", TARGET, timeout=300)
    assert rerun.rc == 0, rerun.out[-3000:]
    arrays, side = _comparable(repo)
    assert side == want_side
    assert set(arrays) == set(want_arrays)
    for key, value in want_arrays.items():
        assert arrays[key].dtype == value.dtype
        np.testing.assert_array_equal(arrays[key], value)
    done = run_snakemake(repo, "-n", TARGET, timeout=300)
    assert "Nothing to be done" in done.out, done.out[-3000:]
