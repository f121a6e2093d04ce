"""Gather the records of one recovery figure into one tidy CSV table."""

from typing import TYPE_CHECKING

from deeplaws.common.io import atomic_path
from deeplaws.common.logging import setup_logging
from deeplaws.recovery.figures import figure_specs
from deeplaws.recovery.tables import figure_table, mixture_table

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    table: str, records: list[str], figure: str, sigmas: list[float], grid: list[list[int]]
) -> None:
    if figure == "mix_prob":
        frame = mixture_table(records)
    else:
        frame = figure_table(figure_specs(sigmas)[figure], records)
        # the figure's own grid (a record set shared with a full-grid figure has more cells)
        ns, ds = grid
        frame = frame[frame["n"].isin(ns) & frame["d"].isin(ds)]
    with atomic_path(table) as tmp:
        frame.to_csv(tmp, index=False)


setup_logging(snakemake.log[0])
main(
    table=snakemake.output.table,
    records=list(snakemake.input.records),
    figure=snakemake.wildcards.figure,
    sigmas=[float(s) for s in snakemake.params.sigmas],
    grid=[[int(v) for v in axis] for axis in snakemake.params.grid],
)
