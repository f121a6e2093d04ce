"""Check every claim of the registry against this config's results (FAIL first)."""

import logging
from typing import TYPE_CHECKING

from deeplaws.claims import evaluate, load_registry, render_html, render_markdown
from deeplaws.common.io import atomic_path
from deeplaws.common.logging import setup_logging

if TYPE_CHECKING:
    from snakemake.script import snakemake

log = logging.getLogger(__name__)


def main(
    registry: str, schema: str, reasons: dict[str, str | None], csv: str, md: str, html: str
) -> None:
    claims = load_registry(registry, schema)
    frame = evaluate(claims, reasons, root=".")
    with atomic_path(csv) as tmp:
        frame.to_csv(tmp, index=False)
    with atomic_path(md) as tmp:
        tmp.write_text(render_markdown(frame))
    # results/claims.html links its figures relative to results/
    linked = frame.assign(figure_file=[f"../{p}" if p else "" for p in frame["figure_file"]])
    with atomic_path(html) as tmp:
        tmp.write_text(render_html(linked))
    counts = frame["status"].value_counts().to_dict()
    log.info("%d claims: %s", len(frame), counts)


setup_logging(snakemake.log[0])
main(
    registry=snakemake.input.registry,
    schema=snakemake.input.schema,
    reasons=dict(snakemake.params.reasons),
    csv=snakemake.output.csv,
    md=snakemake.output.md,
    html=snakemake.output.html,
)
