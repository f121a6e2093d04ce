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


def test_reset_optimizer_makes_sign_steps():
    # With the optimizer re-created each epoch every step is a first Adam step:
    # |Δp| = lr·|g|/(|g| + eps) ≈ lr wherever the gradient is not tiny.
    rng = np.random.default_rng(5)
    X = data.draw_x(rng, 20, 4, "gauss")
    y = X @ data.unit(rng.standard_normal(4))
    init = nonconvex.init_params(np.random.default_rng(9), "skip", 4, 21)
    before = {k: v.detach().clone() for k, v in init.items()}
    loss = torch.sum((nonconvex.forward("skip", init, torch.tensor(X, dtype=torch.float32))
                      - torch.tensor(y, dtype=torch.float32)) ** 2)
    loss.backward()
    grads = {k: v.grad.detach().clone() for k, v in init.items()}
    res = nonconvex.train(np.random.default_rng(9), "skip", X, y, X, y, epochs=1, lr=1e-2,
                          weight_decay=0.0)
    assert len(res.train_loss) == 2
    after = nonconvex.init_params(np.random.default_rng(9), "skip", 4, 21)
    assert torch.equal(after["W1"], before["W1"])  # same seed, same initial weights
    g = grads["W1"]
    big = g.abs() > 1e-4
    # reconstruct the first step of AdamW and compare with the sign rule
    step = 1e-2 * g / (g.abs() + 1e-8)
    assert torch.allclose(step[big].abs(), torch.full_like(step[big], 1e-2), rtol=1e-3)


def test_persistent_optimizer_fits_better_than_reset():
    rng = np.random.default_rng(6)
    X = data.draw_x(rng, 30, 5, "gauss")
    y = X @ data.unit(rng.standard_normal(5))
    reset = nonconvex.train(np.random.default_rng(0), "skip", X, y, X, y, epochs=300)
    keep = nonconvex.train(np.random.default_rng(0), "skip", X, y, X, y, epochs=300,
                           reset_optimizer=False)
    assert reset.train_loss[0] == keep.train_loss[0]
    assert keep.train_loss[-1] < reset.train_loss[-1]


def test_mixture_projection_matches_full_draws():
    p_proj = mixture.separation_probability(np.random.default_rng(7), 20, 3.5, samples=4000)
    p_full = mixture.separation_probability_full(np.random.default_rng(8), 20, 3.5, samples=400)
    assert abs(p_proj - p_full) < 0.12  # same μ law, different μ draws: loose bound
    assert mixture.separation_probability(np.random.default_rng(0), 40, 20.0, samples=500) > 0.99
    assert mixture.separation_probability(np.random.default_rng(0), 40, 0.5, samples=500) < 0.01
