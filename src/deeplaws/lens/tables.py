"""Writing and reading the lens tables (tidy CSV, one row per measurement)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from deeplaws.common.io import atomic_path


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """``frame`` as CSV at ``path`` (atomic; floats to 15 significant digits)."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.15g")


def read_csv(path: str | Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=True)
