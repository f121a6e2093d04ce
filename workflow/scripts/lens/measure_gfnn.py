"""R, R_c, ΔR and D at every tap of saved GFNN runs, at initialisation, at the saved
snapshots and after training (tables under results/lens/)."""

import logging
from typing import TYPE_CHECKING, Any

import pandas as pd

from deeplaws.common.logging import setup_logging
from deeplaws.lens.gfnn import measure_run, profile_summary, training_gain
from deeplaws.lens.tables import write_csv
from deeplaws.separation.runs import load_tensors
from deeplaws.separation.threads import limited_threads

if TYPE_CHECKING:
    from snakemake.script import snakemake


def main(
    runs: list[dict[str, Any]],
    eps2: float,
    bn_mode: str,
    chunk: int,
    weighting: str,
    taps: str,
    profiles: str,
    gain: str,
    threads: int,
) -> None:
    log = logging.getLogger("deeplaws.lens")
    data = {}
    frames = []
    with limited_threads(threads):
        for run in runs:
            if run["data"] not in data:
                data[run["data"]] = load_tensors(run["data"])
            t = measure_run(
                run["state"], data[run["data"]], eps2, bn_mode=bn_mode, chunk=chunk,
                weighting=weighting, snapshots=bool(run["snapshots"]), study=run["study"],
            )  # fmt: skip
            frames.append(t.assign(state=run["state"], bn_mode=bn_mode))
            init = t[t["stage"] == "init"]
            log.info(
                "%s: %s, init from %s, %d stage(s)",
                run["study"], run["state"],
                init["source"].iloc[0] if len(init) else "-", t["stage"].nunique(),
            )  # fmt: skip
    table = pd.concat(frames, ignore_index=True)
    summary = profile_summary(table)
    gains = training_gain(table, summary)
    for row in gains.itertuples():
        log.info(
            "%s L=%d %s: dR gain over taps mean %.3f (positive at %.0f%%), last tap %.3f -> "
            "%.3f, peak at tap %d; rho %.3f -> %.3f, corr(log D, dR) %.2f",
            row.study, row.layer_num, row.optimizer, row.dR_gain_mean,
            100 * row.dR_gain_share_positive, row.dR_last_init, row.dR_last_final,
            row.dR_peak_tap_final, row.rho_init, row.rho_final, row.corr_logD_dR_final,
        )  # fmt: skip
    write_csv(table, taps)
    write_csv(summary, profiles)
    write_csv(gains, gain)


setup_logging(snakemake.log[0])
p = snakemake.params
main(
    runs=list(p.runs),
    eps2=float(p.eps2),
    bn_mode=p.bn_mode,
    chunk=int(p.chunk),
    weighting=p.weighting,
    taps=snakemake.output.taps,
    profiles=snakemake.output.profiles,
    gain=snakemake.output.gain,
    threads=int(snakemake.threads),
)
