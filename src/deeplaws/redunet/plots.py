"""Plots of the ReduNet figures: loss curves, scatters, heatmaps,
cross-class similarity histograms and accuracy tables. Inputs are the intermediates of the
compute rule (rates, features, similarity, accuracy); nothing is recomputed here."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

CLASS_COLORS = (
    "forestgreen",
    "red",
    "royalblue",
    "darkorange",
    "purple",
    "brown",
    "gray",
    "olive",
    "cyan",
    "pink",
)
RATE_STYLE = {"dR": ("green", r"$\Delta R$"), "R": ("royalblue", r"$R$"), "Rc": ("coral", r"$R_c$")}


def loss_curves(
    ax: Axes,
    rates: dict[str, np.ndarray],
    convention: str,
    sets: tuple[str, ...] = ("train", "test"),
) -> None:
    """ΔR, R, R_c per layer; train solid/circles, test dashed/diamonds (official layout)."""
    layers = rates["layers"]
    for s, (ls, marker) in zip(sets, (("-", "o"), ("--", "D")), strict=False):
        if f"{s}/dR_true" not in rates:
            continue
        for key, (color, label) in RATE_STYLE.items():
            v = rates[f"{s}/{key}_{convention}"]
            keep = np.isfinite(v)
            x, v = layers[keep], v[keep]
            every = max(1, len(x) // 12)
            ax.plot(
                x,
                v,
                ls=ls,
                color=color,
                marker=marker,
                markevery=every,
                ms=3.5,
                lw=1.2,
                label=f"{label} ({s})",
            )
    lo, hi = ax.get_ylim()
    ax.set_ylim(min(lo, -0.02 * hi), hi)
    ax.set_xlabel("layer")
    ax.set_ylabel("rate")
    ax.legend(ncol=3, fontsize=6, loc="best")
    ax.grid(alpha=0.3)


def scatter2d(ax: Axes, Z: np.ndarray, y: np.ndarray, title: str) -> None:
    for j in np.unique(y):
        P = Z[y == j]
        c = CLASS_COLORS[int(j) % len(CLASS_COLORS)]
        ax.scatter(P[:, 0], P[:, 1], s=6, alpha=0.5, color=c, label=f"class {j}")
        ax.annotate(
            "", xy=P[0, :2], xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": c, "lw": 1.5}
        )
    ax.set_xlim(-1.2, 1.2)
    ax.set_ylim(-1.2, 1.2)
    ax.set_aspect("equal")
    ax.set_title(title)
    ax.legend(fontsize=6, loc="lower left")


def scatter3d(ax: Axes, Z: np.ndarray, y: np.ndarray, title: str) -> None:
    u, v = np.mgrid[0 : 2 * np.pi : 24j, 0 : np.pi : 12j]
    ax.plot_wireframe(
        np.cos(u) * np.sin(v), np.sin(u) * np.sin(v), np.cos(v), color="lightgray", lw=0.3
    )
    for j in np.unique(y):
        P = Z[y == j]
        c = ("forestgreen", "royalblue", "brown")[int(j) % 3]
        ax.scatter(P[:, 0], P[:, 1], P[:, 2], s=4, alpha=0.5, color=c)
        d = P[0] / np.linalg.norm(P[0])
        ax.quiver(0, 0, 0, d[0], d[1], d[2], color=c, lw=1.5)
    ax.view_init(20, 15)
    ax.set_title(title)


def heatmap(fig: Figure, ax: Axes, G: np.ndarray, labels: np.ndarray, title: str) -> None:
    """|cosine| matrix sorted by class, Blues, ticks at class boundaries."""
    im = ax.imshow(G, cmap="Blues", vmin=0, vmax=1, interpolation="nearest")
    bounds = np.flatnonzero(np.diff(labels)) + 0.5
    for b in bounds:
        ax.axhline(b, color="k", lw=0.2, alpha=0.4)
        ax.axvline(b, color="k", lw=0.2, alpha=0.4)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)
    fig.colorbar(im, ax=ax, ticks=[0, 0.5, 1], fraction=0.046, pad=0.04)


def cross_histogram(
    ax: Axes, counts: np.ndarray, edges: np.ndarray, title: str, mean: float
) -> None:
    frac = counts / max(1, counts.sum())
    ax.bar(
        edges[:-1], frac, width=np.diff(edges), align="edge", color="steelblue", edgecolor="white"
    )
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(0, 1)
    ax.set_xlabel(r"$|\cos|$ between different classes")
    ax.set_ylabel("fraction of pairs")
    ax.set_title(f"{title}\nmean {mean:.3f}", fontsize=9)


def accuracy_table(fig: Figure, table: pd.DataFrame, title: str) -> None:
    """Render the tidy accuracy table as rows (features, set) x classifiers."""
    wide = table.pivot_table(
        index=["features", "set"], columns="classifier", values="accuracy", sort=False
    )
    ax = fig.add_subplot(1, 1, 1)
    ax.axis("off")
    cells = [[f"{v:.3f}" for v in row] for row in wide.to_numpy()]
    rows = [f"{f} / {s}" for f, s in wide.index]
    tab = ax.table(
        cellText=cells, rowLabels=rows, colLabels=list(wide.columns), loc="center", cellLoc="center"
    )
    tab.scale(1, 1.3)
    ax.set_title(title)
