"""Metric functions of the claims registry on small files with known answers."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from deeplaws.claims.core import get_metric
from deeplaws.claims.metrics import (
    cell_rate,
    csv_agg,
    csv_diff,
    json_agg,
    json_diff,
    json_value,
    npz_max_abs_diff,
    npz_min_step,
    panel_agg,
    panel_trend,
    transition_ratio,
)


def _json(path, obj):
    path.write_text(json.dumps(obj))
    return path


def test_json_metrics(tmp_path):
    a = _json(tmp_path / "a.json", {"rates": {"train": 0.5, "test": 0.25}, "D": [3.0, 2.0]})
    b = _json(tmp_path / "b.json", {"rates": {"train": 1.5, "test": 0.0}, "D": [4.0, 1.0]})
    assert json_value([a], "rates.train") == 0.5
    assert json_value([b], "D.1") == 1.0  # list index in a dotted key
    assert json_agg([a, b], "rates.train", agg="max") == 1.5
    assert json_agg([a, b], "D.0", agg="mean") == 3.5
    assert json_diff([a], "rates.train", "rates.test") == 0.25
    with pytest.raises(KeyError):
        json_value([a], "rates.valid")


def test_npz_metrics(tmp_path):
    path = tmp_path / "rates.npz"
    up = np.array([0.0, 0.1, 0.3, 0.3, 0.6])
    down = np.array([0.0, 0.2, 0.1, 0.4, 0.6])
    np.savez(path, **{"train/dR": up, "test/dR": down})
    assert npz_min_step([path], "train/dR") == 0.0  # non-decreasing
    assert npz_min_step([path], "test/dR") == pytest.approx(-0.1)
    assert npz_min_step([path], "test/dR", start=2) == pytest.approx(0.2)
    assert npz_max_abs_diff([path], "train/dR", "test/dR") == pytest.approx(0.2)


def test_csv_metrics(tmp_path):
    path = tmp_path / "acc.csv"
    pd.DataFrame(
        {
            "features": ["X", "Z", "Z", "Z", "Z"],
            "set": ["test", "test", "test_shift", "test", "test_shift"],
            "classifier": ["svm", "svm", "svm", "nearsub", "nearsub"],
            "accuracy": [0.5, 0.9, 0.2, 0.8, 0.75],
        }
    ).to_csv(path, index=False)
    assert csv_agg([path], "accuracy", where={"features": "Z", "set": "test"}, agg="min") == 0.8
    diff = csv_diff(
        [path],
        "accuracy",
        where={"classifier": "nearsub"},
        a={"set": "test_shift"},
        b={"set": "test"},
    )
    assert diff == pytest.approx(-0.05)
    with pytest.raises(ValueError, match="no rows"):
        csv_agg([path], "accuracy", where={"set": "train"})
    mix = tmp_path / "mix.csv"
    pd.DataFrame({"sigma": [1.0, 2.0, 5.5, 6.0], "probability": [0.0, 0.1, 0.9, 1.0]}).to_csv(mix)
    assert csv_agg([mix], "probability", agg="min", at_least={"sigma": 5.5}) == 0.9
    assert csv_agg([mix], "probability", agg="max", at_most={"sigma": 2.0}) == 0.1


def _recovery_table(path, edges):
    """Trials per (d, n): recovered (1) iff n >= edges[d] (trial 0) / n >= edges[d] + 10
    (trial 1), so the mean rate is 0, 0.5, 1 around the edge."""
    rows = []
    for d, edge in edges.items():
        for n in range(10, 90, 10):
            for trial, shift in enumerate((0, 10)):
                rows.append(
                    {
                        "planted": "gauss",
                        "d": d,
                        "n": n,
                        "trial": trial,
                        "value": float(n >= edge + shift),
                    }
                )
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_recovery_cells_and_edge(tmp_path):
    path = _recovery_table(tmp_path / "t.csv", {10: 20, 20: 40})
    # mean rate: d=10: 0 at n=10, 0.5 at 20, 1 from 30; d=20: 0.5 at 40, 1 from 50
    assert cell_rate([path], agg="min", n_over_d_min=3) == 1.0
    assert cell_rate([path], agg="max", n_over_d_max=1) == 0.0
    assert cell_rate([path], agg="mean", n_over_d=2) == 0.5
    assert cell_rate([path], agg="min", n_minus_d_min=20, d_min=20) == 0.5  # n = 40 in
    assert cell_rate([path], agg="min", n_minus_d_min=30, d_min=20) == 1.0
    # the rate reaches 0.5 exactly at n = 2d for both d: edge ratio 2
    assert transition_ratio([path], where={"planted": "gauss"}, level=0.5) == pytest.approx(2.0)
    # level 0.75 is crossed halfway between n = 2d and the next grid point
    assert transition_ratio([path], level=0.75) == pytest.approx(np.mean([25 / 10, 45 / 20]))
    never = _recovery_table(tmp_path / "never.csv", {10: 200})
    assert math.isnan(transition_ratio([never], level=0.5))


def test_recovery_edge_ignores_an_early_lucky_cell(tmp_path):
    rows = [{"d": 10, "n": n, "value": v} for n, v in ((10, 1.0), (20, 0.0), (30, 1.0), (40, 1.0))]
    path = tmp_path / "t.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    # the rate settles at 1 only from n = 30: crossing of 0.5 at n = 25
    assert transition_ratio([path], level=0.5) == pytest.approx(2.5)


def _sidecar(path, rhos, rs, titles=None):
    panels = [
        {"kind": "profile", "title": (titles or [f"p{i}" for i in range(len(rhos))])[i],
         "D": [36.8, 36.8 * rho], "fit": {"rho": rho, "r": r}}
        for i, (rho, r) in enumerate(zip(rhos, rs, strict=True))
    ]  # fmt: skip
    panels.append({"kind": "summary", "title": "rho against depth"})
    return _json(path, {"panels": panels})


def test_panel_metrics(tmp_path):
    path = _sidecar(
        tmp_path / "fig.json",
        rhos=[0.3, 0.5, 0.8, 0.4, 0.35, 0.9],
        rs=[-0.999, -0.995, -0.98, -0.999, -0.99, -0.97],
        titles=["A 4", "A 8", "A 20", "B 4", "B 8", "B 20"],
    )
    assert panel_agg([path], "fit.r", agg="max") == -0.97  # the summary panel is skipped
    assert panel_agg([path], "D.0", agg="mean") == pytest.approx(36.8)
    assert panel_agg([path], "fit.rho", agg="mean", panels=[2]) == 0.8
    assert panel_agg([path], "fit.r", agg="min", title="B") == -0.999
    assert panel_trend([path], "fit.rho", group=3, title="A") == pytest.approx(1.0)
    # group B is 0.4, 0.35, 0.9: ranks 2, 1, 3 -> Spearman 0.5; the smallest group counts
    assert panel_trend([path], "fit.rho", group=3) == pytest.approx(0.5)
    assert panel_trend([path], "fit.rho", panels=[2, 1, 0]) == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="groups"):
        panel_trend([path], "fit.rho", group=4)


def test_metrics_are_registered():
    for name in (
        "json_value",
        "json_agg",
        "json_diff",
        "npz_min_step",
        "npz_max_abs_diff",
        "csv_agg",
        "csv_diff",
        "cell_rate",
        "transition_ratio",
        "panel_agg",
        "panel_trend",
    ):
        assert callable(get_metric(name))
