"""The log-linear fit, the per-layer ratios, the two-segment fit and the lr rules."""

from __future__ import annotations

import math

import numpy as np
import pytest

from deeplaws.separation.figures import assemble
from deeplaws.separation.fit import layer_ratios, loglinear_fit, summarize_profile, two_segment_fit
from deeplaws.separation.selection import select_lr


def test_geometric_profile_fits_exactly() -> None:
    D = 30.0 * 0.6 ** np.arange(8)
    fit = loglinear_fit(D)
    assert fit["rho"] == pytest.approx(0.6, rel=1e-12)
    assert fit["slope"] == pytest.approx(math.log(0.6), rel=1e-12)
    assert fit["intercept"] == pytest.approx(math.log(30.0), rel=1e-12)
    assert fit["r"] == pytest.approx(-1.0, abs=1e-12)
    assert fit["r2"] == pytest.approx(1.0, abs=1e-12)
    ratios = layer_ratios(D)
    assert ratios["mean"] == pytest.approx(0.6) and ratios["cv"] == pytest.approx(0, abs=1e-12)


def test_fit_matches_numpy_least_squares_and_pearson() -> None:
    rng = np.random.default_rng(0)
    D = np.exp(3 - 0.4 * np.arange(12) + 0.2 * rng.normal(size=12))
    fit = loglinear_fit(D)
    b, a = np.polyfit(np.arange(12), np.log(D), 1)
    assert fit["slope"] == pytest.approx(b, rel=1e-10)
    assert fit["intercept"] == pytest.approx(a, rel=1e-10)
    assert fit["r"] == pytest.approx(np.corrcoef(np.arange(12), np.log(D))[0, 1], rel=1e-10)
    # the slope does not depend on numbering taps from 0 or from 1
    assert loglinear_fit(D, np.arange(1, 13))["slope"] == pytest.approx(b, rel=1e-10)


def test_two_segment_fit_recovers_both_rates() -> None:
    first = 20.0 * 0.5 ** np.arange(7)
    second = first[-1] * 0.9 ** np.arange(1, 5)
    D = np.concatenate([first, second])  # 11 points, the mixed ResNet's layer profile
    seg1, seg2 = two_segment_fit(D, 6)
    assert seg1["rho"] == pytest.approx(0.5) and seg1["n"] == 7
    assert seg2["rho"] == pytest.approx(0.9) and seg2["n"] == 5 and seg2["x0"] == 6
    assert summarize_profile(D, 6)["segment_split"] == 6
    with pytest.raises(ValueError):
        two_segment_fit(D[:5], 4)


def test_fit_of_degenerate_profiles_is_nan() -> None:
    assert math.isnan(loglinear_fit([1.0])["rho"])
    assert math.isnan(loglinear_fit([1.0, 0.0, 2.0])["r"])


CANDS = [
    {"lr": 1e-3, "final_loss": 0.02, "r": -0.99},
    {"lr": 3e-4, "final_loss": 0.01, "r": -0.98},
    {"lr": 1e-4, "final_loss": 0.01, "r": -0.995},
    {"lr": 3e-5, "final_loss": 0.5, "r": -0.999},
]


def test_lr_rules() -> None:
    chosen, why = select_lr(CANDS, "named", 1e-3)
    assert chosen["lr"] == 1e-3 and "named" in why
    chosen, _ = select_lr(CANDS, "lowest_loss", 1e-3)  # tie at 0.01 -> most negative r
    assert chosen["lr"] == 1e-4
    chosen, _ = select_lr(CANDS, "named", 0.5)  # named lr not in the grid -> lowest loss
    assert chosen["lr"] == 1e-4
    chosen, _ = select_lr(CANDS, "named", None)
    assert chosen["lr"] == 1e-4
    nan_loss = [{"lr": 1.0, "final_loss": float("nan"), "r": -1.0}, CANDS[3]]
    assert select_lr(nan_loss, "lowest_loss")[0]["lr"] == 3e-5
    with pytest.raises(ValueError):
        select_lr(CANDS, "best_test_accuracy")


def test_assemble_records_the_choice() -> None:
    profiles, trains = [], []
    for c in CANDS:
        D = list(10 * 0.5 ** np.arange(4))
        profiles.append({"D": D, "fit": loglinear_fit(D) | {"r": c["r"]}, "taps": []})
        trains.append(
            {
                "spec": {"lr": c["lr"]},
                "train": {
                    "final_loss": c["final_loss"],
                    "train_loss_eval": c["final_loss"],
                    "train_accuracy": 1.0,
                    "test_accuracy": 0.8,
                },
            }
        )
    specs = [
        {"kind": "profile", "title": "a", "runs": [0, 1, 2, 3], "named_lr": None},
        {"kind": "summary", "title": "s", "of": [0], "x": [4], "xlabel": "layers"},
    ]
    panels, records = assemble(specs, profiles, trains, "lowest_loss")
    assert records[0]["chosen_lr"] == 1e-4 and len(records[0]["grid"]) == 4
    assert panels[1]["rho"] == [pytest.approx(0.5)]
