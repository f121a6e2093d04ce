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


def test_first_adamw_step_is_a_fresh_torch_adamw_bit_for_bit():
    # The default per-epoch reset is implemented without building optimizers; it must be
    # exactly what re-creating torch.optim.AdamW before every step does.
    X, y = _problem()
    Xt, yt = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    ours = nonconvex.init_params(np.random.default_rng(3), "skip", 4, 21)
    ref = nonconvex.init_params(np.random.default_rng(3), "skip", 4, 21)
    for _ in range(6):
        for params in (ours, ref):
            for p in params.values():
                p.grad = None
            torch.sum((nonconvex.forward("skip", params, Xt) - yt) ** 2).backward()
        nonconvex.first_adamw_step(list(ours.values()), lr=1e-2, weight_decay=1e-3)
        torch.optim.AdamW(ref.values(), lr=1e-2, weight_decay=1e-3).step()
    for key in ours:
        assert torch.equal(ours[key], ref[key]), key


@pytest.mark.parametrize("family", ["skip", "normal"])
def test_nets_trained_in_one_batch_are_independent(family):
    rng = np.random.default_rng(11)
    n, d = 15, 4
    sets = [
        (X, X @ data.unit(rng.standard_normal(d)), data.draw_x(rng, 30, d, "gauss"))
        for X in (data.draw_x(rng, n, d, "gauss") for _ in range(3))
    ]
    sets = [(X, y, Xs, np.maximum(Xs @ np.ones(d), 0.0)) for X, y, Xs in sets]

    def run(which):
        args = [[sets[i][j] for i in which] for j in range(4)]
        rngs = [np.random.default_rng(100 + i) for i in which]
        return nonconvex.train_batch(rngs, family, *args, epochs=30)

    ab, ac = run([0, 1]), run([0, 2])
    # Trial 0 does not see which net trains beside it: identical, bit for bit.
    assert ab[0].train_loss == ac[0].train_loss and ab[0].test_loss == ac[0].test_loss
    # And a batch agrees with training each net alone (float32 summation order aside).
    alone = nonconvex.train(np.random.default_rng(102), family, *sets[2], epochs=30)
    assert alone.test_loss == pytest.approx(ac[1].test_loss, rel=1e-3)
    assert ac[1].train_loss != ab[1].train_loss  # different data, different run


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


@pytest.mark.parametrize("family", ["skip", "normal"])
@pytest.mark.parametrize(("n", "d"), [(12, 5), (40, 10), (6, 9)])
def test_a_net_trains_bit_for_bit_alike_in_a_batch_of_any_size(family, n, d):
    # The program-level jobs train the cells of all panels at one (n, d) as one batch of
    # up to a few dozen nets; a record must equal that of its cell trained in pairs.
    rng = np.random.default_rng(n * 100 + d)
    sets = []
    for _ in range(12):
        X, Xs = data.draw_x(rng, n, d, "gauss"), data.draw_x(rng, n, d, "gauss")
        w = data.unit(rng.standard_normal(d))
        sets.append((X, np.maximum(X @ w, 0.0), Xs, np.maximum(Xs @ w, 0.0), w))

    def run(which):
        args = [[sets[i][j] for i in which] for j in range(4)]
        rngs = [np.random.default_rng(200 + i) for i in which]
        w_star = [sets[i][4] for i in which] if family == "skip" else None
        return nonconvex.train_batch(rngs, family, *args, w_star=w_star, epochs=25)

    pairs = [res for i in range(0, 12, 2) for res in run([i, i + 1])]
    for batch in (run(list(range(12))), run(list(range(6))) + run(list(range(6, 12)))):
        for a, b in zip(pairs, batch, strict=True):
            assert a.train_loss == b.train_loss and a.test_loss == b.test_loss
            assert a.dis_test == b.dis_test
            assert a.dis_abs == b.dis_abs or (np.isnan(a.dis_abs) and np.isnan(b.dis_abs))
