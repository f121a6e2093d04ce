"""A real run of the default DAG in a temporary copy, then the rerun rules.

After a full run nothing is left to do; changing one parameter of one dataset reruns exactly
that dataset and what depends on it; a comment edit of any package module reruns nothing, a
real edit reruns exactly the jobs whose scripts import the module.
"""

import re

import numpy as np
import pytest

from tests.workflow.conftest import run_snakemake

pytestmark = pytest.mark.workflow

SMOKE = ("--configfile", "tests/config/smoke.yaml")


@pytest.fixture(scope="module")
def built(repo_copy):
    run = run_snakemake(repo_copy, "-c2", *SMOKE, timeout=1500)
    assert run.rc == 0, run.out[-5000:]
    return repo_copy


def test_every_dataset_and_figure_exists(built):
    import json

    import yaml

    from deeplaws.data import load_dataset

    cfg = yaml.safe_load((built / "config/config.yaml").read_text())["data"]
    names = [f"gaussian2d_{v}" for v in range(1, 9)] + [f"gaussian3d_{v}" for v in (1, 2, 3)]
    names += [f"sinusoid_{v}" for v in range(1, 10)]
    names += ["iris", "digits", "mnist", "cfm", "cfm_imb", "fashion_mnist"]
    for name in names:
        ds = load_dataset(built / "results/data" / f"{name}.npz")
        side = json.loads((built / "results/data" / f"{name}.json").read_text())
        # the sidecar describes the arrays it sits next to
        for key, array in ds.arrays().items():
            assert side["shapes"][key] == list(array.shape), (name, key)
            assert side["dtypes"][key] == str(array.dtype), (name, key)
        for split in ("train", "test"):
            assert side["class_counts"][split] == ds.class_counts(split), name
            assert np.isfinite(getattr(ds, f"X_{split}").astype(np.float64)).all(), name
    # sizes the config asks for
    for family in ("gaussian2d", "gaussian3d", "sinusoid"):
        per_class = cfg[family]["samples"]
        ds = load_dataset(built / "results/data" / f"{family}_1.npz")
        assert set(ds.class_counts("train")) == {per_class} == set(ds.class_counts("test"))
    mnist = load_dataset(built / "results/data/mnist.npz")
    assert mnist.class_counts("train") == [cfg["mnist"]["per_class"]] * 10
    assert mnist.X_train.shape[1:] == (28, 28) and mnist.X_train.dtype == np.uint8
    cfm = load_dataset(built / "results/data/cfm.npz")
    assert cfm.class_counts("train") == [cfg["subsets"]["per_class"]] * 10
    assert cfm.X_train.shape[1:] == (1, 10, 10) and len(cfm.y_test) == 10_000
    imb = load_dataset(built / "results/data/cfm_imb.npz").class_counts("train")
    caps = cfg["subsets"]["imbalance"]
    assert imb == [caps["major"]] * 5 + [caps["minor"]] * 5
    # the overview is a real PNG of a sensible size
    from PIL import Image

    with Image.open(built / "results/figures/data/overview.png") as img:
        assert img.format == "PNG" and min(img.size) > 300
    log = next((built / "logs/data_make_gaussian").iterdir())
    bench = next((built / "benchmarks/data_make_gaussian").iterdir())
    assert bench.read_text().splitlines()[0].split("\t")[:2] == ["s", "h:m:s"]
    assert log.is_file()


def test_nothing_to_do_after_full_run(built):
    run = run_snakemake(built, "-n", *SMOKE, timeout=300)
    assert run.rc == 0, run.out
    assert "Nothing to be done" in run.out, run.out[-3000:]


def test_changed_parameter_reruns_exactly_its_dataset(built):
    changed = built / "changed.yaml"
    changed.write_text("data:\n  iris:\n    test_size: 0.25\n")
    run = run_snakemake(built, "-n", *SMOKE, "--configfile", "changed.yaml", timeout=300)
    assert run.rc == 0, run.out
    jobs = run.job_counts()
    assert jobs.get("data_make_tabular") == 1, jobs
    for rule in ("data_make_gaussian", "data_make_sinusoid", "data_make_mnist", "data_make_subset"):
        assert rule not in jobs, jobs
    assert "params have changed" in run.out
    summary = run_snakemake(built, "--summary", *SMOKE, "--configfile", "changed.yaml", timeout=300)
    pending = {f for f in summary.pending() if f.startswith("results/data/")}
    assert pending == {"results/data/iris.npz", "results/data/iris.json"}, pending


