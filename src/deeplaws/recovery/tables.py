"""Records → one tidy table per figure (plots read only that table)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from deeplaws.common.io import load_json
from deeplaws.recovery.figures import PROBABILITY_METRICS, FigureSpec

COLUMNS = [
    "figure",
    "row",
    "col",
    "title",
    "metric",
    "program",
    "panel",
    "xdist",
    "planted",
    "k",
    "sigma",
    "n",
    "d",
    "trial",
    "seed",
    "status",
    "value",
    "all_ones",
    "n_patterns",
    "solve_seconds",
    "compile_seconds",
    "strategy",
    "exit",
    "patterns_used",
    "outer_iterations",
    "dual_violation",
]
# Statuses of a trial that finished as intended; every other status (optimal_inaccurate,
# certificate_failed, a solver failure, error, pattern_clash, diverged) is counted per panel
# and noted on the figure.
CLEAN_STATUSES = ("optimal", "checked", "trained", "skipped")


def load_records(paths: list[str]) -> dict[tuple[str, str], list[dict]]:
    """Records of the given unit files, grouped by (program, panel key)."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for path in paths:
        for rec in load_json(path)["records"]:
            groups[(rec["program"], rec["panel"])].append(rec)
    return groups


def metric_value(rec: dict, metric: str) -> float:
    """A record's metric as a float: flags as 0/1 (a failed trial is 0), distances as is."""
    value = rec.get(metric)
    if metric in PROBABILITY_METRICS:
        return float(bool(value))
    return float("nan") if value is None else float(value)


def figure_table(spec: FigureSpec, paths: list[str]) -> pd.DataFrame:
    """One row per (panel of the figure, trial record)."""
    groups = load_records(paths)
    rows = []
    for ref in spec.panels:
        for rec in groups.get((ref.program, ref.panel.key), []):
            rows.append(
                {
                    "figure": spec.id,
                    "row": ref.row,
                    "col": ref.col,
                    "title": ref.title,
                    "metric": ref.metric,
                    **{c: rec.get(c) for c in COLUMNS[5:16]},
                    "value": metric_value(rec, ref.metric),
                    **{c: rec.get(c) for c in COLUMNS[17:]},
                }
            )
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.sort_values(["row", "col", "d", "n", "trial"], kind="stable")


def mixture_table(paths: list[str]) -> pd.DataFrame:
    rows = [rec for path in paths for rec in load_json(path)["records"]]
    cols = ["figure", "d", "sigma", "probability", "probability_lo", "probability_hi"]
    cols += ["closed_form", "mean_draws", "samples", "n", "seed"]
    table = pd.DataFrame([{"figure": "mix_prob", **r} for r in rows], columns=cols)
    return table.sort_values(["d", "sigma"], kind="stable")


def status_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Trials per (row, col, status) for every status outside CLEAN_STATUSES."""
    dirty = table[~table["status"].isin(CLEAN_STATUSES)]
    counts = dirty.groupby(["row", "col", "status"], sort=True).size()
    return counts.rename("trials").reset_index()


def status_note(table: pd.DataFrame) -> str:
    """'k status, … of N trials' for the statuses outside CLEAN_STATUSES ('' if none)."""
    counts = table.loc[~table["status"].isin(CLEAN_STATUSES), "status"].value_counts()
    if counts.empty:
        return ""
    parts = ", ".join(f"{int(v)} {k}" for k, v in sorted(counts.items()))
    return f"{parts} of {len(table)} trials"


def cell_means(table: pd.DataFrame) -> pd.DataFrame:
    """Mean over trials per (row, col, n, d), NaN-aware (nanmean as in the original)."""
    grouped = table.groupby(["row", "col", "title", "metric", "n", "d"], sort=True)
    return grouped["value"].agg(lambda v: np.nan if v.isna().all() else np.nanmean(v)).reset_index()
