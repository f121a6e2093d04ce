"""The memory-saving forms of the evaluation give the numbers of the whole-array forms:
the cross-class histogram from row blocks of set b, accuracies of sets built on demand, and
the shifted features built whole or by blocks of samples."""

from __future__ import annotations

import numpy as np
import pytest

from deeplaws.redunet.evaluate import HIST_BINS, accuracies, cross_class_histogram, flat_unit
from deeplaws.redunet.lift import cyclic_shifts
from deeplaws.redunet.run import _ShiftedFeatures


def _unit(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    return flat_unit(rng.standard_normal((n, d)))


def test_cross_histogram_from_blocks_equals_whole_and_pairwise_loop() -> None:
    rng = np.random.default_rng(0)
    F_a, F_b = _unit(rng, 12, 7), _unit(rng, 17, 7)
    y_a, y_b = rng.integers(0, 3, 12), rng.integers(0, 3, 17)
    whole = cross_class_histogram(F_a, y_a, F_b, y_b)
    blocks = cross_class_histogram(F_a, y_a, (F_b[s : s + 5] for s in range(0, 17, 5)), y_b)
    assert whole.keys() == blocks.keys()
    for key in whole:
        np.testing.assert_array_equal(blocks[key], whole[key], err_msg=key)
    # independent: one pair at a time
    across = [abs(float(F_a[i] @ F_b[j])) for i in range(12) for j in range(17) if y_a[i] != y_b[j]]
    np.testing.assert_array_equal(whole["counts"], np.histogram(across, bins=HIST_BINS)[0])
    assert whole["counts"].sum() == len(across)
    np.testing.assert_allclose(whole["mean_across"], np.mean(across), rtol=1e-12)


def test_cross_histogram_rejects_missing_rows() -> None:
    rng = np.random.default_rng(1)
    F = _unit(rng, 6, 4)
    with pytest.raises(ValueError, match="feature rows"):
        cross_class_histogram(F, np.zeros(6, int), iter([F[:3]]), np.zeros(6, int))


def test_accuracies_of_sets_built_on_demand_equal_those_of_arrays() -> None:
    rng = np.random.default_rng(2)
    y_train = np.repeat(np.arange(3), 8)
    F_train = _unit(rng, 24, 10) + 0.5 * np.eye(3, 10)[y_train]
    F_eval, y_eval = _unit(rng, 30, 10), rng.integers(0, 3, 30)
    calls: list[int] = []

    def build() -> tuple[np.ndarray, np.ndarray]:
        calls.append(1)
        return F_eval.copy(), y_eval

    arrays = {"train": (F_train, y_train), "eval": (F_eval, y_eval)}
    lazy = {"train": (F_train, y_train), "eval": build}
    assert accuracies(F_train, y_train, lazy, 2) == accuracies(F_train, y_train, arrays, 2)
    assert len(calls) == 1


@pytest.mark.parametrize("per_block", [1, 2, 4])
def test_shifted_features_whole_and_by_blocks_equal_the_shifted_set(per_block: int) -> None:
    rng = np.random.default_rng(3)
    signals = rng.standard_normal((5, 2, 6, 6))
    before = signals.copy()
    expected = flat_unit(cyclic_shifts(signals, 3, (2, 3))[0])
    shifted = _ShiftedFeatures(signals, 3, (2, 3))
    np.testing.assert_array_equal(shifted.whole(), expected)
    np.testing.assert_array_equal(np.concatenate(list(shifted.blocks(per_block))), expected)
    # the unshifted signals are left as they were (the features are normalized copies)
    np.testing.assert_array_equal(signals, before)
