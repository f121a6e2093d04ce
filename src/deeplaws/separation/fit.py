"""The log-linear fit of a D profile.

ln D_l ~ a + b l by least squares over the tap index l = 0 .. m-1. The decay ratio is
rho = e^b (the law: D_l ~ rho^l D_0), r is Pearson's correlation of (l, ln D_l) and
R^2 = r^2. The per-layer ratios D_{l+1}/D_l measure how *equal* the steps are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def no_fit(n: int = 0) -> dict[str, Any]:
    """The fit record of a profile that cannot be fitted (all NaN)."""
    nan = float("nan")
    return {"slope": nan, "intercept": nan, "rho": nan, "r": nan, "r2": nan, "n": int(n)}


def loglinear_fit(D: Sequence[float], x: Sequence[float] | None = None) -> dict[str, Any]:
    """Slope, intercept, rho, Pearson r and R^2 of ln D against ``x`` (default 0..m-1)."""
    d = np.asarray(D, dtype=np.float64)
    xs = np.arange(d.size, dtype=np.float64) if x is None else np.asarray(x, dtype=np.float64)
    if d.size < 2 or not np.all(np.isfinite(d)) or np.any(d <= 0):
        return no_fit(d.size)
    ys = np.log(d)
    xm, ym = xs.mean(), ys.mean()
    sxx = float(np.sum((xs - xm) ** 2))
    sxy = float(np.sum((xs - xm) * (ys - ym)))
    syy = float(np.sum((ys - ym) ** 2))
    slope = sxy / sxx
    intercept = ym - slope * xm
    r = sxy / np.sqrt(sxx * syy) if syy > 0 else float("nan")
    return {
        "slope": float(slope),
        "intercept": float(intercept),
        "rho": float(np.exp(slope)),
        "r": float(r),
        "r2": float(r * r),
        "n": int(d.size),
        "x0": float(xs[0]),
    }


def layer_ratios(D: Sequence[float]) -> dict[str, float]:
    """Statistics of the per-layer ratios D_{l+1}/D_l: mean, coefficient of variation, range."""
    d = np.asarray(D, dtype=np.float64)
    if d.size < 2:
        nan = float("nan")
        return {"mean": nan, "cv": nan, "min": nan, "max": nan}
    ratios = d[1:] / d[:-1]
    mean = float(ratios.mean())
    return {
        "mean": mean,
        "cv": float(ratios.std() / mean) if mean != 0 else float("nan"),
        "min": float(ratios.min()),
        "max": float(ratios.max()),
        "values": ratios.tolist(),
    }


def two_segment_fit(D: Sequence[float], split: int) -> list[dict[str, Any]]:
    """Separate fits of positions 0..split and split..m-1 (they share position ``split``)."""
    d = np.asarray(D, dtype=np.float64)
    if not 1 <= split <= d.size - 2:
        raise ValueError(f"split {split} leaves a segment with fewer than 2 points (m={d.size})")
    x = np.arange(d.size, dtype=np.float64)
    return [
        loglinear_fit(d[: split + 1], x[: split + 1]),
        loglinear_fit(d[split:], x[split:]),
    ]


def summarize_profile(D: Sequence[float], split: int | None = None) -> dict[str, Any]:
    """The fit record of one profile: fit, ratios and (for mixed nets) the two segments."""
    out: dict[str, Any] = {"fit": loglinear_fit(D), "ratios": layer_ratios(D)}
    if split is not None:
        out["segments"] = two_segment_fit(D, split)
        out["segment_split"] = int(split)
    return out
