"""Plot one equi-separation figure from measured profiles; write its sidecar JSON."""

from typing import TYPE_CHECKING, Any

from deeplaws.common.io import load_json, provenance, save_json
from deeplaws.common.logging import setup_logging
from deeplaws.common.plotting import save_figure
from deeplaws.separation.figures import assemble
from deeplaws.separation.plotting import profile_figure

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    profiles: list[str],
    trains: list[str],
    pdf: str,
    png: str,
    bare: str,
    sidecar: str,
    name: str,
    panels: list[dict[str, Any]],
    title: str,
    ncols: int,
    lr_rule: str,
    epochs: int,
    dpi: int,
) -> None:
    panel_data, records = assemble(
        panels,
        [load_json(p) for p in profiles],
        [load_json(p) for p in trains],
        lr_rule,
        paths=profiles,
    )
    save_figure(profile_figure(panel_data, ncols, annotate=True, suptitle=title), pdf, png, dpi=dpi)
    save_figure(profile_figure(panel_data, ncols, annotate=False), bare, dpi=dpi)
    save_json(
        sidecar,
        provenance(figure=name, title=title, lr_rule=lr_rule, epochs=epochs, panels=records),
    )


setup_logging(snakemake.log[0])
main(
    profiles=list(snakemake.input.profiles),
    trains=list(snakemake.input.trains),
    pdf=snakemake.output.pdf,
    png=snakemake.output.png,
    bare=snakemake.output.bare,
    sidecar=snakemake.output.sidecar,
    name=snakemake.params.name,
    panels=list(snakemake.params.panels),
    title=snakemake.params.title,
    ncols=int(snakemake.params.ncols),
    lr_rule=snakemake.params.lr_rule,
    epochs=int(snakemake.params.epochs),
    dpi=int(snakemake.params.dpi),
)
