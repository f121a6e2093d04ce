"""Appendix figures: rate curves and |cos| heatmaps of X and Z (Iris, Mice, sinusoid,
0/1 MNIST)."""

from typing import TYPE_CHECKING

from matplotlib.figure import Figure

from deeplaws.common.io import load_npz
from deeplaws.common.logging import setup_logging
from deeplaws.common.plotting import save_figure
from deeplaws.redunet import plots

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    rates: str, similarity: str, pdf: str, png: str, title: str, convention: str, dpi: int
) -> None:
    r, s = load_npz(rates), load_npz(similarity)
    fig = Figure(figsize=(18, 4), layout="constrained")
    ax = fig.add_subplot(1, 4, 1)
    plots.loss_curves(ax, r, convention)
    ax.set_title(f"{title}: rates ({convention} labels)", fontsize=9)
    shifted = "X/train_shift/heatmap" in s
    panels = [("X", "train"), ("Z", "train"), ("Z", "test")]
    if shifted:
        panels = [("X", "train_shift"), ("Z", "train_shift"), ("Z", "test")]
    for i, (f, n) in enumerate(panels):
        plots.heatmap(
            fig,
            fig.add_subplot(1, 4, i + 2),
            s[f"{f}/{n}/heatmap"],
            s[f"{f}/{n}/labels"],
            f"|cos| of {f} ({n})",
        )
    save_figure(fig, pdf, png, dpi=dpi)


setup_logging(snakemake.log[0])
main(
    rates=snakemake.input.rates,
    similarity=snakemake.input.similarity,
    pdf=snakemake.output.pdf,
    png=snakemake.output.png,
    title=snakemake.params.experiment,
    convention=snakemake.params.convention,
    dpi=int(snakemake.params.dpi),
)