def test_comment_and_docstring_edits_rerun_nothing(built):
    """Comments, docstrings and blank lines of every package module are not code."""
    modules = sorted((built / "src/deeplaws").rglob("*.py"))
    originals = {m: m.read_text() for m in modules}
    try:
        for m, text in originals.items():
            edited = text.replace('"""', '"""Edited. ', 1) if text.startswith('"""') else text
            m.write_text(edited + "\n\n# an edited comment\n")
        run = run_snakemake(built, "-n", *SMOKE, timeout=300)
    finally:
        for m, text in originals.items():
            m.write_text(text)
    assert run.rc == 0, run.out
    assert "Nothing to be done" in run.out, run.out[-3000:]


@pytest.mark.parametrize(
    ("module", "expected", "untouched"),
    [
        (
            "data/synthetic.py",
            {"data_make_gaussian": 11, "data_make_sinusoid": 9},
            (
                "data_make_tabular",
                "data_make_mnist",
                "data_make_subset",
                "recovery_solve_unit",
                "recovery_solve_program",
            ),
        ),
        (
            "recovery/mixture.py",
            {"recovery_estimate_mixture": 2},
            (
                "recovery_solve_unit",
                "recovery_solve_program",
                "redunet_construct_network",
                "data_make_gaussian",
            ),
        ),
    ],
)
def test_real_edit_reruns_exactly_the_jobs_that_import_it(built, module, expected, untouched):
    path = built / "src/deeplaws" / module
    original = path.read_text()
    path.write_text(original + "\n_EDITED = 1\n")
    try:
        run = run_snakemake(built, "-n", *SMOKE, timeout=300)
    finally:
        path.write_text(original)
    assert run.rc == 0, run.out
    jobs = run.job_counts()
    for rule, count in expected.items():
        assert jobs.get(rule) == count, jobs
    for rule in untouched:
        assert rule not in jobs, jobs
    assert "params have changed" in run.out


def test_report_builds(built):
    run = run_snakemake(built, *SMOKE, "--report", "report.html", timeout=600)
    assert run.rc == 0, run.out[-3000:]
    page = (built / "report.html").read_text(errors="replace")
    # every category of the rules and every figure of the run is in the report
    categories = set()
    for rules in (built / "rules").glob("*.smk"):
        categories |= set(re.findall(r'category="([^"]+)"', rules.read_text()))
    assert {"Data", "ReduNet", "Neural recovery", "Equi-separation law", "Claims"} <= categories
    for category in categories:
        assert category in page, category
    figures = sorted((built / "results/figures").rglob("*.pdf"))
    assert len(figures) > 20
    missing = [f.name for f in figures if f.name not in page]
    assert not missing, missing


def test_claims_table(built):
    import pandas as pd

    table = pd.read_csv(built / "results/claims.csv")
    claims = table[table["category"] == "claim"]
    findings = table[table["category"] == "finding"]
    assert len(claims) >= 20 and len(claims) + len(findings) == len(table)
    assert set(claims["status"]) <= {"PASS", "FAIL", "NOT RUN"}
    assert set(claims["paper"]) == {"P1", "P2", "P3"}
    # a finding is a measured value (or NOT RUN / FAIL when it cannot be computed)
    assert set(findings["status"]) <= {"MEASURED", "NOT RUN", "FAIL"}
    measured = findings[findings["status"] == "MEASURED"]
    assert len(measured) and measured["measured"].notna().all()
    # every claim that is not PASS says why (NOT RUN) or is a finding with its measured value
    not_run = claims[claims["status"] == "NOT RUN"]
    assert not_run["reason"].notna().all()
    # FAILs are listed first
    order = table["status"].map({"FAIL": 0, "PASS": 1, "NOT RUN": 2, "MEASURED": 3}).tolist()
    assert order == sorted(order)
