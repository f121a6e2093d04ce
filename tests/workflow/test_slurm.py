"""A real single-node SLURM: jobs of the default DAG run through `--executor slurm`.

The test starts the cluster with workflow/slurm/up.sh, runs a small but real part of the DAG
through profiles/slurm-local (squeue status polling, no slurmdbd), checks that every job ran
under SLURM (its SLURM job id is in the job's provenance sidecar), that a second run has nothing
to do and that a failing job is reported with its rule, and stops every daemon even when the
test fails. Every snakemake call runs under a hard timeout (its whole process group is killed).

With --run-slow (or DEEPLAWS_SLURMDBD=1) the same runs also go through profiles/slurm with
MariaDB + slurmdbd, i.e. the sacct status polling of real clusters.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deeplaws.data.download import REGISTRY
from tests.workflow.conftest import ROOT, Run, copy_repo

pytestmark = pytest.mark.workflow

# One job of each part of the DAG (and the data jobs they need), at the smoke test's sizes.
SMOKE = ("--configfile", "tests/config/smoke.yaml")
TARGETS = {
    "results/data/iris.json": "data_make_tabular",
    "results/redunet/gaussian2d/summary.json": "redunet_construct_network",
    "results/recovery/mixture/d~20.json": "recovery_estimate_mixture",
    "results/separation/runs/data~cfm/model~GFNN/L~2/w~100/opt~sgd/lr~0.3/ep~3"
    "/protocol~standard/seed~666/train.json": "separation_train_cfm_GFNN_L2_w100_ep3_standard_seed666_sgd_lr0_3",
}


def _slurm_job_id(path: Path) -> str | None:
    """The SLURM job id recorded in a result's provenance (top level or under 'provenance')."""
    meta = json.loads(path.read_text())
    return meta.get("slurm_job_id") or meta.get("provenance", {}).get("slurm_job_id")


def _cluster_possible() -> str | None:
    if os.environ.get("DEEPLAWS_SKIP_SLURM"):
        return "DEEPLAWS_SKIP_SLURM is set"
    if os.geteuid() != 0:
        return "starting a local SLURM needs root"
    if shutil.which("slurmctld") is None and shutil.which("apt-get") is None:
        return "neither SLURM nor apt-get is available"
    return None


def _run(cmd: list[str], cwd: Path, timeout: float, env: dict | None = None) -> Run:
    """Run ``cmd`` in its own process group; on timeout kill the whole group."""
    t0 = time.monotonic()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"timed out after {timeout} s: {' '.join(cmd)}\n{out[-4000:]}")
    return Run(proc.returncode, out, time.monotonic() - t0)


def _snakemake(cwd: Path, *args: str, timeout: float = 400) -> Run:
    env = dict(os.environ, PYTHONPATH=str(cwd / "src"), PYTHONUNBUFFERED="1")
    return _run([sys.executable, "-m", "snakemake", *args], cwd, timeout, env)


MODES = ["squeue"]
if os.environ.get("DEEPLAWS_SLURMDBD") == "1":
    MODES.append("sacct")
else:
    MODES.append(pytest.param("sacct", marks=pytest.mark.slow))


@pytest.fixture(scope="module", params=MODES)
def cluster(request, tmp_path_factory):
    reason = _cluster_possible()
    if reason:
        pytest.skip(reason)
    mode = request.param
    env = dict(os.environ, WITH_SLURMDBD="1" if mode == "sacct" else "0")
    try:
        up = _run(["bash", str(ROOT / "workflow/slurm/up.sh")], ROOT, timeout=600, env=env)
        assert up.rc == 0, up.out
        profile = "profiles/slurm-local" if mode == "squeue" else "profiles/slurm"
        yield mode, profile, copy_repo(tmp_path_factory.mktemp(f"slurm_{mode}"))
    finally:
        subprocess.run(["bash", str(ROOT / "workflow/slurm/down.sh")], timeout=120, check=False)


def test_jobs_run_under_slurm(cluster, capsys):
    mode, profile, wf = cluster
    extra = ["--default-resources", "slurm_partition=debug", "runtime=30", "mem_mb=1000"]
    if mode == "sacct":
        extra += ["slurm_account=research", "--slurm-init-seconds-before-status-checks", "5"]
    run = _snakemake(wf, *TARGETS, "--profile", profile, *SMOKE, *extra)
    assert run.rc == 0, run.out[-6000:]
    ids = {}
    for target, rule in TARGETS.items():
        job = _slurm_job_id(wf / target)
        assert job, f"{target} ({rule}) did not run under SLURM"
        ids[rule] = job
        assert f"submitted with SLURM jobid {job}" in run.out
    listed = subprocess.run(
        ["squeue", "--states=all", "-h", "-o", "%i %T"], stdout=subprocess.PIPE, text=True
    ).stdout
    for job in ids.values():
        assert f"{job} COMPLETED" in listed, listed
    with capsys.disabled():
        print(f"\n[{mode}] SLURM job ids: " + ", ".join(f"{r}={i}" for r, i in ids.items()))
        print(f"[{mode}] {len(ids)} jobs through SLURM in {run.seconds:.0f} s")

    again = _snakemake(wf, *TARGETS, "--profile", profile, "-n", *SMOKE, *extra, timeout=120)
    assert again.rc == 0 and "Nothing to be done" in again.out, again.out[-3000:]


def test_failing_job_is_reported(cluster, capsys):
    mode, profile, wf = cluster
    # A configured Fashion-MNIST folder whose files are not the pinned ones: the config is
    # valid and the folder holds every file, so only the job (which checks the digests) fails.
    bad = wf / "bad_fashion_mnist"
    bad.mkdir()
    for name in REGISTRY["fashion_mnist"]:
        (bad / name).write_bytes(b"not the pinned file")
    (wf / "fail.yaml").write_text(f"data:\n  fashion_mnist:\n    directory: {bad}\n")
    extra = ["--default-resources", "slurm_partition=debug", "runtime=30", "mem_mb=4000"]
    if mode == "sacct":
        extra += ["slurm_account=research", "--slurm-init-seconds-before-status-checks", "5"]
    run = _snakemake(
        wf, "--profile", profile, "--configfile", "fail.yaml", "--retries", "0",
        "results/data/cfm_imb.npz", *extra,
    )  # fmt: skip
    assert run.rc != 0
    assert "Error in rule data_make_subset" in run.out, run.out[-4000:]
    assert "SLURM-job" in run.out and "failed" in run.out
    with capsys.disabled():
        print(f"\n[{mode}] failing job reported in {run.seconds:.0f} s")
