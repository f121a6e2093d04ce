"""The separation registry (deeplaws.separation.registry): figures, runs and training
batches of a config, and how a changed value moves exactly the batches it touches."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from deeplaws.common.config import check_config
from deeplaws.separation.paths import MEASURE_WC, RUN_WC, run_path
from deeplaws.separation.registry import Registry

ROOT = Path(__file__).resolve().parents[3]


def _config() -> dict:
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    check_config(config, ROOT / "workflow/schemas/config.schema.yaml")
    return config


@pytest.fixture(scope="module")
def config() -> dict:
    return _config()


def _registry(config: dict) -> Registry:
    return Registry(config["separation"], config["data"]["subsets"]["keys"])


def test_every_profile_reads_a_measurement_of_a_registered_run(config):
    reg = _registry(config)
    assert reg.figures
    runs = {run_path(r) for r in reg.runs.values()}
    for fig in reg.figures.values():
        assert len(fig.profiles) == len(fig.trains) == len(set(fig.profiles))
        for profile, train in zip(fig.profiles, fig.trains, strict=True):
            run_dir = train.removesuffix("/train.json")
            assert run_dir in runs and profile.startswith(run_dir + "/measure/")
        for panel in fig.panels:
            indices = panel.get("runs", [])
            assert all(0 <= i < len(fig.profiles) for i in indices)
            if panel["kind"] == "summary":
                assert all(fig.panels[i]["kind"] == "profile" for i in panel["of"])
    assert RUN_WC in MEASURE_WC


def test_batches_partition_the_runs_by_their_shared_keys(config):
    reg = _registry(config)
    members = [run_path(r) for runs in reg.batches.values() for r in runs]
    assert sorted(members) == sorted(reg.runs)
    for runs in reg.batches.values():
        shared = {(r["sdata"], r["smodel"], r["slayers"], r["swidth"], r["sepochs"]) for r in runs}
        assert len(shared) == 1
    # with batching on, the lr grid of one depth trains as one job
    lr_study = config["separation"]["lr_study"]
    if config["separation"]["training"]["batched"] and len(lr_study["lrs"]) > 1:
        sizes = [len(r) for r in reg.batches.values()]
        assert max(sizes) >= len(lr_study["lrs"])


def test_changing_one_lr_moves_only_its_batch(config):
    before = _registry(config)
    changed = copy.deepcopy(config)
    lrs = changed["separation"]["lr_study"]["lrs"]
    lrs[-1] = lrs[-1] * 1.5
    after = _registry(changed)
    differ = {
        name
        for name in set(before.batches) | set(after.batches)
        if before.batches.get(name) != after.batches.get(name)
    }
    study = changed["separation"]["lr_study"]
    assert len(differ) == 1
    (name,) = differ
    assert f"_L{study['layer_num']}_" in name
    assert before.figures.keys() == after.figures.keys()


def test_unbatched_fig1_trains_every_run_alone(config):
    changed = copy.deepcopy(config)
    changed["separation"]["fig1"]["batched"] = False
    reg = _registry(changed)
    fig1_runs = {t.removesuffix("/train.json") for t in reg.figures["fig1_optimizers"].trains}
    for runs in reg.batches.values():
        if any(run_path(r) in fig1_runs for r in runs):
            assert len(runs) == 1


def test_emergence_keeps_its_snapshot_epochs(config):
    changed = copy.deepcopy(config)
    changed["separation"]["emergence"]["activate"] = True
    reg = _registry(changed)
    c = changed["separation"]["emergence"]
    (path,) = reg.snapshots
    assert reg.snapshots[path] == sorted({e for e in c["at"] if e <= c["epochs"]})
    panel = reg.figures["emergence"].panels[0]
    assert panel["kind"] == "emergence" and len(panel["runs"]) == len(reg.snapshots[path])


def test_switched_off_part_has_no_figures(config):
    changed = copy.deepcopy(config)
    changed["separation"]["activate"] = False
    reg = _registry(changed)
    assert reg.figures == {} and reg.outputs() == [] and reg.batches == {}
