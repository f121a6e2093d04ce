"""One overview figure of every dataset artifact: what each looks like, at a glance."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from deeplaws.data.dataset import Dataset


def _montage(images: np.ndarray, labels: np.ndarray, per_class: int = 2) -> np.ndarray:
    """Columns = classes (up to 10), ``per_class`` images each, of the first images met."""
    if images.ndim == 4:  # (N, C, H, W)
        images = images.transpose(0, 2, 3, 1)
        if images.shape[-1] == 1:
            images = images[..., 0]
    tiles = []
    for c in np.unique(labels)[:10]:
        idx = np.flatnonzero(labels == c)[:per_class]
        row = [images[i] for i in idx]
        while len(row) < per_class:
            row.append(np.zeros_like(images[0]))
        tiles.append(np.concatenate(row, axis=0))
    out = np.concatenate(tiles, axis=1).astype(np.float64)
    return (out - out.min()) / max(out.max() - out.min(), 1e-12)


def _panel(ax, ds: Dataset) -> None:
    X, y = ds.X_train, ds.y_train
    counts = ds.class_counts("train")
    title = f"{ds.name}\n{len(ds.y_train)} train / {len(ds.y_test)} test, {ds.n_classes} classes"
    ax.set_title(title, fontsize=7)
    if X.ndim == 2 and X.shape[1] == 2:
        ax.scatter(X[:, 0], X[:, 1], c=y, s=2, cmap="tab10", vmin=0, vmax=9)
        ax.set_aspect("equal")
    elif X.ndim == 3 and X.shape[1] == 1:  # 1-D signals (N, 1, T)
        for c in np.unique(y):
            i = np.flatnonzero(y == c)[0]
            ax.plot(X[i, 0], lw=0.8, color=f"C{c}")
    elif X.ndim >= 3:  # images
        ax.imshow(_montage(X, y), cmap="gray")
        ax.set_xticks([])
        ax.set_yticks([])
    else:  # vectors of dim > 2: first two principal components
        Xc = X.reshape(len(X), -1).astype(np.float64)
        Xc = Xc - Xc.mean(axis=0)
        _, _, vt = np.linalg.svd(Xc, full_matrices=False)
        P = Xc @ vt[:2].T
        ax.scatter(P[:, 0], P[:, 1], c=y, s=2, cmap="tab10", vmin=0, vmax=9)
        ax.set_xlabel("PC1", fontsize=6)
        ax.set_ylabel("PC2", fontsize=6)
    ax.tick_params(labelsize=5)
    if X.ndim >= 3 and X.shape[-1] == X.shape[-2]:
        ax.set_xlabel("counts " + " ".join(map(str, counts)), fontsize=5)
    elif len(counts) <= 10:
        ax.text(
            0.01, 0.01, "counts " + " ".join(map(str, counts)), transform=ax.transAxes,
            fontsize=5, va="bottom", ha="left",
            bbox={"facecolor": "white", "alpha": 0.7, "lw": 0},
        )  # fmt: skip


def plot_overview(datasets: list[Dataset], ncols: int = 6) -> Figure:
    """A grid with one panel per dataset (scatter, signals, PCA or image montage)."""
    nrows = max(1, math.ceil(len(datasets) / ncols))
    fig = Figure(figsize=(2.2 * ncols, 2.3 * nrows))
    for k, ds in enumerate(datasets):
        _panel(fig.add_subplot(nrows, ncols, k + 1), ds)
    fig.suptitle("deeplaws datasets (training split)", fontsize=10)
    fig.tight_layout()
    return fig
