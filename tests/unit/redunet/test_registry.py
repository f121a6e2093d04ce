"""The ReduNet experiment registry (deeplaws.redunet.registry) against the config."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from deeplaws.common.config import check_config
from deeplaws.redunet import registry

ROOT = Path(__file__).resolve().parents[3]


def _config() -> dict:
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    check_config(config, ROOT / "workflow/schemas/config.schema.yaml")
    return config


def test_every_configured_experiment_is_registered_and_vice_versa():
    config = _config()
    assert set(config["redunet"]["experiments"]) == set(registry.EXPERIMENTS)
    for exp in registry.EXPERIMENTS.values():
        assert exp.plot in registry.PLOT_INPUTS, exp


def test_every_figure_has_its_plot_type_and_inputs():
    """One plot rule draws every figure: each figure's plot type has a script and a caption,
    and reads intermediates the compute job writes; the names are those outputs() lists."""
    for fig in registry.FIGURES.values():
        assert (ROOT / f"workflow/scripts/redunet/plot_{fig.plot}.py").is_file(), fig
        assert (ROOT / f"workflow/report/redunet_{fig.plot}.rst").is_file(), fig
        for path in fig.inputs().values():
            assert path.rsplit("/", 1)[1] in registry.INTERMEDIATES, path
            assert path.startswith(registry.directory(fig.experiment) + "/"), path
    assert set(registry.FIGURES) == {n for e in registry.EXPERIMENTS for n in registry.figures(e)}
    assert registry.FIGURES["fig2d-f_gaussian3d"].panels == "d-f"
    assert registry.FIGURES["fig3e-h_mnist_translation"].label == "Fig 3(e-h) mnist_translation"
    assert registry.FIGURES["appendix_iris"].panels == ""


def test_outputs_follow_the_switches():
    config = _config()
    red = config["redunet"]
    active = registry.active(red)
    assert active == [e for e, s in red["experiments"].items() if s["activate"]]
    out = registry.outputs(red)
    assert len(out) == len(active) * (len(registry.INTERMEDIATES) + 4)
    off = copy.deepcopy(red)
    off["experiments"][active[0]]["activate"] = False
    assert set(registry.outputs(off)) == {
        p for p in out if f"_{active[0]}." not in p and f"/{active[0]}/" not in p
    }
    off["activate"] = False
    assert registry.outputs(off) == [] and registry.active(off) == []


def test_dataset_names():
    config = _config()["redunet"]["experiments"]
    assert registry.dataset_name("gaussian3d", config["gaussian3d"]) == "gaussian3d_1"
    assert registry.dataset_name("iris", config["iris"]) == "iris"
    assert registry.dataset_name("mnist_rotation", config["mnist_rotation"]) == "mnist"
    data = _config()["data"]
    for exp in ("gaussian2d", "gaussian3d", "sinusoid"):  # a variant the data rules make
        family, variant = registry.dataset_name(exp, config[exp]).rsplit("_", 1)
        assert family == exp and int(variant) in data[family]["variants"]
