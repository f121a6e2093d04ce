"""Heatmaps and the mixture curves, drawn from the per-figure tables."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from deeplaws.recovery.figures import DISTANCE_METRICS, METRIC_LABELS  # noqa: E402
from deeplaws.recovery.tables import cell_means, status_note  # noqa: E402

LEVELS = np.linspace(0.0, 1.0, 11)


def heatmap_figure(table: pd.DataFrame, title: str, reference: str | None = None) -> Figure:
    """One filled-contour heatmap per panel: x = n, y = d, mean over trials, 11 levels of
    jet; distances use extend='max'; probabilities get the 0.9 contour. Trials whose status
    is not clean (tables.CLEAN_STATUSES) are counted in a note on their panel."""
    means = cell_means(table)
    nrows = int(table["row"].max()) + 1 if len(table) else 1
    ncols = int(table["col"].max()) + 1 if len(table) else 1
    fig = Figure(figsize=(3.2 * ncols + 0.8, 2.7 * nrows + 0.6), layout="constrained")
    axes = np.atleast_2d(fig.subplots(nrows, ncols, squeeze=False))
    mappable = None
    for (r, c, ptitle, metric), cell in means.groupby(["row", "col", "title", "metric"]):
        ax = axes[r, c]
        grid = cell.pivot(index="d", columns="n", values="value")
        ns, ds = grid.columns.to_numpy(), grid.index.to_numpy()
        Z = np.ma.masked_invalid(grid.to_numpy(dtype=float))
        is_dist = metric in DISTANCE_METRICS
        if len(ns) > 1 and len(ds) > 1:
            mappable = ax.contourf(
                ns, ds, Z, levels=LEVELS, cmap="jet", extend="max" if is_dist else "neither"
            )
            if not is_dist and np.nanmax(Z.filled(np.nan)) >= 0.9:
                ax.contour(ns, ds, Z, levels=[0.9], colors="k", linewidths=2)
        else:
            mappable = ax.pcolormesh(ns, ds, Z, cmap="jet", vmin=0, vmax=1, shading="nearest")
        if reference is not None:
            factor = 2.0 if reference == "2d" else 1.0
            dd = np.linspace(ds.min(), ds.max(), 2)
            ax.plot(factor * dd, dd, "w--", lw=1.2, label=f"n = {reference}")
            ax.set_xlim(ns.min(), ns.max())
            ax.legend(loc="lower right", fontsize=7, framealpha=0.6)
        note = status_note(table[(table["row"] == r) & (table["col"] == c)])
        if note:  # trials that did not finish cleanly are counted on the panel
            ax.text(
                0.02,
                0.98,
                note,
                transform=ax.transAxes,
                fontsize=6,
                va="top",
                wrap=True,
                bbox={"facecolor": "white", "alpha": 0.8, "lw": 0, "pad": 1.5},
            )
        ax.set_xlabel("n")
        ax.set_ylabel("d")
        ax.set_title(f"{ptitle}\n{METRIC_LABELS[metric]}")
    for ax in axes.ravel():
        if not ax.has_data():
            ax.set_visible(False)
    if mappable is not None:
        fig.colorbar(mappable, ax=axes.ravel().tolist(), ticks=LEVELS[::2], shrink=0.9)
    fig.suptitle(title)
    return fig


def mixture_figure(table: pd.DataFrame, title: str) -> Figure:
    """Probability vs σ, one line per d: the mean over the cluster-mean draws,
    a band over their 10–90 % range and, dashed, the closed-form expectation."""
    fig = Figure(figsize=(4.5, 3.2), layout="constrained")
    ax = fig.subplots()
    draws = int(table["mean_draws"].max()) if "mean_draws" in table else 1
    for d, part in table.groupby("d"):
        (line,) = ax.plot(part["sigma"], part["probability"], "o-", ms=4, label=f"d = {d}")
        if draws > 1:
            ax.fill_between(
                part["sigma"],
                part["probability_lo"],
                part["probability_hi"],
                color=line.get_color(),
                alpha=0.15,
                lw=0,
            )
        if "closed_form" in part:
            ax.plot(part["sigma"], part["closed_form"], "--", lw=0.8, color=line.get_color())
    if draws > 1:
        title = f"{title}\nmean of {draws} mean draws, band 10–90 %, dashed: closed form"
    ax.set_ylim(-0.1, 1.1)
    ax.set_xlabel("σ (inverse noise level)")
    ax.set_ylabel("probability")
    ax.legend()
    ax.set_title(title)
    return fig
