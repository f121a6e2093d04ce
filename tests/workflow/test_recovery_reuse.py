"""Growing the P2 grid computes only the new records (cell jobs and the record store).

A small grid is finished; then the grid grows (more n, more d, one more σ panel): the job
list holds exactly the new cells and the finished cell files stay byte-identical. Then
the trials grow while the job unit changes from cells to whole panels: the panel jobs
reuse every finished trial from the store (same records, down to their timings) and
compute only the new trials, which agree with a fresh computation.
"""

import json
import re

import numpy as np
import pytest
import yaml

from deeplaws.recovery.experiments import Panel, Settings, run_trial
from tests.workflow.conftest import run_snakemake

pytestmark = pytest.mark.workflow

SMOKE = ("--configfile", "tests/config/smoke.yaml")
TARGETS = ("results/recovery/tables/sk_rec_relax.csv", "results/recovery/tables/sk_abs_sigma.csv")


def _config(n_stop: int, d_stop: int, sigmas: list, trials: int, batch: str) -> str:
    return f"""recovery:
  figures: [sk_rec_relax, sk_abs_sigma]
  grid:
    n: {{start: 10, stop: {n_stop}, step: 10}}
    d: {{start: 5, stop: {d_stop}, step: 5}}
  sigmas: {sigmas}
  trials: {{skip_relaxed: {trials}}}
  fanout:
    batch: {{skip_relaxed: {batch}}}
"""


def _run(repo, name: str, text: str, *extra: str):
    (repo / name).write_text(text)
    run = run_snakemake(repo, *TARGETS, *extra, *SMOKE, "--configfile", name, timeout=600)
    assert run.rc == 0, run.out[-5000:]
    return run


def _records(repo, pattern: str = "*/n~[0-9]*.json") -> dict[tuple, dict]:
    """The records of the cell files (default) or of the files matching ``pattern``."""
    out = {}
    for path in (repo / "results/recovery/skip_relaxed").glob(pattern):
        for rec in json.loads(path.read_text())["records"]:
            out[(rec["panel"], rec["n"], rec["d"], rec["trial"])] = rec
    return out


def _unit_files(repo) -> dict[str, bytes]:
    root = repo / "results/recovery/skip_relaxed"
    return {str(p.relative_to(repo)): p.read_bytes() for p in root.glob("*/*.json")}


def test_growing_the_grid_computes_only_new_records(repo_copy):
    repo = repo_copy
    _run(repo, "small.yaml", _config(20, 5, [0], 1, "cell"), "-c2")
    small_files, small = _unit_files(repo), _records(repo)
    assert len(small_files) == 2 * 2 and len(small) == 4  # 2 panels x 2 cells x 1 trial
    base_seed = yaml.safe_load((repo / "config/config.yaml").read_text())["seeds"]["base"]

    # Grow n (10..30), d (5..10) and σ (one more panel): only the new cells are jobs.
    grown = _config(30, 10, [0, 0.1], 1, "cell")
    dry = _run(repo, "grown.yaml", grown, "-n")
    assert dry.job_counts()["recovery_solve_unit"] == 2 * 4 + 6, dry.out[-3000:]
    listed = set(re.findall(r"results/recovery/skip_relaxed/\S+\.json", dry.out))
    assert len(listed) == 14 and not listed & set(small_files)
    _run(repo, "grown.yaml", grown, "-c2")
    files = _unit_files(repo)
    assert len(files) == 18
    assert all(files[f] == small_files[f] for f in small_files)  # untouched, byte for byte

    # Add a trial and switch to one job per panel: finished trials come from the store.
    more = _config(30, 10, [0, 0.1], 2, "panel")
    dry = _run(repo, "more.yaml", more, "-n")
    assert dry.job_counts()["recovery_solve_unit"] == 3
    before = _records(repo)
    _run(repo, "more.yaml", more, "-c2")
    panels = list((repo / "results/recovery/skip_relaxed").glob("*/n~all_d~all.json"))
    assert len(panels) == 3
    for path in panels:
        unit = json.loads(path.read_text())
        assert unit["reuse"] == {**unit["reuse"], "reused": 6, "computed": 6}
        for rec in unit["records"]:
            key = (rec["panel"], rec["n"], rec["d"], rec["trial"])
            if rec["trial"] == 0:  # reused: identical to the cell job's record, timings too
                assert json.dumps(rec) == json.dumps(before[key])
                assert rec["wall_seconds"] == before[key]["wall_seconds"]
    # A new trial agrees with a fresh computation outside the workflow.
    rec = next(r for p in panels for r in json.loads(p.read_text())["records"] if r["trial"] == 1)
    fresh = run_trial(
        "skip_relaxed", Panel.parse(rec["panel"]), rec["n"], rec["d"], 1, base_seed, Settings()
    )
    for field in ("seed", "status", "recovered", "all_ones", "n_patterns"):
        assert fresh[field] == rec[field], field
    assert np.isclose(fresh["dis_abs"], rec["dis_abs"], rtol=1e-6, equal_nan=True)
