"""Measure the separation-fuzziness profile of a trained network from its state dict."""

import logging
from typing import TYPE_CHECKING

from deeplaws.common.io import provenance, save_json
from deeplaws.common.logging import setup_logging
from deeplaws.separation.runs import (
    RunDiverged,
    diverged_record,
    load_state,
    load_tensors,
    measure_model,
)
from deeplaws.separation.threads import limited_threads

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    state: str,
    data: str,
    out: str,
    bn_mode: str,
    pca: int | None,
    taps: str,
    epoch: int | None,
    chunk: int,
    weighting: str,
    device: str,
    threads: int,
) -> None:
    log = logging.getLogger("deeplaws.separation")
    tensors = load_tensors(data)
    try:
        model, spec = load_state(state, tensors.in_shape, epoch=epoch, device=device)
    except RunDiverged as err:
        log.warning("%s", err)
        record = diverged_record(err.spec, err.at)
        save_json(
            out,
            provenance(
                spec=err.spec.as_dict(), key=err.spec.key(), state=state, epoch=epoch, **record
            ),
        )
        return
    with limited_threads(threads):
        record = measure_model(
            model,
            spec.model,
            tensors.X_train,
            tensors.y_train.numpy(),
            bn_mode=bn_mode,
            pca=pca,
            taps=taps,
            chunk=chunk,
            weighting=weighting,
        )
    fit = record["fit"]
    log.info(
        "%s epoch %s: D %s, r %.4f, rho %.4f",
        spec.model,
        epoch if epoch is not None else "final",
        [round(d, 4) for d in record["D"]],
        fit["r"],
        fit["rho"],
    )
    save_json(
        out, provenance(spec=spec.as_dict(), key=spec.key(), state=state, epoch=epoch, **record)
    )


setup_logging(snakemake.log[0])
wc = snakemake.wildcards
main(
    state=snakemake.input.state,
    data=snakemake.input.data,
    out=snakemake.output.profile,
    bn_mode=wc.sbn,
    pca=None if wc.spca == "none" else int(wc.spca),
    taps=wc.staps,
    epoch=None if wc.sepoch == "final" else int(wc.sepoch),
    chunk=int(snakemake.params.chunk),
    weighting=snakemake.params.weighting,
    device=snakemake.params.device,
    threads=int(snakemake.threads),
)
