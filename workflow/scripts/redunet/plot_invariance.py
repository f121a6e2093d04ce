"""Fig 3(a)-(d) / (e)-(h): heatmaps of all-shift training X and Z and the cross-class
similarity histograms between all-shift training and all-shift test samples."""

from typing import TYPE_CHECKING

from matplotlib.figure import Figure

from deeplaws.common.io import load_npz
from deeplaws.common.logging import setup_logging
from deeplaws.common.plotting import save_figure
from deeplaws.redunet import plots

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(similarity: str, pdf: str, png: str, panels: str, dpi: int) -> None:
    s = load_npz(similarity)
    letters = [chr(c) for c in range(ord(panels[0]), ord(panels[-1]) + 1)]
    fig = Figure(figsize=(17, 4), layout="constrained")
    for i, f in enumerate(("X", "Z")):
        plots.heatmap(
            fig,
            fig.add_subplot(1, 4, i + 1),
            s[f"{f}/train_shift/heatmap"],
            s[f"{f}/train_shift/labels"],
            f"({letters[i]}) |cos| of {f}, all shifts of train",
        )
    for i, f in enumerate(("X", "Z")):
        plots.cross_histogram(
            fig.add_subplot(1, 4, i + 3),
            s[f"{f}/cross/counts"],
            s[f"{f}/cross/edges"],
            f"({letters[i + 2]}) {f}: shifted train vs shifted test",
            float(s[f"{f}/cross/mean_across"]),
        )
    save_figure(fig, pdf, png, dpi=dpi)


setup_logging(snakemake.log[0])
main(
    similarity=snakemake.input.similarity,
    pdf=snakemake.output.pdf,
    png=snakemake.output.png,
    panels=snakemake.params.panels,
    dpi=int(snakemake.params.dpi),
)
