"""Synthetic generators of ReduNet: shapes, class means, unit norms, seeding."""

import numpy as np
import pytest

from deeplaws.data import synthetic


@pytest.mark.parametrize("variant", range(1, 9))
def test_gaussian2d_shapes_and_norms(variant):
    ds = synthetic.gaussian(2, variant, noise=0.1, samples=50, seed=1)
    k = len(synthetic.GAUSSIAN2D_ANGLES[variant])
    assert ds.X_train.shape == (50 * k, 2) and ds.X_test.shape == (50 * k, 2)
    np.testing.assert_allclose(np.linalg.norm(ds.X_train, axis=1), 1.0, atol=1e-12)
    assert ds.class_counts("train") == [50] * k
    # test split sorted by class, train split shuffled
    assert np.all(np.diff(ds.y_test) >= 0)
    assert np.any(np.diff(ds.y_train) < 0)


@pytest.mark.parametrize("dim,variant", [(2, 1), (2, 8), (3, 1), (3, 2), (3, 3)])
def test_noiseless_points_sit_on_normalised_means(dim, variant):
    ds = synthetic.gaussian(dim, variant, noise=0.0, samples=3, seed=0)
    means = synthetic.gaussian_means(dim, variant)
    unit = means / np.linalg.norm(means, axis=1, keepdims=True)
    np.testing.assert_allclose(ds.X_test, np.repeat(unit, 3, axis=0), atol=1e-6)


def test_gaussian2d_variant1_means_are_orthogonal_axes():
    np.testing.assert_allclose(synthetic.gaussian_means(2, 1), np.eye(2), atol=1e-15)


def test_gaussian3d_variant3_keeps_official_typo():
    m = synthetic.gaussian_means(3, 3)
    assert m[2, 0] == m[2, 1] == pytest.approx(np.cos(5 * np.pi / 6))


def test_seeding_is_deterministic_and_distinct():
    a = synthetic.gaussian(2, 1, 0.1, 20, seed=7)
    b = synthetic.gaussian(2, 1, 0.1, 20, seed=7)
    c = synthetic.gaussian(2, 1, 0.1, 20, seed=8)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.allclose(a.X_train, c.X_train)


def test_noise_level():
    ds = synthetic.gaussian(2, 1, noise=0.05, samples=4000, seed=3)
    angles = np.arctan2(ds.X_test[:, 1], ds.X_test[:, 0])
    # class 0 sits at angle 0: the angular spread is close to the noise std
    assert np.std(angles[ds.y_test == 0]) == pytest.approx(0.05, rel=0.1)


@pytest.mark.parametrize("variant", range(1, 10))
def test_sinusoid_shapes(variant):
    ds = synthetic.sinusoid(variant, time=50, samples=10, seed=0)
    k = synthetic.SINUSOID_CLASSES[variant]
    assert ds.X_train.shape == (10 * k, 1, 50)
    assert ds.class_counts("test") == [10] * k
    assert np.all(np.isfinite(ds.X_train))


def test_sinusoid_variant1_is_noiseless_one_period():
    ds = synthetic.sinusoid(1, time=101, samples=5, seed=0)
    x = ds.X_test[ds.y_test == 0, 0]
    # one full period with both ends: first and last samples coincide, mean over a period ~ 0
    np.testing.assert_allclose(x[:, 0], x[:, -1], atol=1e-12)
    np.testing.assert_allclose(x[:, :-1].mean(axis=1), 0.0, atol=1e-12)


def test_sinusoid_variant7_noise_std():
    ds = synthetic.sinusoid(7, time=150, samples=200, seed=0)
    sq = ds.X_test[ds.y_test == 1, 0]  # sign(sin) + N(0, 0.1^2)
    residual = sq - np.sign(sq)
    assert np.std(residual) == pytest.approx(0.1, rel=0.05)


def test_bad_variant():
    with pytest.raises(ValueError, match="1..8"):
        synthetic.gaussian(2, 9, 0.1, 10, 0)
    with pytest.raises(ValueError, match="1..9"):
        synthetic.sinusoid(10, 10, 10, 0)
