"""Metric functions of the claims registry, one per kind of check.

Each takes the claim's input files (``paths``) and keyword arguments from the registry and
returns a number (or a bool, read as 1/0) that is compared with the claim's expectation.

Kinds of input: JSON results (dotted keys), NPZ arrays (curves over layers), CSV tables
(filtered by column values), recovery tables (one row per trial of an (n, d) cell) and the
sidecar JSON of the equi-separation figures (one record per panel, with the D profile and
its log-linear fit).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from deeplaws.claims.core import metric
from deeplaws.common.io import load_json

_AGGS = {
    "min": np.min,
    "max": np.max,
    "mean": np.mean,
    "median": np.median,
}


def _get(obj, dotted: str):
    for part in dotted.split("."):
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj


def _agg(values, agg: str) -> float:
    arr = np.asarray(list(values), dtype=float)
    if arr.size == 0:
        raise ValueError("no values selected")
    return float(_AGGS[agg](arr))


def _select(
    frame: pd.DataFrame,
    where: Mapping[str, Any] | None,
    at_least: Mapping[str, float] | None = None,
    at_most: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Rows whose columns equal the values of ``where`` (numbers compared as floats) and
    are >= / <= the bounds of ``at_least`` / ``at_most``."""
    mask = np.ones(len(frame), dtype=bool)
    for col, low in (at_least or {}).items():
        mask &= (frame[col].astype(float) >= float(low) - 1e-12).to_numpy()
    for col, high in (at_most or {}).items():
        mask &= (frame[col].astype(float) <= float(high) + 1e-12).to_numpy()
    for col, want in (where or {}).items():
        if col not in frame.columns:
            raise KeyError(f"no column {col!r}; columns: {list(frame.columns)}")
        if isinstance(want, bool) or not isinstance(want, int | float):
            mask &= (frame[col].astype(str) == str(want)).to_numpy()
        else:
            mask &= np.isclose(frame[col].astype(float).to_numpy(), float(want))
    out = frame[mask]
    if out.empty:
        raise ValueError(f"no rows match {dict(where or {})}")
    return out


def _spearman(values: list[float]) -> float:
    """Spearman rank correlation between position (0, 1, ...) and ``values``."""
    ranks = pd.Series(values).rank().to_numpy()
    pos = np.arange(len(values), dtype=float)
    if len(values) < 2 or np.all(ranks == ranks[0]):
        return float("nan")
    return float(np.corrcoef(pos, ranks)[0, 1])


# --- JSON --------------------------------------------------------------------------------


@metric("json_value")
def json_value(paths: list[Path], key: str) -> float:
    """A number stored in a JSON result file, at the dotted ``key``."""
    return float(_get(load_json(paths[0]), key))


@metric("json_agg")
def json_agg(paths: list[Path], key: str, agg: str = "min") -> float:
    """``agg`` (min, max, mean, median) of the dotted ``key`` over several JSON files."""
    return _agg((float(_get(load_json(p), key)) for p in paths), agg)


@metric("json_diff")
def json_diff(paths: list[Path], a: str, b: str) -> float:
    """The number at dotted key ``a`` minus the one at ``b`` (same JSON file)."""
    data = load_json(paths[0])
    return float(_get(data, a)) - float(_get(data, b))


# --- NPZ curves ----------------------------------------------------------------------------


@metric("npz_min_step")
def npz_min_step(paths: list[Path], key: str, start: int = 0) -> float:
    """Smallest step ``a[i+1] - a[i]`` of the array ``key`` from index ``start`` on
    (>= 0: the curve is non-decreasing)."""
    with np.load(paths[0]) as data:
        arr = np.asarray(data[key], dtype=float)[start:]
    if arr.size < 2:
        raise ValueError(f"{key}: fewer than two values")
    return float(np.diff(arr).min())


@metric("npz_max_abs_diff")
def npz_max_abs_diff(paths: list[Path], a: str, b: str, start: int = 0) -> float:
    """Largest absolute difference between the arrays ``a`` and ``b`` (same file)."""
    with np.load(paths[0]) as data:
        x = np.asarray(data[a], dtype=float)[start:]
        y = np.asarray(data[b], dtype=float)[start:]
    return float(np.max(np.abs(x - y)))


# --- CSV tables ----------------------------------------------------------------------------


@metric("csv_agg")
def csv_agg(
    paths: list[Path],
    column: str,
    where: Mapping[str, Any] | None = None,
    agg: str = "mean",
    at_least: Mapping[str, float] | None = None,
    at_most: Mapping[str, float] | None = None,
) -> float:
    """``agg`` of ``column`` over the rows of a CSV table that match ``where`` and the
    bounds ``at_least`` / ``at_most`` (column -> bound)."""
    frame = _select(pd.read_csv(paths[0]), where, at_least, at_most)
    return _agg(frame[column], agg)


