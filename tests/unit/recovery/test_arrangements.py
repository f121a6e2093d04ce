"""Patterns, the exact all-ones test and Wendel's formula."""

import numpy as np
import pytest

from deeplaws.recovery import arrangements
from deeplaws.recovery.data import draw_x


@pytest.mark.parametrize(("n", "d"), [(12, 6), (14, 4), (9, 5)])
def test_all_ones_frequency_matches_wendel(n, d):
    rng = np.random.default_rng(n * 100 + d)
    trials = 300
    hits = sum(arrangements.all_ones_exists(draw_x(rng, n, d, "gauss")) for _ in range(trials))
    p = arrangements.wendel_probability(n, d)
    se = np.sqrt(p * (1 - p) / trials)
    assert abs(hits / trials - p) < 4 * se + 1e-9


def test_wendel_closed_forms():
    assert arrangements.wendel_probability(5, 5) == 1.0
    assert arrangements.wendel_probability(20, 10) == pytest.approx(0.5)  # n = 2d
    assert arrangements.wendel_probability(3, 2) == pytest.approx(0.75)
    assert arrangements.wendel_probability(3, 1) == pytest.approx(0.25)


def test_all_ones_exact_cases():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # u = (1, 1) works
    assert arrangements.all_ones_exists(X)
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])  # no half-space
    assert not arrangements.all_ones_exists(X)
    assert arrangements.all_ones_exists(np.ones((3, 4)))  # rank < d: a null direction


def test_patterns_deduplicated_and_planted_found():
    rng = np.random.default_rng(5)
    X = draw_x(rng, 30, 5, "gauss")
    W = rng.standard_normal((5, 2))
    pats = arrangements.sample_patterns(X, rng, 60, planted_dirs=W)
    D = pats.Dmat[:, : pats.P - int(pats.all_ones)]
    assert len({tuple(c) for c in D.T}) == D.shape[1]
    for i, s in enumerate(pats.planted):
        assert np.array_equal(pats.Dmat[:, s], (X @ W[:, i] >= 0).astype(float))


def test_clash_of_planted_patterns_is_reported():
    rng = np.random.default_rng(6)
    X = draw_x(rng, 10, 3, "gauss")
    w = rng.standard_normal((3, 1))
    with pytest.raises(arrangements.PlantedPatternClash):
        arrangements.sample_patterns(X, rng, 5, planted_dirs=np.hstack([w, 2 * w]))
