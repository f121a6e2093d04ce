"""Convex programs: optima known by hand, conic vs cvxpy vs per-pattern formulations, failures."""

import numpy as np
import pytest
import scipy.sparse as sp

from deeplaws.recovery import arrangements, convex, naive
from deeplaws.recovery.data import draw_x


@pytest.mark.parametrize("form", convex.FORMULATIONS)
def test_min_norm_interpolation_by_hand(form):
    # min ‖w‖ s.t. diag(1, 2) w = (3, 4): the unique solution is w = (3, 2), optimum √13.
    X = np.diag([1.0, 2.0])
    sol = convex.solve_blocks(
        [convex.Block("w", 1, 2, sp.csr_matrix(X))],
        np.array([3.0, 4.0]),
        "relaxed",
        formulation=form,
    )
    assert sol.ok
    assert sol.objective == pytest.approx(np.sqrt(13), rel=1e-7)
    assert sol.values["w"][0] == pytest.approx([3.0, 2.0], abs=1e-7)


@pytest.mark.parametrize("form", convex.FORMULATIONS)
def test_group_lasso_training_by_hand(form):
    # min ‖w − y‖² + β‖w‖ has the solution w = y (1 − β / (2‖y‖)) for β < 2‖y‖.
    y, beta = np.array([3.0, 4.0]), 2.0
    sol = convex.solve_blocks(
        [convex.Block("w", 1, 2, sp.identity(2, format="csr"))],
        y,
        "train",
        beta=beta,
        formulation=form,
    )
    w = y * (1 - beta / (2 * 5.0))
    assert sol.ok
    assert sol.values["w"][0] == pytest.approx(w, abs=1e-6)
    assert sol.objective == pytest.approx(np.sum((w - y) ** 2) + beta * 4.0, rel=1e-7)


@pytest.mark.parametrize("form", convex.FORMULATIONS)
def test_cone_constraint_by_hand(form):
    # min ‖u‖ s.t. u1 + u2 = 1, u >= 0: u = (1/2, 1/2), optimum 1/√2. Without the cone
    # the same point is optimal; with u1 - u2 = 1 and u >= 0, the optimum moves to (1, 0).
    A = sp.csr_matrix([[1.0, -1.0]])
    block = convex.Block("u", 1, 2, A, C=sp.identity(2, format="csr"))
    sol = convex.solve_blocks([block], np.array([1.0]), "exact", formulation=form)
    assert sol.values["u"][0] == pytest.approx([1.0, 0.0], abs=1e-6)
    relaxed = convex.solve_blocks([block], np.array([1.0]), "relaxed", formulation=form)
    assert relaxed.values["u"][0] == pytest.approx([0.5, -0.5], abs=1e-6)
    assert relaxed.objective == pytest.approx(1 / np.sqrt(2), rel=1e-7)


def test_all_ones_split_is_central():
    # With the all-ones pattern, X w0 + X w1 = y has a tied optimum ‖w*‖ and an interior
    # point method returns the central split w0 = w1 = w*/2.
    rng = np.random.default_rng(1)
    X = draw_x(rng, 30, 4, "gauss")
    w = rng.standard_normal(4)
    sol = convex.skip_program(X, X @ w, np.ones((30, 1)), "relaxed")
    assert sol.objective == pytest.approx(np.linalg.norm(w), rel=1e-6)
    assert sol.values["w0"][0] == pytest.approx(w / 2, abs=1e-5)


def test_sparse_blocks_match_dense_definitions():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((7, 3))
    Dmat = (rng.random((7, 4)) < 0.5).astype(float)
    B = convex.masked_blocks(X, Dmat).toarray()
    C = convex.sign_cones(X, Dmat).toarray()
    for j in range(4):
        assert np.allclose(B[:, 3 * j : 3 * j + 3], Dmat[:, [j]] * X)
        S = np.diag(2 * Dmat[:, j] - 1)
        assert np.allclose(C[7 * j : 7 * j + 7, 3 * j : 3 * j + 3], S @ X)
    assert np.count_nonzero(C) == np.count_nonzero(
        np.concatenate([(2 * Dmat[:, [j]] - 1) * X for j in range(4)])
    )


