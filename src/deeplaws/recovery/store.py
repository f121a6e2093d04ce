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
from dataclasses import dataclass
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


@dataclass
class Store:
    """The records of one (program, panel) record set under ``root``, keyed as above."""

    root: str | Path
    program: str
    panel: str
    base_seed: int
    settings: dict[str, Any]
    code: str
    batch: int | None
    reused: int = 0

    def _entry(self, n: int, d: int, trial: int) -> tuple[Path, str]:
        key = record_key(
            self.program,
            self.panel,
            n,
            d,
            trial,
            self.base_seed,
            self.settings,
            self.code,
            self.batch,
        )
        return record_path(self.root, self.program, self.panel, n, d, trial), key

    def load(self, n: int, d: int, trial: int) -> dict[str, Any] | None:
        record = load(*self._entry(n, d, trial))
        self.reused += record is not None
        return record

    def save(self, n: int, d: int, trial: int, record: dict[str, Any]) -> None:
        save(*self._entry(n, d, trial), record)


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

    args = (program, panel_key, unit_key, ns, ds, trials, base_seed, settings)
    if root is None:
        recs = experiments.run_unit(*args)
        return recs, {"reused": 0, "computed": len(recs)}
    # nonconvex trials train as one batch of all the cell's trials, part of their key
    batch = trials if experiments.PROGRAMS[program].kind == "nonconvex" else None
    store = Store(root, program, panel_key, base_seed, settings, code, batch)
    records = experiments.run_unit(*args, cache=store)
    stats = {"reused": store.reused, "computed": len(records) - store.reused}
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


def run_program(
    program: str,
    panels: list[tuple[str, list[int], list[int]]],
    trials: int,
    base_seed: int,
    settings: dict[str, Any],
    root: str | Path | None,
    code: str,
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every record of every panel of a program (as experiments.run_program), reusing the
    stored ones; keys as in run_unit (one Store per panel)."""
    from deeplaws.recovery import experiments

    caches = None
    if root is not None:
        batch = trials if experiments.PROGRAMS[program].kind == "nonconvex" else None
        caches = {
            key: Store(root, program, key, base_seed, settings, code, batch) for key, _, _ in panels
        }
    records = experiments.run_program(program, panels, trials, base_seed, settings, caches)
    reused = sum(s.reused for s in caches.values()) if caches is not None else 0
    stats = {"reused": reused, "computed": len(records) - reused}
    log.info(
        "%s, %d panels: %d records reused from %s, %d computed",
        program,
        len(panels),
        stats["reused"],
        root,
        stats["computed"],
    )
    return records, stats
