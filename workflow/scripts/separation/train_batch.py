"""Train the runs of one batch (same shape, differing in optimizer and lr); write each run's
state dict and training JSON."""

import logging
import platform
from typing import TYPE_CHECKING, Any

import torch

from deeplaws.common.io import provenance, save_json
from deeplaws.common.logging import setup_logging
from deeplaws.separation.runs import RunSpec, load_tensors, save_state, train_runs
from deeplaws.separation.threads import limited_threads
from deeplaws.separation.training import resolve_device

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    data: str,
    states: list[str],
    metas: list[str],
    specs: list[RunSpec],
    batched: bool,
    device: str,
    threads: int,
    snapshots: list[list[int]],
) -> None:
    log = logging.getLogger("deeplaws.separation")
    with limited_threads(threads):
        log.info(
            "training %d run(s) %s on %d thread(s): %s",
            len(specs),
            "as one batch" if batched and len(specs) > 1 else "one by one",
            threads,
            [f"{s.optimizer} {s.lr:g}" for s in specs],
        )
        tensors = load_tensors(data)
        trained = train_runs(specs, tensors, device, snapshots, batched=batched)
    for spec, (model, result), state, meta in zip(specs, trained, states, metas, strict=True):
        save_state(state, model, result, spec)
        summary = result.summary()
        if result.status == "ok":
            log.info(
                "%s lr %g: final loss %.5f, train accuracy %.4f, test accuracy %.4f",
                spec.optimizer,
                spec.lr,
                summary["final_loss"],
                summary["train_accuracy"],
                summary["test_accuracy"],
            )
        else:
            log.warning(
                "%s lr %g: %s at %s", spec.optimizer, spec.lr, result.status, result.diverged_at
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
                device=str(resolve_device(device)),
                machine=platform.machine(),
                train=summary,
            ),
        )


def _spec(shared: dict[str, Any], run: dict[str, Any], params: Any) -> RunSpec:
    return RunSpec(
        data=shared["sdata"],
        model=shared["smodel"],
        layer_num=int(shared["slayers"]),
        width=int(shared["swidth"]),
        optimizer=run["sopt"],
        lr=float(run["slr"]),
        epochs=int(shared["sepochs"]),
        variant=shared["sprotocol"],
        seed=int(shared["sseed"]),
        batch_size=int(params.batch_size),
        weight_decay=float(params.weight_decay),
        momentum=float(params.momentum),
        phase_a_epochs=int(params.phase_a_epochs),
    )


setup_logging(snakemake.log[0])
p = snakemake.params
main(
    data=snakemake.input.data,
    states=list(snakemake.output.states),
    metas=list(snakemake.output.metas),
    specs=[_spec(p.shared, run, p) for run in p.runs],
    batched=bool(p.batched),
    device=p.device,
    threads=int(snakemake.threads),
    snapshots=[[int(e) for e in s] for s in p.snapshots],
)
