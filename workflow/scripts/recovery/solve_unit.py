"""Run one unit of recovery trials (a cell, one trial or a column) and write its records.

Finished trials are reused from the record store (deeplaws.recovery.store); only the
missing ones are computed."""

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
    panel: str,
    unit: str,
    ns: list[int],
    ds: list[int],
    trials: int,
    base_seed: int,
    settings: dict[str, Any],
    store_root: str | None,
    code: str,
) -> None:
    pin_threads(1)
    recs, stats = store.run_unit(
        program, panel, unit, ns, ds, trials, base_seed, settings, store_root, code
    )
    config = {
        "program": program,
        "panel": panel,
        "unit": unit,
        "ns": ns,
        "ds": ds,
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
    panel=snakemake.wildcards.panel,
    unit=snakemake.wildcards.unit,
    ns=[int(n) for n in snakemake.params.ns],
    ds=[int(d) for d in snakemake.params.ds],
    trials=int(snakemake.params.trials),
    base_seed=int(snakemake.params.base_seed),
    settings=dict(snakemake.params.settings),
    store_root=snakemake.params.store or None,
    code=str(snakemake.params.code),
)
