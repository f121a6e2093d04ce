"""The layout of P2 work: programs, panels, units of work and their resources.

Kept free of solvers and torch, so the workflow (and the table and figure jobs) can read
the layout without importing them. A *program* is what one trial computes (a convex
program, a certificate check or a nonconvex training run); a *panel* is the planted
setting (X distribution, planted model, number of planted neurons k, noise σ); a *unit* is
one job's share of a panel's grid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deeplaws.recovery import arrangements

# ---------------------------------------------------------------- programs


@dataclass(frozen=True)
class Program:
    family: str  # skip | normal | plain
    kind: str  # convex | certificate | nonconvex
    mode: str = ""  # relaxed | exact | train (convex programs)
    dirs: str = "n"  # direction rule: max(n, 50) or max(2n, 50)
    spec: str = ""

    @property
    def skips_n_lt_d(self) -> bool:
        """The normalized scripts do not solve n < d cells (pitfall 12)."""
        return self.family == "normal" and self.kind != "nonconvex"


PROGRAMS: dict[str, Program] = {
    "skip_relaxed": Program("skip", "convex", "relaxed", spec="4.1"),
    "skip_exact": Program("skip", "convex", "exact", spec="4.2"),
    "skip_train": Program("skip", "convex", "train", spec="4.3"),
    "normal_relaxed": Program("normal", "convex", "relaxed", spec="4.5"),
    "normal_exact": Program("normal", "convex", "exact", spec="4.6 exact"),
    "normal_train": Program("normal", "convex", "train", spec="4.6"),
    "normal_nnic": Program("normal", "certificate", dirs="2n", spec="6.5 NNIC-k"),
    "plain_exact": Program("plain", "convex", "exact", spec="4.7"),
    "ncvx_skip": Program("skip", "nonconvex", spec="8.1"),
    "ncvx_normal": Program("normal", "nonconvex", spec="8.1"),
}


# ---------------------------------------------------------------- panels


@dataclass(frozen=True)
class Panel:
    xdist: str = "gauss"
    planted: str = "gauss"
    k: int = 1
    sigma: float = 0.0

    @property
    def key(self) -> str:
        return f"x~{self.xdist}_w~{self.planted}_k~{self.k}_s~{self.sigma:g}"

    @classmethod
    def parse(cls, key: str) -> Panel:
        m = re.fullmatch(r"x~([a-z_]+)_w~([a-z]+)_k~(\d+)_s~([0-9.e+-]+)", key)
        if m is None:
            raise ValueError(f"not a panel key: {key!r}")
        return cls(m.group(1), m.group(2), int(m.group(3)), float(m.group(4)))


PANEL_PATTERN = r"x~[a-z_]+_w~[a-z]+_k~\d+_s~[0-9.e+-]+"
UNIT_PATTERN = r"n~(\d+|all)_d~(\d+|all)(_trial~\d+)?"


# ---------------------------------------------------------------- units of work


@dataclass(frozen=True)
class Unit:
    """One job: a cell (n, d) with all its trials, one trial of a cell, a column (every n
    of the grid at one d) or a whole panel (every cell of the grid)."""

    n: int | None  # None: every n of the grid
    d: int | None  # None: every d of the grid (then n is None too)
    trial: int | None = None

    @property
    def key(self) -> str:
        n = "all" if self.n is None else str(self.n)
        d = "all" if self.d is None else str(self.d)
        t = "" if self.trial is None else f"_trial~{self.trial}"
        return f"n~{n}_d~{d}{t}"

    @classmethod
    def parse(cls, key: str) -> Unit:
        m = re.fullmatch(r"n~(\d+|all)_d~(\d+|all)(?:_trial~(\d+))?", key)
        if m is None or (m.group(2) == "all" and m.group(1) != "all"):
            raise ValueError(f"not a unit key: {key!r}")
        n = None if m.group(1) == "all" else int(m.group(1))
        d = None if m.group(2) == "all" else int(m.group(2))
        return cls(n, d, None if m.group(3) is None else int(m.group(3)))

    def tasks(self, ns: list[int], ds: list[int], trials: int) -> list[tuple[int, int, int]]:
        """The (n, d, trial) triples this unit runs."""
        cells_d = ds if self.d is None else [self.d]
        cells_n = ns if self.n is None else [self.n]
        reps = range(trials) if self.trial is None else [self.trial]
        return [(n, d, t) for d in cells_d for n in cells_n for t in reps]


BATCHES = ("cell", "column", "panel", "program")


def units(
    program: str, ns: list[int], ds: list[int], trials: int, batch: str, per_trial_min_n: int
) -> list[Unit]:
    """The units of one (program, panel): one per panel, one per d column, or one per
    (n, d) cell, split into trials when n >= per_trial_min_n for the training programs.
    ``program``: the whole panel, in one job with every other panel of the program
    (program_file; the trained nets of all panels train cell by cell as one batch)."""
    if batch in ("panel", "program"):
        return [Unit(None, None)]
    if batch == "column":
        return [Unit(None, d) for d in ds]
    if batch != "cell":
        raise ValueError(f"unknown batch {batch!r}; allowed {BATCHES}")
    out = []
    per_trial = PROGRAMS[program].mode == "train"
    for d in ds:
        for n in ns:
            if per_trial and n >= per_trial_min_n:
                out += [Unit(n, d, t) for t in range(trials)]
            else:
                out.append(Unit(n, d))
    return out


def n_patterns_estimate(program: str, n: int, k: int) -> int:
    prog = PROGRAMS[program]
    return arrangements.n_directions(n, prog.dirs) + k + 1


def program_file(program: str) -> str:
    """The records of every panel of a program run as one job (batch ``program``)."""
    return f"results/recovery/{program}/panels~all.json"
