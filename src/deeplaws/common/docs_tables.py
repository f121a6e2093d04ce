"""The figure tables of docs/redunet.md, docs/recovery.md and docs/separation.md, generated
from the registries of the three papers, and the README gallery's figures.

Each table lists every figure a registry can make (with every study of the paper switched
on), its files, what it shows, the claims of config/claims.yaml that read it, and whether
the default config and the paper config (config/paper.yaml over it) make it. The table of
a page lives between the markers ``<!-- figures:begin -->`` and ``<!-- figures:end -->``:

    python -m deeplaws.common.docs_tables           # rewrite the three pages
    python -m deeplaws.common.docs_tables --check   # exit 1 if a page is out of date
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from deeplaws.claims import load_registry
from deeplaws.common.config import check_config, merge_configs
from deeplaws.common.markers import replace_region as _replace
from deeplaws.recovery.captions import CAPTIONS as RECOVERY_CAPTIONS
from deeplaws.recovery.figures import FIGURE_IDS, figure_specs
from deeplaws.redunet import registry as redunet
from deeplaws.separation.registry import Registry as SeparationRegistry

BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"
PAGES = {
    "redunet": "docs/redunet.md",
    "recovery": "docs/recovery.md",
    "separation": "docs/separation.md",
}
SCHEMA = "workflow/schemas/config.schema.yaml"

# README gallery: (part, figure) of the figures docs/gallery/ shows, one or two per paper
GALLERY_FIGURES = (
    ("data", "overview"),
    ("redunet", "fig2a-c_gaussian2d"),
    ("redunet", "fig2d-f_gaussian3d"),
    ("recovery", "sk_rec_relax"),
    ("recovery", "nm_rec_1"),
    ("separation", "fig1_optimizers"),
    ("separation", "depth_cfm"),
)


def configs(root: Path) -> dict[str, dict[str, Any]]:
    """The validated default and paper configs, and the paper config with every study on."""
    default = yaml.safe_load((root / "config/config.yaml").read_text())
    paper = merge_configs(default, yaml.safe_load((root / "config/paper.yaml").read_text()))
    every = copy.deepcopy(paper)
    for section in ("redunet", "separation"):
        every[section]["activate"] = True
        for block in list(every[section].values()) + list(
            every[section].get("experiments", {}).values()
        ):
            if isinstance(block, dict) and "activate" in block:
                block["activate"] = True
    every["recovery"]["figures"] = list(FIGURE_IDS)
    out = {"default": default, "paper": paper, "every": every}
    for config in out.values():
        check_config(config, root / SCHEMA)
    return out


def _separation(config: dict[str, Any]) -> SeparationRegistry:
    return SeparationRegistry(config["separation"], config["data"]["subsets"]["keys"])


def _separation_names(config: dict[str, Any]) -> list[str]:
    reg = _separation(config)
    return list(reg.figures) + (["perturbation"] if reg.perturbation_runs else [])


def figure_names(config: dict[str, Any]) -> dict[str, list[str]]:
    """part -> the figures (file stems under results/figures/<part>/) a config makes."""
    return {
        "redunet": [f for e in redunet.active(config["redunet"]) for f in redunet.figures(e)],
        "recovery": list(config["recovery"]["figures"]),
        "separation": _separation_names(config),
    }


def claims_by_figure(root: Path) -> dict[str, list[str]]:
    """Figure file without suffix (results/figures/<part>/<name>) -> ids of its claims."""
    claims = load_registry(
        root / "config/claims.yaml", root / "workflow/schemas/claims.schema.yaml"
    )
    out: dict[str, list[str]] = {}
    for claim in claims:
        if claim.figure_file:
            out.setdefault(str(Path(claim.figure_file).with_suffix("")), []).append(claim.id)
    return out


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _made(part: str, name: str, made: dict[str, dict[str, list[str]]]) -> list[str]:
    return ["yes" if name in made[c][part] else "–" for c in ("default", "paper")]


def _claims(part: str, name: str, claims: dict[str, list[str]]) -> str:
    ids = claims.get(f"results/figures/{part}/{name}", [])
    return ", ".join(f"`{i}`" for i in ids) or "–"


def redunet_table(made: dict[str, dict[str, list[str]]], claims: dict[str, list[str]]) -> str:
    rows = []
    for fig in redunet.FIGURES.values():
        exp = redunet.EXPERIMENTS[fig.experiment]
        if fig.plot == "table":
            paper, shows = "accuracy table", f"SVM, kNN, nearest subspace on X and Z: {exp.name}"
        elif fig.panels:
            first, last = fig.panels.split("-")
            paper, shows = f"Fig {fig.name[3]}({first})–({last})", exp.title
        else:
            paper, shows = "appendix", exp.title
        rows.append(
            [f"`{fig.name}`", paper, shows, f"`{fig.name}.{{pdf,png}}`", fig.plot]
            + [_claims("redunet", fig.name, claims)]
            + _made("redunet", fig.name, made)
        )
    header = ["figure", "paper", "what it shows", "files", "plot type", "claims"]
    return _table(header + ["default", "paper config"], rows)


def _early_figure(caption: str) -> str:
    match = re.search(r"Early arXiv (Figs?\. .+?)\.(?:\s|$)", caption)
    return match.group(1) if match else "–"


def recovery_table(made: dict[str, dict[str, list[str]]], claims: dict[str, list[str]]) -> str:
    specs = figure_specs([0.0])
    rows = []
    for fid in FIGURE_IDS:
        spec = specs[fid]
        programs = sorted({p.program for p in spec.panels}) or ["mixture"]
        rows.append(
            [f"`{fid}`", _early_figure(RECOVERY_CAPTIONS[fid]), spec.title]
            + [", ".join(f"`{p}`" for p in programs), f"`{fid}.{{pdf,png}}`"]
            + [_claims("recovery", fid, claims)]
            + _made("recovery", fid, made)
        )
    header = ["ID", "early arXiv fig", "what it shows", "programs", "files", "claims"]
    return _table(header + ["default", "paper config"], rows)


def _caption_lead(root: Path, caption: str) -> str:
    """The bold first sentence of a separation caption file."""
    text = (root / f"workflow/report/separation_{caption}.rst").read_text()
    match = re.match(r"\*\*(.+?)\*\*", text)
    return match.group(1).rstrip(".") if match else caption


def separation_table(
    root: Path, every: dict[str, Any], made: dict[str, dict[str, list[str]]], claims
) -> str:
    reg = _separation(every)
    captions = {name: fig.caption for name, fig in reg.figures.items()}
    if reg.perturbation_runs:
        captions["perturbation"] = "perturbation"
    rows = [
        [f"`{name}`", _caption_lead(root, caption)]
        + [f"`{name}.{{pdf,png,json}}`, `bare/{name}.png`", _claims("separation", name, claims)]
        + _made("separation", name, made)
        for name, caption in captions.items()
    ]
    return _table(["figure", "what it shows", "files", "claims", "default", "paper config"], rows)


def tables(root: Path) -> dict[str, str]:
    """part -> its generated figure table."""
    cfg = configs(root)
    made = {name: figure_names(c) for name, c in cfg.items()}
    claims = claims_by_figure(root)
    return {
        "redunet": redunet_table(made, claims),
        "recovery": recovery_table(made, claims),
        "separation": separation_table(root, cfg["every"], made, claims),
    }


def replace_region(text: str, table: str) -> str:
    """``text`` with the region between the figure markers replaced by ``table``."""
    return _replace(text, table, BEGIN, END)


def pages(root: Path) -> dict[Path, str]:
    """Each page's path -> its text with the table regenerated."""
    out = {}
    for part, table in tables(root).items():
        path = root / PAGES[part]
        out[path] = replace_region(path.read_text(), table)
    return out


def gallery(root: Path) -> dict[str, str]:
    """docs/gallery/<part>_<figure>.png -> the PNG it copies, for every figure of
    GALLERY_FIGURES (each checked against the figures its registry makes)."""
    every = figure_names(configs(root)["every"]) | {"data": ["overview"]}
    out = {}
    for part, name in GALLERY_FIGURES:
        if name not in every[part]:
            raise ValueError(f"gallery figure {part}/{name} is not a figure of its registry")
        out[f"{part}_{name}.png"] = f"results/figures/{part}/{name}.png"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository")
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for path, text in pages(args.root).items():
        if path.read_text() != text:
            stale.append(path)
            if not args.check:
                path.write_text(text)
    for path in stale:
        print(f"{'out of date' if args.check else 'rewrote'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
