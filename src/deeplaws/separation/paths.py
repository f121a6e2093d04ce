"""Paths of the separation part: where a training run and its measurements live.

A training run lives in results/separation/runs/<key~value path>/ (state.pt, train.json);
its measurements in .../measure/bn~<mode>_pca~<k>_taps~<option>_epoch~<e>.json.
"""

from __future__ import annotations

from typing import Any

# wildcard path of one training run (relative to results/separation/runs/)
RUN_WC = (
    "data~{sdata}/model~{smodel}/L~{slayers}/w~{swidth}/opt~{sopt}/lr~{slr}/ep~{sepochs}/"
    "protocol~{sprotocol}/seed~{sseed}"
)
MEASURE_NAME = "bn~{sbn}_pca~{spca}_taps~{staps}_epoch~{sepoch}"
RUN = f"results/separation/runs/{RUN_WC}"
MEASURE_WC = f"{RUN_WC}/{MEASURE_NAME}"
MEASURE = f"{RUN}/measure/{MEASURE_NAME}.json"
PERTURB = f"{RUN}/perturb/bn~{{sbn}}.json"
# the keys a batch of runs shares (everything but optimizer and lr)
BATCH_KEYS = ("sdata", "smodel", "slayers", "swidth", "sepochs", "sprotocol", "sseed")

Run = dict[str, Any]


def lr_str(value: float) -> str:
    """The path form of a learning rate (shortest float repr: 0.001, 3e-05, 1)."""
    return f"{float(value):g}"


def run_path(run: Run) -> str:
    return RUN.format(**run)


def run_file(run: Run, name: str) -> str:
    return f"{run_path(run)}/{name}"
