"""Finished trial records, kept one file per (program, panel, n, d, trial) for reuse.

A unit job (a cell, a trial, a column or a whole panel of one program) first looks up
each of its trials in the store and computes only the missing ones. A stored record is
reused only if its key matches: the trial's identity (program, panel, n, d, trial), the
base seed, the program's settings and the fingerprint of the package code the job imports
(deeplaws.common.codedeps: a real code change recomputes everything, as Snakemake reruns
the job; a comment edit changes neither). Records with
status "error" are never reused. Growing the grid, adding noise levels or trials then
computes only the new records: a trial's record depends on its own identity alone (one
generator per trial), so a reused record equals a recomputed one.

Nonconvex trials train as one batch per cell (all its trials); their key also holds the
number of trials of the batch, so changing the trial count retrains the cell.

Layout: <root>/<program>/<panel>/n~N_d~D_trial~T.json, each {"key", "record"}.
Deleting <root> forces fresh computation of everything.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from deeplaws.common.io import save_json

log = logging.getLogger(__name__)

STORE_FORMAT = 1


def record_key(
    program: str,
    panel: str,
    n: int,
    d: int,
    trial: int,
    base_seed: int,
    settings: dict[str, Any],
    code: str,
    batch: int | None = None,
) -> str:
    """The identity of a stored record: everything that determines its content."""
    ident = {
        "format": STORE_FORMAT,
        "program": program,
        "panel": panel,
        "n": int(n),
        "d": int(d),
        "trial": int(trial),
        "base_seed": int(base_seed),
        "settings": settings,
        "code": code,
        "batch": batch,
    }
    return hashlib.sha256(json.dumps(ident, sort_keys=True, default=str).encode()).hexdigest()


def record_path(root: str | Path, program: str, panel: str, n: int, d: int, trial: int) -> Path:
    return Path(root) / program / panel / f"n~{n}_d~{d}_trial~{trial}.json"


def load(path: Path, key: str) -> dict[str, Any] | None:
    """The stored record at ``path`` if its key matches and it did not fail, else None."""
    try:
        entry = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    record = entry.get("record") if isinstance(entry, dict) else None
    if entry.get("key") != key or not isinstance(record, dict):
        return None
    if record.get("status") == "error":
        return None
    return record


def save(path: Path, key: str, record: dict[str, Any]) -> None:
    """Write one entry atomically (a reader never sees half a file)."""
    save_json(path, {"key": key, "record": record})


def run_unit(
    program: str,
    panel_key: str,
    unit_key: str,
    ns: list[int],
    ds: list[int],
    trials: int,
    base_seed: int,
    settings: dict[str, Any],
    root: str | Path | None,
    code: str,
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every record of one unit (as experiments.run_unit), reusing the stored ones.

    Returns the records in (d, n, trial) order and the counts {"reused", "computed"}.
    ``root`` None: no store, everything computed."""
    from deeplaws.recovery import experiments

    if root is None:
        recs = experiments.run_unit(
            program, panel_key, unit_key, ns, ds, trials, base_seed, settings
        )
        return recs, {"reused": 0, "computed": len(recs)}
    panel = experiments.Panel.parse(panel_key)
    unit = experiments.Unit.parse(unit_key)
    s = experiments.Settings.from_dict(settings)
    nonconvex = experiments.PROGRAMS[program].kind == "nonconvex"
    batch = trials if nonconvex else None

    def entry(n: int, d: int, t: int) -> tuple[Path, str]:
        key = record_key(program, panel_key, n, d, t, base_seed, settings, code, batch)
        return record_path(root, program, panel_key, n, d, t), key

    records: list[dict[str, Any]] = []
    stats = {"reused": 0, "computed": 0}
    tasks = unit.tasks(ns, ds, trials)
    cells: dict[tuple[int, int], list[int]] = {}
    for n, d, t in tasks:
        cells.setdefault((n, d), []).append(t)
    for (n, d), wanted in cells.items():
        found = {t: load(*entry(n, d, t)) for t in wanted}
        missing = [t for t, rec in found.items() if rec is None]
        if missing and nonconvex:
            # One batch per cell, always of all its trials (a record must not depend on
            # which of the cell's trials were stored): retrain the cell, store every trial.
            cell = experiments.run_nonconvex_cell(
                program, panel, n, d, list(range(trials)), base_seed, s
            )
            for rec in cell:
                save(*entry(n, d, rec["trial"]), rec)
                if rec["trial"] in missing:
                    found[rec["trial"]] = rec
        else:
            for t in missing:
                rec = experiments.run_trial(program, panel, n, d, t, base_seed, s)
                save(*entry(n, d, t), rec)
                found[t] = rec
        stats["reused"] += len(wanted) - len(missing)
        stats["computed"] += len(missing)
        records += [found[t] for t in wanted]
    log.info(
        "%s %s %s: %d records reused from %s, %d computed",
        program,
        panel_key,
        unit_key,
        stats["reused"],
        root,
        stats["computed"],
    )
    return records, stats
