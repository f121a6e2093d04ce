"""Perturb the weights of a trained net layer by layer; record accuracies and D profiles."""

import logging
from typing import TYPE_CHECKING

from deeplaws.common.io import provenance, save_json
from deeplaws.common.logging import setup_logging
from deeplaws.separation.perturbation import perturbation_study
from deeplaws.separation.runs import load_state, load_tensors
from deeplaws.separation.threads import limited_threads

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    state: str,
    data: str,
    out: str,
    bn_mode: str,
    sigmas: list[float],
    draws: int,
    chunk: int,
    weighting: str,
    device: str,
    threads: int,
) -> None:
    tensors = load_tensors(data)
    model, spec = load_state(state, tensors.in_shape, device=device)
    with limited_threads(threads):
        record = perturbation_study(
            model,  # type: ignore[arg-type]
            spec.model,
            tensors.X_train,
            tensors.y_train,
            tensors.X_test,
            tensors.y_test,
            sigmas=sigmas,
            draws=draws,
            seed=spec.seed,
            bn_mode=bn_mode,
            chunk=chunk,
            weighting=weighting,
        )
    base = record["baseline"]
    logging.getLogger("deeplaws.separation").info(
        "baseline: test accuracy %.4f, r %.4f; %d perturbed nets",
        base["test_accuracy"],
        base["r"],
        len(record["rows"]),
    )
    save_json(out, provenance(spec=spec.as_dict(), key=spec.key(), state=state, **record))


setup_logging(snakemake.log[0])
p = snakemake.params
main(
    state=snakemake.input.state,
    data=snakemake.input.data,
    out=snakemake.output.record,
    bn_mode=snakemake.wildcards.sbn,
    sigmas=[float(s) for s in p.sigmas],
    draws=int(p.draws),
    chunk=int(p.chunk),
    weighting=p.weighting,
    device=p.device,
    threads=int(snakemake.threads),
)
