"""Measure the separation-fuzziness profile of a trained network from its state dict."""

import logging
from typing import TYPE_CHECKING

import torch

from deeplaws.common.io import provenance, save_json
from deeplaws.common.logging import setup_logging
from deeplaws.separation.runs import load_state, load_tensors, measure_model

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
    device: str,
    threads: int,
) -> None:
    torch.set_num_threads(threads)
    tensors = load_tensors(data)
    model, spec = load_state(state, tensors.in_shape, epoch=epoch, device=device)
    record = measure_model(
        model,
        spec.model,
        tensors.X_train,
        tensors.y_train.numpy(),
        bn_mode=bn_mode,
        pca=pca,
        taps=taps,
        chunk=chunk,
    )
    fit = record["fit"]
    logging.getLogger("deeplaws.separation").info(
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
    device=snakemake.params.device,
    threads=int(snakemake.threads),
)
