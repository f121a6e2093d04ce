"""The lens on a tiny real run (smoke config): its tables, the initial weights rebuilt from
the seed against the saved epoch-0 snapshot, and its D against the separation pipeline's
own measurement of the same run."""

import json

import numpy as np
import pandas as pd
import pytest

from tests.workflow.conftest import run_snakemake

pytestmark = pytest.mark.workflow

LENS_ONLY = """\
lens:
  redunet: {experiments: [gaussian2d]}
  gfnn: {fig1: false, emergence: true}
"""
RUN = (
    "results/separation/runs/data~cfm/model~GFNN/L~6/w~100/opt~adam/lr~0.001/ep~3/"
    "protocol~standard/seed~666"
)


def test_lens_on_the_smoke_runs(repo_copy):
    (repo_copy / "lens.yaml").write_text(LENS_ONLY)
    measured = f"{RUN}/measure/bn~train_pca~none_taps~default_epoch~final.json"
    run = run_snakemake(
        repo_copy, "-c2", "--configfile", "tests/config/smoke.yaml", "lens.yaml", "--",
        "lens", measured, timeout=900,
    )  # fmt: skip
    assert run.rc == 0, run.out[-5000:]
    taps = pd.read_csv(repo_copy / "results/lens/gfnn_taps.csv")
    assert set(taps["study"]) == {"emergence"}
    init = taps[taps["stage"] == "init"]
    assert set(init["source"]) == {"snapshot=rebuilt"}
    assert sorted(taps["epoch"].unique()) == [0, 1, 3]
    final = taps[taps["stage"] == "final"].sort_values("tap")
    p3 = json.loads((repo_copy / measured).read_text())
    np.testing.assert_allclose(final["D"], p3["D"], rtol=1e-12)
    assert np.isfinite(taps["dR"]).all() and (taps["eps2"] == 0.1).all()
    fits = pd.read_csv(repo_copy / "results/lens/redunet_fit.csv")
    assert fits["experiment"].tolist() == ["gaussian2d", "gaussian2d"]
    for name in ("redunet_fuzziness", "emergence_rates"):
        assert (repo_copy / f"results/figures/lens/{name}.png").stat().st_size > 10_000
    assert not (repo_copy / "results/figures/lens/gfnn_rates.png").exists()