@metric("csv_diff")
def csv_diff(
    paths: list[Path],
    column: str,
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    where: Mapping[str, Any] | None = None,
) -> float:
    """mean(``column`` | a) - mean(``column`` | b), both within the rows matching ``where``."""
    frame = _select(pd.read_csv(paths[0]), where)
    return float(_select(frame, a)[column].mean() - _select(frame, b)[column].mean())


# --- recovery phase-transition tables ------------------------------------------------------


def _cells(paths: list[Path], where: Mapping[str, Any] | None) -> pd.DataFrame:
    """Mean ``value`` per (d, n) cell of a recovery table (trials averaged)."""
    frame = _select(pd.read_csv(paths[0]), where)
    return frame.groupby(["d", "n"], as_index=False)["value"].mean()


@metric("cell_rate")
def cell_rate(
    paths: list[Path],
    where: Mapping[str, Any] | None = None,
    agg: str = "min",
    n_over_d: float | None = None,
    n_minus_d_min: float | None = None,
    n_over_d_min: float | None = None,
    n_over_d_max: float | None = None,
    d_min: float | None = None,
) -> float:
    """``agg`` over the (n, d) cells of a recovery table of the per-cell mean ``value``.

    Cells are kept where n = n_over_d * d, n - d >= n_minus_d_min, n / d >= n_over_d_min,
    n / d <= n_over_d_max and d >= d_min (each condition only when given).
    """
    cells = _cells(paths, where)
    n, d = cells["n"].to_numpy(float), cells["d"].to_numpy(float)
    keep = np.ones(len(cells), dtype=bool)
    if n_over_d is not None:
        keep &= np.isclose(n, n_over_d * d)
    if n_minus_d_min is not None:
        keep &= n - d >= n_minus_d_min
    if n_over_d_min is not None:
        keep &= n / d >= n_over_d_min - 1e-12
    if n_over_d_max is not None:
        keep &= n / d <= n_over_d_max + 1e-12
    if d_min is not None:
        keep &= d >= d_min
    return _agg(cells["value"].to_numpy(float)[keep], agg)


@metric("transition_ratio")
def transition_ratio(
    paths: list[Path], where: Mapping[str, Any] | None = None, level: float = 0.5
) -> float:
    """Mean over d of n*/d, where n* is where the mean ``value`` crosses ``level`` for the
    last time (it stays >= ``level`` at every larger n of the grid): linear interpolation
    between the last grid point below and the next one, so that the estimate is not biased
    by the grid step. A d whose rate never settles at or above ``level`` gives NaN (FAIL);
    a d whose rate is above ``level`` at every n gives its smallest n."""
    cells = _cells(paths, where)
    ratios = []
    for d, group in cells.groupby("d"):
        group = group.sort_values("n")
        n = group["n"].to_numpy(float)
        rate = group["value"].to_numpy(float)
        above = rate >= level
        if not above[-1]:
            return float("nan")
        if above.all():
            edge = n[0]
        else:
            lo = len(above) - 1 - int(np.argmin(above[::-1]))  # last grid point below
            hi = lo + 1
            edge = n[lo] + (level - rate[lo]) / (rate[hi] - rate[lo]) * (n[hi] - n[lo])
        ratios.append(float(edge) / float(d))
    return float(np.mean(ratios))


# --- equi-separation figure sidecars -------------------------------------------------------


def _profile_panels(
    path: Path, panels: list[int] | None = None, title: str | None = None
) -> list[dict[str, Any]]:
    """The profile panels of a sidecar: those at positions ``panels`` (counted among the
    profile panels) and/or whose title contains ``title``."""
    records = [p for p in load_json(path)["panels"] if p.get("kind", "profile") == "profile"]
    if panels is not None:
        records = [records[i] for i in panels]
    if title is not None:
        records = [p for p in records if title in str(p.get("title", ""))]
    return records


@metric("panel_agg")
def panel_agg(
    paths: list[Path],
    key: str,
    agg: str = "max",
    panels: list[int] | None = None,
    title: str | None = None,
) -> float:
    """``agg`` of the dotted ``key`` (e.g. fit.r, D.0) over the profile panels of the
    figure sidecars (optionally only some panels, see :func:`_profile_panels`)."""
    records = [p for path in paths for p in _profile_panels(path, panels, title)]
    return _agg((float(_get(p, key)) for p in records), agg)


@metric("panel_trend")
def panel_trend(
    paths: list[Path],
    key: str,
    group: int | None = None,
    panels: list[int] | None = None,
    title: str | None = None,
) -> float:
    """Spearman rank correlation between panel order and the dotted ``key`` over the
    profile panels (1: strictly increasing). With ``group``, consecutive groups of that
    many panels are ranked separately (e.g. depths per optimizer) and the smallest
    correlation is returned."""
    records = [p for path in paths for p in _profile_panels(path, panels, title)]
    values = [float(_get(p, key)) for p in records]
    size = group or len(values)
    if len(values) % size:
        raise ValueError(f"{len(values)} panels do not split into groups of {size}")
    return min(_spearman(values[i : i + size]) for i in range(0, len(values), size))
