"""Write one Gaussian 2D/3D dataset of ReduNet."""

from typing import TYPE_CHECKING

from deeplaws.common.logging import setup_logging
from deeplaws.data import synthetic, write_dataset

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    npz: str, meta: str, dim: int, variant: int, noise: float, samples: int, seed: int
) -> None:
    ds = synthetic.gaussian(dim=dim, variant=variant, noise=noise, samples=samples, seed=seed)
    params = {"dim": dim, "variant": variant, "noise": noise, "samples": samples}
    write_dataset(ds, npz, meta, params=params, seed=seed)


setup_logging(snakemake.log[0])
main(
    npz=snakemake.output.npz,
    meta=snakemake.output.meta,
    dim=int(snakemake.wildcards.dim),
    variant=int(snakemake.wildcards.variant),
    noise=float(snakemake.params.noise),
    samples=int(snakemake.params.samples),
    seed=int(snakemake.params.seed),
)
