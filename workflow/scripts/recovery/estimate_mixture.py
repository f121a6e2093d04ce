"""Estimate the Gaussian-mixture separability probability for one d."""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy is imported: one core per job

from typing import TYPE_CHECKING  # noqa: E402

from deeplaws.common.io import provenance, save_json  # noqa: E402
from deeplaws.common.logging import setup_logging  # noqa: E402
from deeplaws.common.seeding import derive_seed, make_rng  # noqa: E402
from deeplaws.recovery.mixture import curve, expected_probability  # noqa: E402

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    records: str,
    d: int,
    sigmas: list[float],
    n: int,
    samples: int,
    mean_draws: int,
    base_seed: int,
) -> None:
    recs = []
    for sigma in sigmas:
        keys = ("recovery", "mixture", d, f"{sigma:g}")
        rng = make_rng(base_seed, *keys)
        recs.append(
            {
                "d": d,
                "sigma": sigma,
                **curve(rng, d, sigma, n, samples, mean_draws),
                "closed_form": expected_probability(d, sigma, n),
                "mean_draws": mean_draws,
                "samples": samples,
                "n": n,
                "seed": derive_seed(base_seed, *keys),
            }
        )
    config = {"d": d, "sigmas": sigmas, "n": n, "samples": samples, "mean_draws": mean_draws}
    save_json(records, {"provenance": provenance(config=config, seed=base_seed), "records": recs})


setup_logging(snakemake.log[0])
main(
    records=snakemake.output.records,
    d=int(snakemake.wildcards.mixd),
    sigmas=[float(s) for s in snakemake.params.sigmas],
    n=int(snakemake.params.n),
    samples=int(snakemake.params.samples),
    mean_draws=int(snakemake.params.mean_draws),
    base_seed=int(snakemake.params.base_seed),
)