@pytest.mark.parametrize("mode", ["relaxed", "train"])
def test_vectorized_matches_per_pattern(mode):
    rng = np.random.default_rng(3)
    X = draw_x(rng, 20, 4, "gauss")
    w = rng.standard_normal(4)
    y = X @ w + 0.1 * rng.standard_normal(20)
    pats = arrangements.sample_patterns(X, rng, 20)
    vec = convex.skip_program(X, y, pats.Dmat, mode)
    status, objective, _, w0 = naive.skip_program_naive(X, y, pats.Dmat, mode)
    assert vec.ok and status in convex.ACCEPTED
    assert vec.objective == pytest.approx(objective, rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("mode", convex.MODES)
@pytest.mark.parametrize("family", ["skip", "plain", "normal"])
def test_conic_assembly_solves_the_cvxpy_program(family, mode):
    # Two independent routes to Clarabel (cvxpy's canonicalization, our assembly) must give
    # the same optimum and the same point. n < 2d gives rank-deficient normalized patterns,
    # so the pinned-zero entries are exercised too.
    rng = np.random.default_rng(21)
    n, d = 9, 5
    X = draw_x(rng, n, d, "gauss")
    W = rng.standard_normal((d, 1))
    W /= np.linalg.norm(W)
    y = np.maximum(X @ W[:, 0], 0) + 0.05 * rng.standard_normal(n)
    pats = arrangements.sample_patterns(X, rng, 12, planted_dirs=W)
    sols = {}
    for form in convex.FORMULATIONS:
        if family == "skip":
            sols[form] = convex.skip_program(X, y, pats.Dmat, mode, formulation=form)
        elif family == "plain":
            sols[form] = convex.plain_program(X, y, pats.Dmat, mode, formulation=form)
        else:
            bases = convex.normal_bases(X, pats.Dmat)
            assert (bases.ranks < bases.m).any()
            sols[form] = convex.normal_program(X, y, pats.Dmat, bases, mode, formulation=form)
    a, b = sols["cvxpy"], sols["conic"]
    assert a.ok and b.ok
    assert b.objective == pytest.approx(a.objective, rel=1e-6, abs=1e-9)
    assert a.values.keys() == b.values.keys()
    for key in a.values:
        assert b.values[key] == pytest.approx(a.values[key], abs=1e-5), key


def test_normal_targets_reproduce_planted_output():
    rng = np.random.default_rng(4)
    X = draw_x(rng, 15, 6, "gauss")  # n < 2d: rank-deficient patterns occur
    W = rng.standard_normal((6, 2))
    W /= np.linalg.norm(W, axis=0)
    pats = arrangements.sample_patterns(X, rng, 50, planted_dirs=W)
    bases = convex.normal_bases(X, pats.Dmat)
    c = convex.normal_targets(bases, W, pats.planted)
    for i, s in enumerate(pats.planted):
        h = np.maximum(X @ W[:, i], 0)
        assert bases.U[s] @ c[i] == pytest.approx(h / np.linalg.norm(h), abs=1e-10)
        assert np.all(c[i, bases.ranks[s] :] == 0)
    assert np.all(
        bases.ranks == [np.linalg.matrix_rank(pats.Dmat[:, [j]] * X) for j in range(pats.P)]
    )


@pytest.mark.parametrize("form", convex.FORMULATIONS)
def test_infeasible_program_is_a_status_not_an_exception(form):
    # y outside the range of A: no feasible point; the status is recorded, values are NaN.
    A = sp.csr_matrix(np.array([[1.0, 0.0], [1.0, 0.0]]))
    sol = convex.solve_blocks(
        [convex.Block("w", 1, 2, A)], np.array([1.0, 2.0]), "relaxed", formulation=form
    )
    assert not sol.ok
    assert sol.status in ("infeasible", "infeasible_inaccurate", "solver_error")
    assert sol.message
    assert np.all(np.isnan(sol.values["w"]))


def test_scs_is_refused_for_cone_programs():
    assert convex.solver_name("scs", "relaxed") == "SCS"
    assert convex.solver_name("scs", "train") == "CLARABEL"
    with pytest.raises(ValueError):
        convex.solver_name("ecos2", "relaxed")


def test_faer_factorization_gives_the_same_optimum():
    rng = np.random.default_rng(11)
    X = draw_x(rng, 30, 4, "gauss")
    y = X @ rng.standard_normal(4)
    pats = arrangements.sample_patterns(X, rng, 30)
    a = convex.skip_program(X, y, pats.Dmat, "train")
    b = convex.skip_program(X, y, pats.Dmat, "train", clarabel_method="faer")
    assert a.ok and b.ok
    assert a.objective == pytest.approx(b.objective, rel=1e-6, abs=1e-9)
    assert a.values["w0"] == pytest.approx(b.values["w0"], abs=1e-6)


@pytest.mark.parametrize("mode", ["relaxed", "train"])
def test_vectorized_normal_matches_per_pattern(mode):
    rng = np.random.default_rng(5)
    X = draw_x(rng, 14, 4, "gauss")
    W = rng.standard_normal((4, 1))
    W /= np.linalg.norm(W)
    y = np.maximum(X @ W[:, 0], 0) + 0.05 * rng.standard_normal(14)
    pats = arrangements.sample_patterns(X, rng, 14, planted_dirs=W)
    bases = convex.normal_bases(X, pats.Dmat)
    vec = convex.normal_program(X, y, pats.Dmat, bases, mode)
    status, objective, _, Z = naive.normal_program_naive(X, y, pats.Dmat, bases, mode)
    assert vec.ok and status in convex.ACCEPTED
    assert vec.objective == pytest.approx(objective, rel=1e-5, abs=1e-8)
    value = vec.values["Z"] if mode == "relaxed" else vec.values["A"] - vec.values["B"]
    assert value == pytest.approx(Z, abs=1e-4)
