"""Claim registry, metric registry, evaluation and rendering."""

from __future__ import annotations

import html
import importlib
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import yaml

from deeplaws.common.config import dotted_get as _lookup

# Metric functions: name -> f(paths: list[Path], **args) -> float | bool
MetricFn = Callable[..., float | bool]
_METRICS: dict[str, MetricFn] = {}
# Modules that register metrics (imported lazily by :func:`get_metric`).
METRIC_MODULES = ("deeplaws.claims.metrics",)

STATUS_ORDER = {"FAIL": 0, "PASS": 1, "NOT RUN": 2, "MEASURED": 3}
#: the status of a computed finding (a measured value reported, not judged)
MEASURED = "MEASURED"
CATEGORIES = ("claim", "finding")

_OPS: dict[str, Callable[[float, float, float], bool]] = {
    "==": lambda m, v, t: abs(m - v) <= t,
    "<=": lambda m, v, t: m <= v + t,
    ">=": lambda m, v, t: m >= v - t,
    "<": lambda m, v, t: operator.lt(m, v + t),
    ">": lambda m, v, t: operator.gt(m, v - t),
}


def metric(name: str) -> Callable[[MetricFn], MetricFn]:
    """Register a metric function under ``name``."""

    def deco(fn: MetricFn) -> MetricFn:
        if name in _METRICS and _METRICS[name] is not fn:
            raise ValueError(f"metric {name!r} registered twice")
        _METRICS[name] = fn
        return fn

    return deco


def get_metric(name: str) -> MetricFn:
    for module in METRIC_MODULES:
        importlib.import_module(module)
    try:
        return _METRICS[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r}; known: {', '.join(sorted(_METRICS))}") from None


@dataclass(frozen=True)
class Claim:
    """One checkable statement of a paper, or a finding of this pipeline.

    A ``finding`` (category) is a measured value reported as it is, with no expectation:
    it is never PASS or FAIL, so a change of config shows its movement in the report.
    """

    id: str
    paper: str
    figure: str
    statement: str
    metric: str
    inputs: tuple[str, ...]
    op: str
    value: float
    tol: float
    source: str
    figure_file: str | None = None
    args: Mapping[str, Any] = field(default_factory=dict)
    requires: Mapping[str, Any] = field(default_factory=dict)  # dotted config key -> value
    needs: str | None = None  # human-readable requirement shown when NOT RUN
    category: str = "claim"  # claim (judged against its expectation) or finding (measured)

    @property
    def expected(self) -> str:
        if self.category == "finding":
            return ""
        tol = f" ± {self.tol:g}" if self.tol else ""
        return f"{self.op} {self.value:g}{tol}"


def load_registry(path: str | Path, schema: str | Path | Mapping[str, Any]) -> list[Claim]:
    """Read and validate the claims registry; ids must be unique, metrics must exist."""
    data = yaml.safe_load(Path(path).read_text())
    if not isinstance(schema, Mapping):
        schema = yaml.safe_load(Path(schema).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"{'.'.join(map(str, e.absolute_path)) or '<top>'}: {e.message}" for e in errors]
        raise ValueError(f"invalid claims registry {path}:\n  " + "\n  ".join(lines))
    claims = []
    for entry in data["claims"]:
        exp = entry.get("expect", {"op": "==", "value": float("nan")})
        claims.append(
            Claim(
                id=entry["id"],
                paper=entry["paper"],
                figure=entry["figure"],
                statement=entry["statement"],
                metric=entry["metric"],
                inputs=tuple(entry["inputs"]),
                op=exp["op"],
                value=float(exp["value"]),
                tol=float(exp.get("tol", 0.0)),
                source=entry["source"],
                figure_file=entry.get("figure_file"),
                args=entry.get("args", {}),
                requires=entry.get("requires", {}),
                needs=entry.get("needs"),
                category=entry.get("category", "claim"),
            )
        )
    ids = [c.id for c in claims]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ValueError(f"duplicate claim ids in {path}: {dup}")
    for c in claims:
        get_metric(c.metric)
    return claims


def _judge(claim: Claim, measured: float | bool) -> bool:
    if isinstance(measured, bool):
        measured = float(measured)
    if measured is None or (isinstance(measured, float) and math.isnan(measured)):
        return False
    return _OPS[claim.op](float(measured), claim.value, claim.tol)


def unmet(claim: Claim, config: Mapping[str, Any]) -> str | None:
    """Why ``claim`` cannot run in ``config`` (None if it can)."""
    for key, want in claim.requires.items():
        have = _lookup(config, key)
        if have != want:
            need = f"; {claim.needs}" if claim.needs else ""
            return f"needs {key} = {want!r}, this config has {have!r}{need}"
    return None


