"""Download one raw dataset file into resources/download/ and check its SHA-256."""

from typing import TYPE_CHECKING

from deeplaws.common.logging import setup_logging
from deeplaws.data.download import fetch, raw_file

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(dest: str, source: str, filename: str, looked_in: list[str], config_key: str) -> None:
    fetch(raw_file(source, filename), dest, looked_in=looked_in, config_key=config_key)


setup_logging(snakemake.log[0])
main(
    dest=snakemake.output.raw,
    source=snakemake.wildcards.source,
    filename=snakemake.wildcards.filename,
    looked_in=list(snakemake.params.looked_in),
    config_key=snakemake.params.config_key,
)
