"""Fig 2(a)-(c) / (d)-(f): Gaussian inputs X, features Z and the rate curves."""

from typing import TYPE_CHECKING

from matplotlib.figure import Figure

from deeplaws.common.io import load_npz
from deeplaws.common.logging import setup_logging
from deeplaws.common.plotting import save_figure
from deeplaws.redunet import plots

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    rates: str, features: str, pdf: str, png: str, panels: str, convention: str, dpi: int
) -> None:
    r, f = load_npz(rates), load_npz(features)
    X, Z, y = f["X/train"], f["Z/train"], f["y/train"]
    first, second, third = panels.split("-")[0], chr(ord(panels[0]) + 1), panels.split("-")[1]
    fig = Figure(figsize=(13, 4), layout="constrained")
    if X.shape[1] == 2:
        plots.scatter2d(fig.add_subplot(1, 3, 1), X, y, f"({first}) input X (train)")
        plots.scatter2d(fig.add_subplot(1, 3, 2), Z, y, f"({second}) features Z (train)")
    else:
        plots.scatter3d(
            fig.add_subplot(1, 3, 1, projection="3d"), X, y, f"({first}) input X (train)"
        )
        plots.scatter3d(
            fig.add_subplot(1, 3, 2, projection="3d"), Z, y, f"({second}) features Z (train)"
        )
    ax = fig.add_subplot(1, 3, 3)
    plots.loss_curves(ax, r, convention)
    ax.set_title(f"({third}) rates per layer ({convention} labels)")
    save_figure(fig, pdf, png, dpi=dpi)


setup_logging(snakemake.log[0])
main(
    rates=snakemake.input.rates,
    features=snakemake.input.features,
    pdf=snakemake.output.pdf,
    png=snakemake.output.png,
    panels=snakemake.params.panels,
    convention=snakemake.params.convention,
    dpi=int(snakemake.params.dpi),
)
