"""Static checks first: ruff over the Python code, snakemake --lint over the workflow."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workflow.conftest import ROOT, run_snakemake

pytestmark = pytest.mark.workflow


def test_ruff_clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    proc = subprocess.run(
        [ruff, "check", "src", "tests", "workflow", "benchmarks"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout


def test_snakemake_lint_clean():
    run = run_snakemake(ROOT, "--lint", timeout=120)
    assert run.rc == 0, run.out
    assert "Congratulations" in run.out
