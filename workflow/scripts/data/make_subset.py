"""Write one equi-separation training subset."""

from pathlib import Path
from typing import TYPE_CHECKING

from deeplaws.common.logging import setup_logging
from deeplaws.data import write_dataset
from deeplaws.data.cifar import read_cifar10
from deeplaws.data.download import verify_raw
from deeplaws.data.mnist import FASHION_CLASSES, idx_dataset
from deeplaws.data.subsets import make_subset

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    npz: str,
    meta: str,
    key: str,
    source: str,
    raw: list[str],
    per_class: int,
    seed: int,
    imbalance: tuple[int, int] | None,
) -> None:
    verify_raw(source, raw)
    files = {Path(p).name: p for p in raw}
    if source == "cifar10":
        raw_ds = read_cifar10(files["cifar-10-python.tar.gz"])
    elif source == "fashion_mnist":
        raw_ds = idx_dataset("fashion_mnist_raw", files, "Fashion-MNIST IDX files", FASHION_CLASSES)
    else:
        raw_ds = idx_dataset("mnist_raw", files, "MNIST IDX files", [str(i) for i in range(10)])
    ds = make_subset(key, raw_ds, per_class=per_class, seed=seed, imbalance=imbalance)
    params = {"key": key, "source": source, "per_class": per_class, "imbalance": imbalance}
    write_dataset(ds, npz, meta, params=params, seed=seed)


setup_logging(snakemake.log[0])
main(
    npz=snakemake.output.npz,
    meta=snakemake.output.meta,
    key=snakemake.wildcards.key,
    source=snakemake.params.source,
    raw=list(snakemake.input.raw),
    per_class=int(snakemake.params.per_class),
    seed=int(snakemake.params.seed),
    imbalance=tuple(snakemake.params.imbalance) if snakemake.params.imbalance else None,
)
