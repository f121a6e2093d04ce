"""Copy the README gallery figures to docs/gallery/, write the claims table docs/claims.md
and the claim counts between the claims markers of README.md."""

import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from deeplaws.claims import COUNTS_BEGIN, COUNTS_END, render_counts, render_markdown
from deeplaws.common.io import atomic_path
from deeplaws.common.logging import setup_logging
from deeplaws.common.markers import replace_region

if TYPE_CHECKING:
    from snakemake.script import snakemake

log = logging.getLogger(__name__)


def main(
    csv: str, figures: list[str], md: str, copies: list[str], link_prefix: str, readme: str
) -> None:
    frame = pd.read_csv(csv, keep_default_na=False)
    frame["measured"] = pd.to_numeric(frame["measured"], errors="coerce")
    with open(md, "w") as fh:
        fh.write("# Paper claims checked by this pipeline (default config)\n\n")
        fh.write(render_markdown(frame, link_prefix=link_prefix))
    for src, dst in zip(figures, copies, strict=True):
        shutil.copyfile(src, dst)
        log.info("copied %s -> %s", src, dst)
    text = Path(readme).read_text()
    new = replace_region(text, render_counts(frame), COUNTS_BEGIN, COUNTS_END)
    if new != text:
        with atomic_path(readme) as tmp:
            tmp.write_text(new)
        log.info("wrote the claim counts into %s", readme)


setup_logging(snakemake.log[0])
main(
    csv=snakemake.input.csv,
    figures=list(snakemake.input.figures),
    md=snakemake.output.md,
    copies=list(snakemake.output.figures),
    link_prefix=snakemake.params.link_prefix,
    readme=snakemake.params.readme,
)
