"""The config schema is the one source of the defaults of the packages' settings classes:
their fields are config keys (a renamed key fails here) and their defaults the schema's."""

import dataclasses
import inspect
from pathlib import Path

import pytest
import yaml

from deeplaws.common.config import check_config
from deeplaws.common.defaults import schema_defaults, schema_defaults_of, schema_section
from deeplaws.recovery import experiments
from deeplaws.redunet.network import ConstructionConfig
from deeplaws.separation import batched, runs, training

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())


def _keys(dotted: str) -> dict:
    """The properties of a config section, read from the YAML file directly."""
    node = SCHEMA
    for part in dotted.split("."):
        node = node["properties"][part]
    return node["properties"]


def _default(dotted: str, key: str):
    return _keys(dotted)[key]["default"]


def _assert_default(value, dotted: str, key: str) -> None:
    expected = _default(dotted, key)
    assert value == expected, (dotted, key, value, expected)
    # the same kind of number (an int where the schema writes a float is a float field)
    assert isinstance(value, type(expected)) or isinstance(value, float), (dotted, key)


def test_schema_section_and_defaults_read_the_yaml() -> None:
    assert schema_section("recovery.nonconvex")["properties"] == _keys("recovery.nonconvex")
    tiny = {"properties": {"a": {"properties": {"b": {"type": "integer", "default": 3}}}}}
    assert schema_section("a", tiny)["properties"]["b"]["default"] == 3
    got = schema_defaults("recovery", "recovery.nonconvex")
    assert got["solver"] == _default("recovery", "solver")
    assert got["epochs"] == _default("recovery.nonconvex", "epochs")
    got["sigmas"].append(99.0)  # a copy: the next caller sees the schema's list
    assert 99.0 not in schema_defaults("recovery")["sigmas"]
    with pytest.raises(ValueError, match="more than one"):
        schema_defaults("recovery", "recovery")


def test_the_decorator_fills_the_schema_defaults_of_keys_only() -> None:
    @dataclasses.dataclass
    @schema_defaults_of("redunet", aliases={"lambda_": "lambda"})
    class Toy:
        layers: int  # no key of the section: stays required
        lambda_: float  # the key lambda, written 500 in the schema: a float here
        eps2: float
        backend: str = "reference"  # a default of its own is kept

    toy = Toy(layers=2)
    assert toy.lambda_ == _default("redunet", "lambda") and type(toy.lambda_) is float
    assert toy.eps2 == _default("redunet", "eps2") and toy.backend == "reference"
    with pytest.raises(TypeError):
        Toy()  # type: ignore[call-arg]

    @dataclasses.dataclass
    @schema_defaults_of("redunet")
    class Renamed:
        epsilon2: float  # no such key: no default

    with pytest.raises(TypeError):
        Renamed()  # type: ignore[call-arg]


def test_recovery_settings_are_keys_with_the_schema_defaults() -> None:
    s = experiments.Settings()
    for f in dataclasses.fields(experiments.Settings):
        owners = [sec for sec in experiments.SECTIONS if f.name in _keys(sec)]
        assert len(owners) == 1, f"Settings.{f.name} is no key of one of {experiments.SECTIONS}"
        _assert_default(getattr(s, f.name), owners[0], f.name)
    with pytest.raises(ValueError, match="unknown settings"):
        experiments.Settings.from_dict({"max_iter": 1})


def test_construction_config_fields_are_redunet_keys() -> None:
    experiment_keys = [set(_keys(f"redunet.experiments.{e}")) for e in _keys("redunet.experiments")]
    cfg = ConstructionConfig(layers=1, eta=0.1)
    for f in dataclasses.fields(ConstructionConfig):
        key = f.name.rstrip("_")  # lambda_ is redunet.lambda
        if f.name in ConstructionConfig.CODE_ONLY:
            assert all(key not in keys for keys in experiment_keys) and key not in _keys("redunet")
        elif key in _keys("redunet"):
            _assert_default(getattr(cfg, f.name), "redunet", key)
        else:
            assert all(key in keys for keys in experiment_keys), f"{key}: no experiment key"


def test_construction_config_from_the_params_of_the_default_config() -> None:
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    check_config(config, ROOT / "workflow/schemas/config.schema.yaml")
    r = config["redunet"]
    for name, exp in r["experiments"].items():
        cfg = ConstructionConfig.from_params({**exp, "lambda": r["lambda"]}, r)
        assert (cfg.layers, cfg.eta, cfg.lambda_, cfg.eps2) == (
            exp["layers"],
            exp["eta"],
            r["lambda"],
            r["eps2"],
        ), name
        assert cfg.snapshot_every == exp["snapshot_every"] and cfg.backend == r["backend"]


SEPARATION_KEYS = {
    "seed": "separation",
    "batch_size": "separation.training",
    "weight_decay": "separation.training",
    "momentum": "separation.training",
    "phase_a_epochs": "separation.frozen",
}


def test_separation_defaults_are_the_schema_defaults() -> None:
    spec = runs.RunSpec("toy", "GFNN", 2, 16, "sgd", 0.1, 1)
    for key, section in SEPARATION_KEYS.items():
        _assert_default(getattr(spec, key), section, key)
    for fn in (training.train_network, batched.train_batch):
        for name, p in inspect.signature(fn).parameters.items():
            if name in SEPARATION_KEYS:
                _assert_default(p.default, SEPARATION_KEYS[name], name)
