"""Plot one recovery figure from its table (no recomputation)."""

from typing import TYPE_CHECKING

import pandas as pd

from deeplaws.common.logging import setup_logging
from deeplaws.common.plotting import save_figure
from deeplaws.recovery.figures import figure_specs
from deeplaws.recovery.plotting import heatmap_figure, mixture_figure

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    table: str, pdf: str, png: str, figure: str, sigmas: list[float], dpi: int, caption: str
) -> None:
    spec = figure_specs(sigmas)[figure]
    frame = pd.read_csv(table)
    if spec.kind == "mixture":
        fig = mixture_figure(frame, spec.title)
    else:
        fig = heatmap_figure(frame, spec.title, spec.reference)
    save_figure(fig, pdf, png, dpi=dpi, caption=caption)


setup_logging(snakemake.log[0])
main(
    table=snakemake.input.table,
    pdf=snakemake.output.pdf,
    png=snakemake.output.png,
    figure=snakemake.wildcards.figure,
    sigmas=[float(s) for s in snakemake.params.sigmas],
    dpi=int(snakemake.params.dpi),
    caption=str(snakemake.params.caption),
)
