"""Draw one lens figure from the lens tables."""

from typing import TYPE_CHECKING

from deeplaws.common.logging import setup_logging
from deeplaws.common.plotting import save_figure
from deeplaws.lens.plots import emergence_figure, gfnn_figure, redunet_figure
from deeplaws.lens.tables import read_csv

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(figure: str, tables: list[str], pdf: str, png: str, eps2: float, dpi: int) -> None:
    a, b = (read_csv(p) for p in tables)
    if figure == "redunet_fuzziness":
        fig = redunet_figure(a, b)
    elif figure == "gfnn_rates":
        fig = gfnn_figure(a, b, eps2)
    elif figure == "emergence_rates":
        fig = emergence_figure(a, b, eps2)
    else:
        raise ValueError(f"unknown lens figure {figure!r}")
    save_figure(fig, pdf, png, dpi=dpi)


setup_logging(snakemake.log[0])
main(
    figure=snakemake.params.figure,
    tables=list(snakemake.input.tables),
    pdf=snakemake.output.pdf,
    png=snakemake.output.png,
    eps2=float(snakemake.params.eps2),
    dpi=int(snakemake.params.dpi),
)
