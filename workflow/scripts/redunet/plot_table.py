"""Rendered accuracy table of one experiment (SVM, kNN, nearest subspace on X and Z)."""

from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from deeplaws.common.logging import setup_logging
from deeplaws.common.plotting import save_figure
from deeplaws.redunet import plots

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(accuracy: str, pdf: str, png: str, title: str, dpi: int) -> None:
    table = pd.read_csv(accuracy)
    fig = Figure(figsize=(6, 0.6 + 0.3 * len(table) / 3))
    plots.accuracy_table(fig, table, f"{title}: accuracy")
    save_figure(fig, pdf, png, dpi=dpi)


setup_logging(snakemake.log[0])
main(
    accuracy=snakemake.input.accuracy,
    pdf=snakemake.output.pdf,
    png=snakemake.output.png,
    title=snakemake.params.experiment,
    dpi=int(snakemake.params.dpi),
)
