"""Run every panel of a recovery program as one job and write their records.

Trained nets: the cells of all panels at one (n, d) train as one batch. Finished trials
are reused from the record store (deeplaws.recovery.store); only the missing ones are
computed."""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy is imported: one core per job

from typing import TYPE_CHECKING, Any  # noqa: E402

from deeplaws.common.io import provenance, save_json  # noqa: E402
from deeplaws.common.logging import setup_logging  # noqa: E402
from deeplaws.recovery import store  # noqa: E402
from deeplaws.recovery.runtime import pin_threads  # noqa: E402

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    records: str,
    program: str,
    panels: list[tuple[str, list[int], list[int]]],
    trials: int,
    base_seed: int,
    settings: dict[str, Any],
    store_root: str | None,
    code: str,
) -> None:
    pin_threads(1)
    recs, stats = store.run_program(program, panels, trials, base_seed, settings, store_root, code)
    config = {
        "program": program,
        "panels": [list(p) for p in panels],
        "trials": trials,
        "settings": settings,
    }
    save_json(
        records,
        {
            "provenance": provenance(config=config, seed=base_seed),
            "reuse": {**stats, "store": store_root, "code": code},
            "records": recs,
        },
    )


setup_logging(snakemake.log[0])
main(
    records=snakemake.output.records,
    program=snakemake.wildcards.program,
    panels=[
        (str(key), [int(n) for n in ns], [int(d) for d in ds])
        for key, ns, ds in snakemake.params.panels
    ],
    trials=int(snakemake.params.trials),
    base_seed=int(snakemake.params.base_seed),
    settings=dict(snakemake.params.settings),
    store_root=snakemake.params.store or None,
    code=str(snakemake.params.code),
)
