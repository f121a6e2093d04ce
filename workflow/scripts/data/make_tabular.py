"""Write Iris, digits (scikit-learn) or Mice Protein (UCI) as a dataset file."""

from typing import TYPE_CHECKING

from deeplaws.common.logging import setup_logging
from deeplaws.data import tabular, write_dataset
from deeplaws.data.download import verify_raw

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    npz: str, meta: str, name: str, raw: list[str], test_size: float, random_state: int
) -> None:
    if name == "iris":
        ds = tabular.iris(test_size, random_state)
    elif name == "digits":
        ds = tabular.digits(test_size, random_state)
    elif name == "mice":
        verify_raw("mice", raw)
        ds = tabular.mice(raw[0], test_size, random_state)
    else:
        raise ValueError(f"unknown tabular dataset {name!r}")
    params = {"test_size": test_size, "random_state": random_state}
    write_dataset(ds, npz, meta, params=params, seed=random_state)


setup_logging(snakemake.log[0])
main(
    npz=snakemake.output.npz,
    meta=snakemake.output.meta,
    name=snakemake.wildcards.tabular,
    raw=list(snakemake.input.raw),
    test_size=float(snakemake.params.test_size),
    random_state=int(snakemake.params.random_state),
)
