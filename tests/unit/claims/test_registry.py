"""The claims registry config/claims.yaml: valid, every metric and argument exists, every
figure is one the rules make, every paper has enough claims."""

import inspect
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from deeplaws.claims import load_registry, unmet
from deeplaws.claims.core import get_metric
from deeplaws.common.config import merge_configs

ROOT = Path(__file__).resolve().parents[3]
REGISTRY = ROOT / "config/claims.yaml"
SCHEMA = ROOT / "workflow/schemas/claims.schema.yaml"


@pytest.fixture(scope="module")
def claims():
    return load_registry(REGISTRY, SCHEMA)


def test_registry_size(claims):
    per_paper = Counter(c.paper for c in claims)
    assert len(claims) >= 20
    assert all(per_paper[p] >= 5 for p in ("P1", "P2", "P3")), per_paper


def test_metric_arguments_bind(claims):
    for c in claims:
        sig = inspect.signature(get_metric(c.metric))
        sig.bind([Path(p) for p in c.inputs], **dict(c.args))  # TypeError if an arg is wrong


def _figure_patterns():
    """Regexes of the PNG outputs of the figure rules (wildcards -> one path segment)."""
    patterns = []
    for smk in (ROOT / "rules").glob("*.smk"):
        for lit in re.findall(r'f?"(results/figures/[^"]+\.png)"', smk.read_text()):
            lit = lit.replace("{{", "\x00").replace("}}", "\x01")
            parts = re.split(r"\{[^{}]*\}|\x00[^\x00\x01]*\x01", lit)
            patterns.append(re.compile("[^/]+".join(re.escape(p) for p in parts)))
    return patterns


def test_figure_files_are_rule_outputs(claims):
    patterns = _figure_patterns()
    assert patterns
    for c in claims:
        assert c.figure_file, c.id
        assert any(p.fullmatch(c.figure_file) for p in patterns), c.figure_file


def _every_separation_figure() -> set[str]:
    """Names of the separation figures of the paper config with every study switched on."""
    from deeplaws.common.config import check_config
    from deeplaws.separation.registry import Registry

    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    paper = yaml.safe_load((ROOT / "config/paper.yaml").read_text())
    for part in ("separation", "data"):
        for key, value in paper[part].items():
            if isinstance(value, dict) and isinstance(config[part].get(key), dict):
                config[part][key].update(value)
            else:
                config[part][key] = value
    for study in config["separation"].values():
        if isinstance(study, dict) and "activate" in study:
            study["activate"] = True
    check_config(config, ROOT / "workflow/schemas/config.schema.yaml")
    registry = Registry(config["separation"], config["data"]["subsets"]["keys"])
    return set(registry.figures) | ({"perturbation"} if registry.perturbation_runs else set())


def test_figure_names_are_known(claims):
    from deeplaws.recovery.figures import FIGURE_IDS
    from deeplaws.redunet.registry import EXPERIMENTS, figures

    redunet = {name for exp in EXPERIMENTS for name in figures(exp)}
    separation = _every_separation_figure()
    for c in claims:
        part, name = Path(c.figure_file).parent.name, Path(c.figure_file).stem
        if part == "recovery":
            assert name in FIGURE_IDS, c.figure_file
        elif part == "redunet":
            assert name in redunet, c.figure_file
        elif part == "lens":
            lens = (ROOT / "rules/common_lens.smk").read_text()
            assert f'LENS_FIGURES["{name}"]' in lens, c.figure_file
        else:
            assert part == "separation"
            assert name in separation, c.figure_file


def test_requirements_name_config_keys(claims):
    """Every `requires:` key exists in the default config, so a typo cannot hide a claim."""
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    for c in claims:
        for key in c.requires:
            node = config
            for part in key.split("."):
                assert isinstance(node, dict) and part in node, f"{c.id}: {key}"
                node = node[part]


def test_paper_config_runs_the_not_run_claims(claims):
    """Claims NOT RUN in the default config run in config/paper.yaml (merged over it)."""
    default = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    paper = yaml.safe_load((ROOT / "config/paper.yaml").read_text())

    merged = merge_configs(default, paper)
    skipped = [c for c in claims if unmet(c, default) is not None]
    assert skipped
    for c in skipped:
        assert unmet(c, merged) is None, (c.id, unmet(c, merged))


def test_texts_fit_a_markdown_table(claims):
    """A '|' in a statement or source would break the Markdown table of docs/claims.md."""
    for c in claims:
        assert "|" not in c.statement + c.source + (c.needs or ""), c.id
