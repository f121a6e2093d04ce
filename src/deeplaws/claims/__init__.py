"""Paper claims checked against the pipeline's own results.

A claim (config/claims.yaml) names a metric, the result files it is computed from, and the
expected value or inequality with a tolerance. :func:`evaluate` computes every claim whose
inputs the current config produces and marks the others NOT RUN with the reason.
"""

from deeplaws.claims.core import (
    COUNTS_BEGIN,
    COUNTS_END,
    STATUS_ORDER,
    Claim,
    evaluate,
    load_registry,
    metric,
    render_counts,
    render_html,
    render_markdown,
    unmet,
)

__all__ = [
    "COUNTS_BEGIN",
    "COUNTS_END",
    "STATUS_ORDER",
    "Claim",
    "evaluate",
    "load_registry",
    "metric",
    "render_html",
    "render_counts",
    "render_markdown",
    "unmet",
]
