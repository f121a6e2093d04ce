"""Figures of the equi-separation law in the style of the committed figures.

A panel: tap index 0..m-1 on x, D on a log10 y axis whose limits are the enclosing decades,
black dots, the fitted line exp(a + b x) in blue (#1f77b4, width 4) drawn above the dots.
The annotated variant adds r, rho, lr, final training loss and test accuracy; the bare variant
has no labels, as in the paper. A figure is a grid of such panels plus optional summary or
emergence panels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

BLUE = "#1f77b4"
SEGMENT_COLORS = ("#d62728", "#2ca02c")


def decade_limits(values: Sequence[float]) -> tuple[float, float]:
    """[10^floor(log10 min), 10^ceil(log10 max)] of the positive finite values."""
    v = np.asarray([x for x in values if x is not None and math.isfinite(x) and x > 0])
    if v.size == 0:
        return 0.1, 10.0
    lo = 10.0 ** math.floor(math.log10(v.min()))
    hi = 10.0 ** math.ceil(math.log10(v.max()))
    if hi <= lo:
        hi = lo * 10
    return lo, hi


def _fmt(value: Any, spec: str) -> str:
    try:
        return "n/a" if value is None or not math.isfinite(float(value)) else format(value, spec)
    except (TypeError, ValueError):
        return str(value)


def annotation_text(panel: dict[str, Any]) -> str:
    """r, rho, lr, final training loss and test accuracy of one panel."""
    fit = panel.get("fit", {})
    lines = [f"r = {_fmt(fit.get('r'), '.4f')}, ρ = {_fmt(fit.get('rho'), '.3f')}"]
    if panel.get("lr") is not None:
        lines.append(f"lr = {panel['lr']:g}, loss = {_fmt(panel.get('final_loss'), '.4f')}")
    if panel.get("test_accuracy") is not None:
        lines.append(
            f"train acc = {_fmt(panel.get('train_accuracy'), '.3f')}, "
            f"test acc = {_fmt(panel.get('test_accuracy'), '.3f')}"
        )
    for skipped in panel.get("skipped") or []:
        lines.append(f"lr {skipped['lr']:g}: {skipped['status']} (skipped)")
    for i, seg in enumerate(panel.get("segments") or []):
        lines.append(f"segment {i + 1}: r = {_fmt(seg['r'], '.3f')}, ρ = {_fmt(seg['rho'], '.3f')}")
    return "\n".join(lines)


def plot_profile(
    ax: Axes, panel: dict[str, Any], annotate: bool = True, fontsize: float = 9
) -> None:
    """One profile panel (``panel`` has D, fit, and optionally lr, losses, segments).

    A panel with status other than ``ok`` (every run diverged) is drawn empty with the status
    written across it.
    """
    if panel.get("status", "ok") != "ok":
        ax.set_yscale("log")
        ax.set_ylim(0.1, 10.0)
        ax.text(
            0.5,
            0.5,
            panel.get("status", "").upper().replace("_", " ") + "\n" + panel.get("note", ""),
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="#d62728",
            fontsize=fontsize,
            wrap=True,
        )
        if annotate and panel.get("title"):
            ax.set_title(panel["title"], fontsize=fontsize + 1)
        return
    D = [float(d) for d in panel["D"]]
    x = np.arange(len(D))
    good = [i for i, d in enumerate(D) if math.isfinite(d) and d > 0]
    ax.set_yscale("log")
    ax.scatter(x[good], [D[i] for i in good], s=30, color="black", zorder=2)
    fit = panel.get("fit", {})
    if math.isfinite(fit.get("slope", float("nan"))):
        xs = np.linspace(0, len(D) - 1, 100)
        ax.plot(xs, np.exp(fit["intercept"] + fit["slope"] * xs), color=BLUE, lw=4, zorder=3)
    for color, seg in zip(SEGMENT_COLORS, panel.get("segments") or [], strict=False):
        if math.isfinite(seg.get("slope", float("nan"))):
            xs = np.linspace(seg["x0"], seg["x0"] + seg["n"] - 1, 50)
            ax.plot(
                xs,
                np.exp(seg["intercept"] + seg["slope"] * xs),
                color=color,
                lw=2,
                ls="--",
                zorder=4,
            )
    lo, hi = decade_limits(D)
    ax.set_ylim(lo, hi)
    ax.set_xlim(-0.5, len(D) - 0.5)
    if len(D) <= 12:
        ax.set_xticks(x)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(labelsize=fontsize)
    if annotate:
        if panel.get("title"):
            ax.set_title(panel["title"], fontsize=fontsize + 1)
        # below the axes (as the x label), so that it never hides a point
        ax.set_xlabel(annotation_text(panel), fontsize=fontsize - 1.5, linespacing=1.3)
        flagged = panel.get("ill_conditioned") or []
        for tap in flagged:
            if tap < len(D) and math.isfinite(D[tap]) and D[tap] > 0:
                ax.scatter([tap], [D[tap]], s=90, facecolors="none", edgecolors="red", zorder=4)


def plot_emergence(ax: Axes, panel: dict[str, Any], fontsize: float = 9) -> None:
    """Profiles of one run at several epochs, one line each (how the law emerges)."""
    profiles = panel["profiles"]
    cmap = matplotlib.colormaps["viridis"]
    values: list[float] = []
    for i, prof in enumerate(profiles):
        color = cmap(i / max(1, len(profiles) - 1))
        D = prof["D"]
        values += D
        fit = prof["fit"]
        label = f"epoch {prof['epoch']}: r={_fmt(fit['r'], '.3f')}, ρ={_fmt(fit['rho'], '.2f')}"
        ax.plot(range(len(D)), D, "o-", color=color, ms=3, lw=1, label=label)
    ax.set_yscale("log")
    ax.set_ylim(*decade_limits(values))
    ax.tick_params(labelsize=fontsize)
    ax.legend(fontsize=fontsize - 2.5, loc="lower left", frameon=False)
    if panel.get("title"):
        ax.set_title(panel["title"], fontsize=fontsize + 1)


def plot_summary(ax: Axes, panel: dict[str, Any], fontsize: float = 9) -> None:
    """rho and |r| against a swept quantity (depth, lr, width ...)."""
    xs = panel["x"]
    positions = np.arange(len(xs))
    ax.plot(positions, panel["rho"], "o-", color=BLUE, label="ρ")
    ax.plot(
        positions,
        [abs(r) if r is not None else np.nan for r in panel["r"]],
        "s--",
        color="black",
        label="|r|",
    )
    ax.set_xticks(positions)
    ax.set_xticklabels(
        [str(v) for v in xs], fontsize=fontsize - 1, rotation=45 if len(xs) > 6 else 0
    )
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(panel.get("xlabel", ""), fontsize=fontsize)
    ax.tick_params(labelsize=fontsize)
    ax.legend(fontsize=fontsize - 1, loc="lower right", frameon=False)
    if panel.get("title"):
        ax.set_title(panel["title"], fontsize=fontsize + 1)


def profile_figure(
    panels: Sequence[dict[str, Any]],
    ncols: int,
    annotate: bool = True,
    suptitle: str | None = None,
    panel_size: tuple[float, float] = (3.6, 3.3),
) -> Figure:
    """A grid of panels (``kind``: profile, emergence, summary or empty)."""
    n = len(panels)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(panel_size[0] * ncols, panel_size[1] * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, panel in zip(axes.flat, panels, strict=False):
        kind = panel.get("kind", "profile")
        if kind == "profile":
            plot_profile(ax, panel, annotate=annotate)
        elif kind == "emergence":
            plot_emergence(ax, panel)
        elif kind == "summary":
            plot_summary(ax, panel)
        else:
            ax.set_axis_off()
    for ax in list(axes.flat)[n:]:
        ax.set_axis_off()
    if suptitle and annotate:
        fig.suptitle(suptitle, fontsize=11)
    return fig
