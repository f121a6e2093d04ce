"""Train one equi-separation network; write its state dict and a JSON of its training."""

import logging
import platform
from typing import TYPE_CHECKING

import torch

from deeplaws.common.io import provenance, save_json
from deeplaws.common.logging import setup_logging
from deeplaws.separation.runs import RunSpec, load_tensors, save_state, train_run

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    data: str,
    state: str,
    meta: str,
    spec: RunSpec,
    device: str,
    threads: int,
    snapshots: list[int],
) -> None:
    torch.set_num_threads(threads)
    log = logging.getLogger("deeplaws.separation")
    log.info("training %s (key %s) on %d thread(s)", spec, spec.key(), threads)
    tensors = load_tensors(data)
    model, result = train_run(spec, tensors, device=device, snapshot_epochs=snapshots)
    save_state(state, model, result, spec)
    summary = result.summary()
    log.info(
        "final loss %.5f, train accuracy %.4f, test accuracy %.4f, %.1f s",
        summary["final_loss"],
        summary["train_accuracy"],
        summary["test_accuracy"],
        summary["wall_seconds"],
    )
    save_json(
        meta,
        provenance(
            spec=spec.as_dict(),
            key=spec.key(),
            data=data,
            data_notes=tensors.meta.get("notes", []),
            torch=torch.__version__,
            threads=threads,
            device=str(next(model.parameters()).device),
            machine=platform.machine(),
            train=summary,
        ),
    )


setup_logging(snakemake.log[0])
wc = snakemake.wildcards
main(
    data=snakemake.input.data,
    state=snakemake.output.state,
    meta=snakemake.output.meta,
    spec=RunSpec(
        data=wc.sdata,
        model=wc.smodel,
        layer_num=int(wc.slayers),
        width=int(wc.swidth),
        optimizer=wc.sopt,
        lr=float(wc.slr),
        epochs=int(wc.sepochs),
        variant=wc.sprotocol,
        seed=int(wc.sseed),
        batch_size=int(snakemake.params.batch_size),
        weight_decay=float(snakemake.params.weight_decay),
        momentum=float(snakemake.params.momentum),
        phase_a_epochs=int(snakemake.params.phase_a_epochs),
    ),
    device=snakemake.params.device,
    threads=int(snakemake.threads),
    snapshots=[int(e) for e in snakemake.params.snapshots],
)
