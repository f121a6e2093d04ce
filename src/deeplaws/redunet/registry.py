"""The ReduNet experiments and their files, from the validated config.

One compute job per experiment (construction + evaluation) writes the intermediates
``results/redunet/<experiment>/{rates,features,similarity,layer_features}.npz``,
``accuracy.csv`` and ``summary.json``; each experiment has one figure named after the
paper figure (``results/figures/redunet/<stem>_<experiment>``, drawn by its plot type)
and an accuracy table (``table_<experiment>``, plot type ``table``), as PDF and PNG. One
plot rule draws every figure: ``FIGURES`` maps a figure name to its experiment and plot
type, ``PLOT_INPUTS`` a plot type to the intermediates it reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Experiment:
    name: str
    kind: str  # vector | sinusoid | rotation | translation (the construction)
    stem: str  # the figure file stem (named after the paper figure)
    plot: str  # gaussian | invariance | appendix (its figure's plot type)
    title: str  # what its figure shows (docs tables)


EXPERIMENTS: dict[str, Experiment] = {
    e.name: e
    for e in (
        Experiment("gaussian2d", "vector", "fig2a-c", "gaussian", "Gaussian 2D: X, Z, rates"),
        Experiment("gaussian3d", "vector", "fig2d-f", "gaussian", "Gaussian 3D: X, Z, rates"),
        Experiment("iris", "vector", "appendix", "appendix", "Iris: rates, cosines of X and Z"),
        Experiment("mice", "vector", "appendix", "appendix", "Mice: rates, cosines of X and Z"),
        Experiment("sinusoid", "sinusoid", "appendix", "appendix", "1D sinusoids: rates, cosines"),
        Experiment(
            "mnist_rotation", "rotation", "fig3a-d", "invariance", "rotation-invariant MNIST"
        ),
        Experiment(
            "mnist_translation",
            "translation",
            "fig3e-h",
            "invariance",
            "translation-invariant MNIST",
        ),
        Experiment("mnist01_rotation", "rotation", "appendix", "appendix", "0/1 MNIST, rotation"),
        Experiment(
            "mnist01_translation", "translation", "appendix", "appendix", "0/1 MNIST, translation"
        ),
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

# plot type -> the intermediates its figure reads (input name -> file of the experiment);
# each plot type is drawn by workflow/scripts/redunet/plot_<type>.py with the caption
# workflow/report/redunet_<type>.rst
PLOT_INPUTS: dict[str, dict[str, str]] = {
    "gaussian": {"rates": "rates.npz", "features": "features.npz"},
    "invariance": {"similarity": "similarity.npz"},
    "appendix": {"rates": "rates.npz", "similarity": "similarity.npz"},
    "table": {"accuracy": "accuracy.csv"},
}


@dataclass(frozen=True)
class Figure:
    name: str  # the file stem: results/figures/redunet/<name>.{pdf,png}
    experiment: str
    plot: str  # a key of PLOT_INPUTS

    @property
    def panels(self) -> str:
        """The paper's panel letters of a figure named after one ("a-c" of fig2a-c), or ""."""
        stem = self.name[: -len(self.experiment) - 1]
        return stem[4:] if stem.startswith("fig") else ""

    @property
    def label(self) -> str:
        """The figure's label in the report."""
        if self.plot == "table":
            return f"accuracy table {self.experiment}"
        if self.panels:
            return f"Fig {self.name[3]}({self.panels}) {self.experiment}"
        return f"appendix {self.experiment}"

    def inputs(self) -> dict[str, str]:
        """The intermediates the figure reads, by input name."""
        return {k: f"{directory(self.experiment)}/{f}" for k, f in PLOT_INPUTS[self.plot].items()}


FIGURES: dict[str, Figure] = {
    f.name: f
    for e in EXPERIMENTS.values()
    for f in (
        Figure(f"{e.stem}_{e.name}", e.name, e.plot),
        Figure(f"table_{e.name}", e.name, "table"),
    )
}


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
