"""Write one sinusoid dataset of ReduNet."""

from typing import TYPE_CHECKING

from deeplaws.common.logging import setup_logging
from deeplaws.data import synthetic, write_dataset

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(npz: str, meta: str, variant: int, time: int, samples: int, seed: int) -> None:
    ds = synthetic.sinusoid(variant=variant, time=time, samples=samples, seed=seed)
    params = {"variant": variant, "time": time, "samples": samples}
    write_dataset(ds, npz, meta, params=params, seed=seed)


setup_logging(snakemake.log[0])
main(
    npz=snakemake.output.npz,
    meta=snakemake.output.meta,
    variant=int(snakemake.wildcards.variant),
    time=int(snakemake.params.time),
    samples=int(snakemake.params.samples),
    seed=int(snakemake.params.seed),
)
