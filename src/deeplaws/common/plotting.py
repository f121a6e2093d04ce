"""Figure saving shared by every figure rule: PDF and PNG, written atomically."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from deeplaws.common.io import atomic_path  # noqa: E402

# The metadata key of a figure's caption per format (PDF document info, PNG text chunk).
CAPTION_KEY = {"pdf": "Subject", "png": "Description"}


def save_figure(
    fig: Figure, *paths: str | Path, dpi: int = 150, caption: str | None = None
) -> None:
    """Save ``fig`` to each path (format from the suffix), atomically; ``caption`` goes
    into the file's own metadata, so the figure file says what it shows."""
    for path in paths:
        suffix = Path(path).suffix.lstrip(".")
        meta = {CAPTION_KEY[suffix]: " ".join(caption.split())} if caption else None
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=suffix, dpi=dpi, bbox_inches="tight", metadata=meta)