def evaluate(
    claims: Iterable[Claim], unmet_reasons: Mapping[str, str | None], root: str | Path = "."
) -> pd.DataFrame:
    """Evaluate every claim; one row per claim, FAIL first, then PASS, then NOT RUN.

    ``unmet_reasons`` maps a claim id to the reason it cannot run in this config (None: it
    can, and its inputs exist); see :func:`unmet`.
    """
    root = Path(root)
    rows = []
    for c in claims:
        row = {
            "id": c.id, "paper": c.paper, "figure": c.figure, "statement": c.statement,
            "expected": c.expected, "measured": float("nan"), "status": "NOT RUN",
            "reason": "", "source": c.source, "figure_file": c.figure_file or "",
            "metric": c.metric, "inputs": ";".join(c.inputs), "category": c.category,
        }  # fmt: skip
        reason = unmet_reasons.get(c.id, "not evaluated")
        if reason:
            row["reason"] = reason
        else:
            try:
                value = get_metric(c.metric)([root / p for p in c.inputs], **dict(c.args))
                row["measured"] = float(value)
                if c.category == "finding":
                    finite = math.isfinite(float(value))
                    row["status"] = MEASURED if finite else "FAIL"
                    row["reason"] = "" if finite else "the measured value is not finite"
                else:
                    row["status"] = "PASS" if _judge(c, value) else "FAIL"
            except Exception as exc:  # a broken computation is a finding, shown as FAIL
                row["status"] = "FAIL"
                row["reason"] = f"could not compute: {type(exc).__name__}: {exc}"
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["_order"] = frame["status"].map(STATUS_ORDER)
    return frame.sort_values(["_order", "paper", "id"], kind="stable").drop(columns="_order")


def _fmt(value: float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return ""
    return f"{value:.4g}"


def _split(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(paper claims, findings) of a claims frame (a frame without categories: all claims)."""
    if "category" not in frame.columns:
        return frame, frame.iloc[0:0]
    is_finding = frame["category"].astype(str) == "finding"
    return frame[~is_finding], frame[is_finding]


def render_markdown(frame: pd.DataFrame, link_prefix: str = "") -> str:
    """The claims table as Markdown (FAIL first), then the findings table if any."""
    claims, findings = _split(frame)
    counts = claims["status"].value_counts().to_dict() if not claims.empty else {}
    head = ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUS_ORDER if s != MEASURED)
    lines = [
        f"**{len(claims)} claims: {head}.**",
        "",
        "| status | paper | figure | claim | expected | measured | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in claims.itertuples():
        fig = f"[{r.figure}]({link_prefix}{r.figure_file})" if r.figure_file else r.figure
        note = r.reason or r.source
        lines.append(
            f"| {r.status} | {r.paper} | {fig} | {r.statement} | {r.expected} | "
            f"{_fmt(r.measured)} | {note} |"
        )
    if not findings.empty:
        lines += [
            "",
            f"**{len(findings)} findings** (measured values of this pipeline, not paper claims: "
            "no expectation, never PASS or FAIL).",
            "",
            "| status | figure | finding | measured | note |",
            "|---|---|---|---|---|",
        ]
        for r in findings.itertuples():
            fig = f"[{r.figure}]({link_prefix}{r.figure_file})" if r.figure_file else r.figure
            lines.append(
                f"| {r.status} | {fig} | {r.statement} | {_fmt(r.measured)} | "
                f"{r.reason or r.source} |"
            )
    return "\n".join(lines) + "\n"


#: the markers of the claim counts in README.md
COUNTS_BEGIN, COUNTS_END = "<!-- claims:begin -->", "<!-- claims:end -->"
COUNTED = ("PASS", "FAIL", "NOT RUN")


def render_counts(frame: pd.DataFrame) -> str:
    """How many paper claims PASS, FAIL and are NOT RUN, per paper and in all (Markdown)."""
    claims, _ = _split(frame)
    rows = [(p, claims[claims["paper"] == p]) for p in sorted(set(claims["paper"]))]
    lines = ["| paper | " + " | ".join(COUNTED) + " |", "|---" * (len(COUNTED) + 1) + "|"]
    for name, part in [*rows, ("all", claims)]:
        counts = part["status"].value_counts().to_dict()
        lines.append(f"| {name} | " + " | ".join(str(counts.get(s, 0)) for s in COUNTED) + " |")
    return "\n".join(lines)


def render_html(frame: pd.DataFrame, title: str = "deeplaws: paper claims") -> str:
    """A self-contained HTML page of the claims table (FAIL first, coloured by status)."""
    colour = {"PASS": "#d8f0d8", "FAIL": "#f6d0d0", "NOT RUN": "#eeeeee", MEASURED: "#dde8f6"}
    claims, findings = _split(frame)
    counts = claims["status"].value_counts().to_dict() if not claims.empty else {}
    rows = []
    for r in pd.concat([claims, findings]).itertuples():
        fig = html.escape(r.figure)
        if r.figure_file:
            fig = f'<a href="{html.escape(r.figure_file)}">{fig}</a>'
        rows.append(
            f'<tr style="background:{colour[r.status]}"><td><b>{r.status}</b></td>'
            f"<td>{html.escape(r.paper)}</td><td>{fig}</td><td>{html.escape(r.statement)}</td>"
            f"<td>{html.escape(r.expected)}</td><td>{_fmt(r.measured)}</td>"
            f"<td>{html.escape(r.reason)}</td><td>{html.escape(r.source)}</td></tr>"
        )
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUS_ORDER if s != MEASURED)
    if not findings.empty:
        summary += f"; and {len(findings)} findings (measured values, category 'finding')"
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif}}"
        "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:3px 6px;"
        "font-size:13px;vertical-align:top}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{len(claims)} claims: {summary}. A FAIL is a finding "
        "about the paper or about this reproduction, not an error of the pipeline.</p>"
        "<table><tr><th>status</th><th>paper</th><th>figure</th><th>claim</th>"
        "<th>expected</th><th>measured</th><th>reason</th><th>expectation from</th></tr>"
        + "".join(rows)
        + "</table></body></html>\n"
    )
