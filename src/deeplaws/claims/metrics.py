"""Metric functions of the claims registry, one per kind of check.

Each takes the claim's input files (``paths``) and keyword arguments from the registry and
returns a number (or a bool, read as 1/0) that is compared with the claim's expectation.
"""

from __future__ import annotations

from pathlib import Path

from deeplaws.claims.core import metric
from deeplaws.common.io import load_json


def _get(obj, dotted: str):
    for part in dotted.split("."):
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj


@metric("json_value")
def json_value(paths: list[Path], key: str) -> float:
    """A number stored in a JSON result file, at the dotted ``key``."""
    return float(_get(load_json(paths[0]), key))
