"""Plot one overview figure of every dataset artifact."""

from typing import TYPE_CHECKING

from deeplaws.common.logging import setup_logging
from deeplaws.common.plotting import save_figure
from deeplaws.data import load_dataset
from deeplaws.data.overview import plot_overview

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(datasets: list[str], pdf: str, png: str, dpi: int) -> None:
    fig = plot_overview([load_dataset(p) for p in datasets])
    save_figure(fig, pdf, png, dpi=dpi)


setup_logging(snakemake.log[0])
main(
    datasets=list(snakemake.input.datasets),
    pdf=snakemake.output.pdf,
    png=snakemake.output.png,
    dpi=int(snakemake.params.dpi),
)
