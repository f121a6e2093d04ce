"""Separation fuzziness D after every stored layer of the ReduNet constructions, with the
log-linear fit over layers (tables under results/lens/)."""

import logging
from typing import TYPE_CHECKING

import pandas as pd

from deeplaws.common.logging import setup_logging
from deeplaws.lens.redunet import SPLITS, fuzziness_table, layer_fit, load_layer_features
from deeplaws.lens.tables import write_csv

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(features: list[str], experiments: list[str], table: str, fit: str, weighting: str) -> None:
    log = logging.getLogger("deeplaws.lens")
    tables, fits = [], []
    for path, name in zip(features, experiments, strict=True):
        lf = load_layer_features(path)
        t = fuzziness_table(lf, weighting=weighting).assign(experiment=name, weighting=weighting)
        tables.append(t)
        for split in SPLITS:
            if split in lf.features or not lf.features:
                f = {**layer_fit(t, split), "experiment": name}
                fits.append(f)
                log.info(
                    "%s %s: %d layers %d..%d, rho %.4g, r %.4f, D %.4g -> %.4g (%s)",
                    name, split, f["layers_stored"], f["layer_first"], f["layer_last"],
                    f["rho"], f["r"], f["D_first"], f["D_last"], f["status"],
                )  # fmt: skip
    write_csv(pd.concat(tables, ignore_index=True), table)
    write_csv(pd.DataFrame(fits), fit)


setup_logging(snakemake.log[0])
main(
    features=list(snakemake.input.features),
    experiments=list(snakemake.params.experiments),
    table=snakemake.output.table,
    fit=snakemake.output.fit,
    weighting=snakemake.params.weighting,
)
