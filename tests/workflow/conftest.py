"""Helpers of the workflow tests: a temporary copy of the repository and a snakemake runner."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


@dataclass
class Run:
    rc: int
    out: str
    seconds: float  # wall time
    cpu_seconds: float = float("nan")  # user + system time of the process and its children

    def job_counts(self) -> dict[str, int]:
        """The 'Job stats' table of a (dry) run as {rule: count}."""
        counts: dict[str, int] = {}
        lines = self.out.splitlines()
        try:
            start = next(i for i, ln in enumerate(lines) if ln.strip() == "Job stats:")
        except StopIteration:
            return counts
        for line in lines[start + 3 :]:
            parts = line.split()
            if len(parts) != 2 or not parts[1].isdigit() or parts[0] == "total":
                break
            counts[parts[0]] = int(parts[1])
        return counts

    def pending(self) -> set[str]:
        """Output files whose plan is 'update pending' in a ``--summary`` listing."""
        files = set()
        for line in self.out.splitlines():
            cols = line.split("\t")
            if len(cols) >= 6 and cols[-1] == "update pending":
                files.add(cols[0])
        return files


def run_snakemake(cwd: Path, *args: str, timeout: float = 1200) -> Run:
    """Run snakemake in ``cwd`` (importing that tree's package) under a hard timeout."""
    env = dict(os.environ, PYTHONPATH=str(cwd / "src"), PYTHONUNBUFFERED="1")
    t0 = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [*SNAKEMAKE, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(proc.returncode, proc.stdout, time.monotonic() - t0, cpu)


def copy_repo(dest: Path) -> Path:
    """Copy the tracked and untracked-but-not-ignored files of the repository to ``dest``."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, stdout=subprocess.PIPE,
    ).stdout.decode().split("\0")  # fmt: skip
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return dest


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory) -> Path:
    return copy_repo(tmp_path_factory.mktemp("deeplaws"))
