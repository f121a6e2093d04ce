"""Planted data, nonconvex training and the mixture experiment."""

import numpy as np
import pytest
import torch

from deeplaws.recovery import data, mixture, nonconvex


@pytest.mark.parametrize(("n", "d"), [(30, 5), (5, 30)])
def test_whitening_gives_orthonormal_columns_or_rows(n, d):
    X = data.draw_x(np.random.default_rng(0), n, d, "white")
    gram = X.T @ X if n >= d else X @ X.T
    assert gram == pytest.approx(np.eye(min(n, d)), abs=1e-10)


def test_intended_white_cubic_is_cube_then_whiten():
    rng1, rng2 = np.random.default_rng(1), np.random.default_rng(1)
    X = data.draw_x(rng1, 20, 4, "white_cubic")
    G = rng2.standard_normal((20, 4)) / np.sqrt(20)
    assert X == pytest.approx(data.whiten(G**3))


def test_svmin_is_smallest_right_singular_vector():
    X = data.draw_x(np.random.default_rng(2), 40, 5, "gauss")
    w = data.svmin_direction(X)
    s = np.linalg.svd(X, compute_uv=False)
    assert np.linalg.norm(w) == pytest.approx(1.0)
    assert np.linalg.norm(X @ w) == pytest.approx(s[-1])


def test_normal_instance_terms_have_unit_norm():
    rng = np.random.default_rng(3)
    X, W, y, _ = data.normal_instance(rng, 50, 6, 2, "gauss", "pm", 0.0)
    H = data.normal_outputs(X, W)
    assert np.linalg.norm(H, axis=0) == pytest.approx([1.0, 1.0])
    assert np.linalg.norm(y) == pytest.approx(np.sqrt(2))  # pm terms are orthogonal


def test_noise_has_expected_squared_norm_sigma_squared():
    rng = np.random.default_rng(4)
    z = np.array([data.noise(rng, 50, 0.2) for _ in range(4000)])
    assert np.mean(np.sum(z**2, axis=1)) == pytest.approx(0.04, rel=0.03)


def _problem():
    rng = np.random.default_rng(5)
    X = data.draw_x(rng, 20, 4, "gauss")
    return X, X @ data.unit(rng.standard_normal(4))


def test_reset_optimizer_is_sign_descent():
    # Re-creating AdamW every epoch makes each step a first Adam step:
    # p <- p (1 - lr wd) - lr g / (|g| + eps). Simulate that by hand and compare.
    X, y = _problem()
    lr, wd, epochs = 1e-2, 1e-3, 5
    res = nonconvex.train(
        np.random.default_rng(9), "skip", X, y, X, y, epochs=epochs, lr=lr, weight_decay=wd
    )
    params = nonconvex.init_params(np.random.default_rng(9), "skip", 4, 21)
    Xt, yt = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    manual = []
    for _ in range(epochs):
        loss = torch.sum((nonconvex.forward("skip", params, Xt) - yt) ** 2)
        grads = torch.autograd.grad(loss, list(params.values()))
        with torch.no_grad():
            for p, g in zip(params.values(), grads, strict=True):
                p.mul_(1 - lr * wd)
                p.sub_(lr * g / (g.abs() + 1e-8))
            manual.append(torch.sum((nonconvex.forward("skip", params, Xt) - yt) ** 2).item())
    assert res.train_loss[1:] == pytest.approx(manual, rel=1e-4)
    assert len(res.train_loss) == len(res.test_loss) == epochs + 1


def test_persistent_optimizer_differs_after_the_first_step():
    X, y = _problem()
    one = [
        nonconvex.train(
            np.random.default_rng(0), "skip", X, y, X, y, epochs=1, reset_optimizer=r
        ).train_loss
        for r in (True, False)
    ]
    assert one[0] == pytest.approx(one[1], rel=1e-6)
    five = [
        nonconvex.train(
            np.random.default_rng(0), "skip", X, y, X, y, epochs=5, reset_optimizer=r
        ).train_loss[-1]
        for r in (True, False)
    ]
    assert abs(five[0] - five[1]) > 1e-6 * max(five)


def test_mixture_projection_matches_full_draws():
    means = mixture.draw_means(np.random.default_rng(7), 20)
    p_proj = mixture.separation_probability(
        np.random.default_rng(8), 20, 3.5, samples=4000, means=means
    )
    p_full = mixture.separation_probability_full(
        np.random.default_rng(9), 20, 3.5, samples=600, means=means
    )
    assert 0.05 < p_proj < 0.95  # a regime where the comparison means something
    assert abs(p_proj - p_full) < 4 * np.sqrt(p_proj * (1 - p_proj) / 600)
    assert mixture.separation_probability(np.random.default_rng(0), 40, 20.0, samples=500) > 0.99
    assert mixture.separation_probability(np.random.default_rng(0), 40, 0.5, samples=500) < 0.01
