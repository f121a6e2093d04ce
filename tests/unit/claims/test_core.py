"""The claims machinery: registry validation, requirements, judging, ordering, rendering."""

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from deeplaws.claims import (
    COUNTS_BEGIN,
    COUNTS_END,
    evaluate,
    load_registry,
    render_counts,
    render_html,
    render_markdown,
    unmet,
)
from deeplaws.common.markers import replace_region

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = ROOT / "workflow/schemas/claims.schema.yaml"


def _registry(tmp_path, claims):
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump({"claims": claims}))
    return path


def _claim(id_, value, op=">=", tol=0.0, **extra):
    entry = {
        "id": id_, "paper": "P1", "figure": "Fig 1", "statement": f"claim {id_}",
        "metric": "json_value", "args": {"key": "x"}, "inputs": [f"{id_}.json"],
        "expect": {"op": op, "value": value, "tol": tol}, "source": "test",
    }  # fmt: skip
    entry.update(extra)
    return entry


def test_pass_fail_not_run_and_order(tmp_path):
    for name, x in (("a", 1.0), ("b", 0.5), ("c", 2.0)):
        (tmp_path / f"{name}.json").write_text(json.dumps({"x": x}))
    claims = load_registry(
        _registry(
            tmp_path,
            [
                _claim("a", 1.0),  # 1.0 >= 1.0: PASS
                _claim("b", 1.0),  # 0.5 >= 1.0: FAIL
                _claim("c", 2.1, op="==", tol=0.2),  # |2.0 - 2.1| <= 0.2: PASS
                _claim("d", 0.0, requires={"p1.on": True}, needs="the P1 part"),
            ],
        ),
        SCHEMA,
    )
    config = {"p1": {"on": False}}
    reasons = {c.id: unmet(c, config) for c in claims}
    assert reasons["a"] is None and "p1.on" in reasons["d"] and "the P1 part" in reasons["d"]
    frame = evaluate(claims, reasons, root=tmp_path)
    assert frame["status"].tolist() == ["FAIL", "PASS", "PASS", "NOT RUN"]
    assert frame["id"].tolist()[0] == "b"
    md = render_markdown(frame)
    assert "4 claims: 1 FAIL, 2 PASS, 1 NOT RUN" in md
    page = render_html(frame)
    assert page.count("<tr style") == 4 and "NOT RUN" in page


def test_broken_input_is_a_fail_with_reason(tmp_path):
    claims = load_registry(_registry(tmp_path, [_claim("a", 1.0)]), SCHEMA)
    frame = evaluate(claims, {"a": None}, root=tmp_path)  # a.json does not exist
    assert frame.loc[0, "status"] == "FAIL"
    assert "could not compute" in frame.loc[0, "reason"]


@pytest.mark.parametrize(
    "bad,needle",
    [
        (_claim("A-B", 1.0), "does not match"),
        ({**_claim("a", 1.0), "paper": "P4"}, "is not one of"),
        (_claim("a", 1.0, op="~"), "is not one of"),
        ({**_claim("a", 1.0), "metric": "no_such_metric"}, "unknown metric"),
    ],
)
def test_invalid_registry(tmp_path, bad, needle):
    with pytest.raises((ValueError, KeyError), match=needle):
        load_registry(_registry(tmp_path, [bad]), SCHEMA)


def test_duplicate_ids(tmp_path):
    with pytest.raises(ValueError, match="duplicate"):
        load_registry(_registry(tmp_path, [_claim("a", 1.0), _claim("a", 2.0)]), SCHEMA)


def _finding(id_, **extra):
    entry = _claim(id_, 0.0, category="finding", paper="lens", **extra)
    del entry["expect"]
    return entry


def test_findings_are_measured_not_judged(tmp_path):
    for name, x in (("a", 1.0), ("f", -3.5), ("g", float("nan"))):
        (tmp_path / f"{name}.json").write_text(json.dumps({"x": x}))
    claims = load_registry(
        _registry(tmp_path, [_claim("a", 2.0), _finding("f"), _finding("g")]), SCHEMA
    )
    frame = evaluate(claims, {c.id: None for c in claims}, root=tmp_path)
    rows = frame.set_index("id")
    assert rows.loc["a", "status"] == "FAIL" and rows.loc["a", "category"] == "claim"
    assert rows.loc["f", "status"] == "MEASURED" and rows.loc["f", "measured"] == -3.5
    assert rows.loc["f", "expected"] == ""
    assert rows.loc["g", "status"] == "FAIL" and "not finite" in rows.loc["g", "reason"]
    md = render_markdown(frame)
    assert "1 claims: 1 FAIL, 0 PASS, 0 NOT RUN" in md  # the findings are not counted as claims
    assert "**2 findings**" in md and "| MEASURED | Fig 1 | claim f | -3.5 |" in md
    assert "2 findings" in render_html(frame)


def test_findings_have_no_expectation_and_claims_need_one(tmp_path):
    with pytest.raises(ValueError, match="should not be valid"):
        load_registry(
            _registry(tmp_path, [{**_finding("f"), "expect": {"op": "==", "value": 1}}]), SCHEMA
        )
    claim = _claim("a", 1.0)
    del claim["expect"]
    with pytest.raises(ValueError, match="expect"):
        load_registry(_registry(tmp_path, [claim]), SCHEMA)


def test_counts_per_paper_add_up_and_leave_the_findings_out():
    frame = pd.DataFrame(
        {
            "paper": ["P1", "P1", "P2", "P3", "P3", "lens"],
            "status": ["PASS", "FAIL", "NOT RUN", "PASS", "PASS", "MEASURED"],
            "category": ["claim"] * 5 + ["finding"],
        }
    )
    table = render_counts(frame)
    assert table.splitlines() == [
        "| paper | PASS | FAIL | NOT RUN |",
        "|---|---|---|---|",
        "| P1 | 1 | 1 | 0 |",
        "| P2 | 0 | 0 | 1 |",
        "| P3 | 2 | 0 | 0 |",
        "| all | 3 | 1 | 1 |",
    ]
    readme = f"# deeplaws\n\nbefore\n{COUNTS_BEGIN}\nold counts\n{COUNTS_END}\nafter\n"
    new = replace_region(readme, table, COUNTS_BEGIN, COUNTS_END)
    assert "old counts" not in new and new.startswith("# deeplaws\n\nbefore\n")
    assert new.endswith(f"{COUNTS_END}\nafter\n") and "| all | 3 | 1 | 1 |" in new
    assert replace_region(new, table, COUNTS_BEGIN, COUNTS_END) == new
