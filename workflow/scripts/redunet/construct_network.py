"""Construct one ReduNet experiment and evaluate it."""

from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from deeplaws.common.io import atomic_path, provenance, save_json, save_npz
from deeplaws.common.logging import setup_logging
from deeplaws.data import load_dataset
from deeplaws.redunet.network import ConstructionConfig
from deeplaws.redunet.run import run_experiment

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    data: str,
    rates: str,
    features: str,
    similarity: str,
    layer_features: str,
    accuracy: str,
    summary: str,
    experiment: str,
    settings: dict[str, Any],
    switches: dict[str, Any],
    threads: int,
) -> None:
    torch.set_num_threads(threads)
    ds = load_dataset(data)
    cfg = ConstructionConfig.from_params(settings, switches)
    with threadpool_limits(threads):  # NumPy's BLAS as well as torch
        res = run_experiment(ds, settings["kind"], settings, cfg, n_comp=int(settings["n_comp"]))
    save_npz(rates, res.rates)
    save_npz(features, res.features)
    save_npz(similarity, res.similarity)
    save_npz(layer_features, {**res.layer_features, "experiment": np.str_(experiment)})
    with atomic_path(accuracy) as tmp:
        res.accuracy.to_csv(tmp, index=False)
    config_slice = {"experiment": experiment, "settings": settings, "switches": switches}
    save_json(summary, provenance(config=config_slice, seed=None, dataset=data, **res.summary))


setup_logging(snakemake.log[0])
main(
    data=snakemake.input.data,
    rates=snakemake.output.rates,
    features=snakemake.output.features,
    similarity=snakemake.output.similarity,
    layer_features=snakemake.output.layer_features,
    accuracy=snakemake.output.accuracy,
    summary=snakemake.output.summary,
    experiment=snakemake.wildcards.experiment,
    settings=dict(snakemake.params.settings),
    switches=dict(snakemake.params.switches),
    threads=int(snakemake.threads),
)
