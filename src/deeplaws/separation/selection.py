"""Which learning rate a figure panel displays (App. B.5).

The authors never state how the displayed lr was chosen. Every grid point is trained and
stored; a panel then shows one of them by an explicit rule, recorded in the figure sidecar:

``named``        the lr named by the README / figure file names when one exists for the
                 panel, otherwise ``lowest_loss``;
``lowest_loss``  the lr with the lowest final training loss; ties (relative 1e-6) are broken
                 by the most negative Pearson r.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

RULES = ("named", "lowest_loss")


def _lowest_loss(candidates: Sequence[dict[str, Any]]) -> dict[str, Any]:
    def finite(v: float) -> float:
        return v if isinstance(v, (int, float)) and math.isfinite(v) else math.inf

    best_loss = min(finite(c["final_loss"]) for c in candidates)
    tied = [
        c
        for c in candidates
        if math.isclose(finite(c["final_loss"]), best_loss, rel_tol=1e-6, abs_tol=1e-12)
    ] or list(candidates)
    return min(tied, key=lambda c: finite(c["r"]))


def select_lr(
    candidates: Sequence[dict[str, Any]], rule: str, named_lr: float | None = None
) -> tuple[dict[str, Any], str]:
    """The chosen candidate (each has ``lr``, ``final_loss``, ``r``) and why it was chosen."""
    if not candidates:
        raise ValueError("no candidate runs to select from")
    if rule not in RULES:
        raise ValueError(f"unknown lr rule {rule!r}; known: {', '.join(RULES)}")
    if len(candidates) == 1:
        return candidates[0], "only lr of the grid"
    if rule == "named" and named_lr is not None:
        for c in candidates:
            if math.isclose(float(c["lr"]), float(named_lr), rel_tol=1e-9):
                return c, f"named lr {named_lr:g}"
    chosen = _lowest_loss(candidates)
    return chosen, "lowest final training loss (ties: most negative r)"
