"""The ReduNet experiments and their files, from the validated config.

One compute job per experiment (construction + evaluation) writes the intermediates
``results/redunet/<experiment>/{rates,features,similarity,layer_features}.npz``,
``accuracy.csv`` and ``summary.json``; each experiment has one figure named after the
paper figure (``results/figures/redunet/<stem>_<experiment>``, drawn by the plot type's
rule) and an accuracy table (``table_<experiment>``), as PDF and PNG.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Experiment:
    name: str
    kind: str  # vector | sinusoid | rotation | translation (the construction)
    stem: str  # the figure file stem (named after the paper figure)
    plot: str  # gaussian | invariance | appendix (the figure rule)


EXPERIMENTS: dict[str, Experiment] = {
    e.name: e
    for e in (
        Experiment("gaussian2d", "vector", "fig2a-c", "gaussian"),
        Experiment("gaussian3d", "vector", "fig2d-f", "gaussian"),
        Experiment("iris", "vector", "appendix", "appendix"),
        Experiment("mice", "vector", "appendix", "appendix"),
        Experiment("sinusoid", "sinusoid", "appendix", "appendix"),
        Experiment("mnist_rotation", "rotation", "fig3a-d", "invariance"),
        Experiment("mnist_translation", "translation", "fig3e-h", "invariance"),
        Experiment("mnist01_rotation", "rotation", "appendix", "appendix"),
        Experiment("mnist01_translation", "translation", "appendix", "appendix"),
    )
}
INTERMEDIATES = (
    "rates.npz",
    "features.npz",
    "similarity.npz",
    "layer_features.npz",
    "accuracy.csv",
    "summary.json",
)


def directory(experiment: str) -> str:
    """results/redunet/<experiment>: the intermediates of one experiment."""
    return f"results/redunet/{experiment}"


def active(redunet: dict[str, Any]) -> list[str]:
    """Names of the experiments the config's ``redunet`` section switches on."""
    if not redunet["activate"]:
        return []
    return [e for e in EXPERIMENTS if redunet["experiments"][e]["activate"]]


def dataset_name(experiment: str, settings: dict[str, Any]) -> str:
    """The dataset an experiment reads (results/data/<name>.npz)."""
    if "dataset" in settings:
        return str(settings["dataset"])
    return "mnist" if experiment.startswith("mnist") else experiment


def figures(experiment: str) -> list[str]:
    """The figure names (file stems) of one experiment."""
    return [f"{EXPERIMENTS[experiment].stem}_{experiment}", f"table_{experiment}"]


def outputs(redunet: dict[str, Any]) -> list[str]:
    """Every file of the ReduNet part of a config."""
    out = []
    for exp in active(redunet):
        out += [f"{directory(exp)}/{name}" for name in INTERMEDIATES]
        for fig in figures(exp):
            out += [f"results/figures/redunet/{fig}.{ext}" for ext in ("pdf", "png")]
    return out
