"""Figure saving shared by every figure rule: PDF and PNG, written atomically."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from deeplaws.common.io import atomic_path  # noqa: E402


def save_figure(fig: Figure, *paths: str | Path, dpi: int = 150) -> None:
    """Save ``fig`` to each path (format from the suffix), atomically."""
    for path in paths:
        suffix = Path(path).suffix.lstrip(".")
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=suffix, dpi=dpi, bbox_inches="tight")
