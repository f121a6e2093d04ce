"""Plot the weight-perturbation figure from its records; write its sidecar JSON."""

from typing import TYPE_CHECKING

from deeplaws.common.io import load_json, provenance, save_json
from deeplaws.common.logging import setup_logging
from deeplaws.common.plotting import save_figure
from deeplaws.separation.perturbation import perturbation_figure

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    records: list[str], pdf: str, png: str, bare: str, sidecar: str, title: str, dpi: int
) -> None:
    recs = [load_json(p) for p in records]
    titles = [
        f"{r['spec']['layer_num'] + 2} layers, {r['spec']['optimizer']} lr {r['spec']['lr']:g}"
        for r in recs
    ]
    save_figure(perturbation_figure(recs, titles, suptitle=title), pdf, png, dpi=dpi)
    save_figure(perturbation_figure(recs, titles, annotate=False), bare, dpi=dpi)
    save_json(
        sidecar,
        provenance(
            figure="perturbation",
            title=title,
            panels=[
                {
                    "title": t,
                    "profile": p,
                    "protocol": r["protocol"],
                    "baseline": r["baseline"],
                    "summary": r["summary"],
                }
                for t, p, r in zip(titles, records, recs, strict=True)
            ],
        ),
    )


setup_logging(snakemake.log[0])
main(
    records=list(snakemake.input.records),
    pdf=snakemake.output.pdf,
    png=snakemake.output.png,
    bare=snakemake.output.bare,
    sidecar=snakemake.output.sidecar,
    title=snakemake.params.title,
    dpi=int(snakemake.params.dpi),
)
