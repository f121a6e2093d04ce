"""Classifiers and similarity statistics on features.

Features are flattened and normalized to unit norm. Classifiers are fitted on the
(unshifted) training features and scored on every set:

* ``svm``: scikit-learn ``LinearSVC(random_state=10)`` with default settings;
* ``knn``: cosine similarity, top 5 training neighbours, majority vote (ties -> smallest
  label, as torch ``mode``);
* ``nearsub``: per class the top ``n_comp`` right singular vectors of the class's
  (uncentered) training features (exact SVD); predict the class with the smallest residual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np
from sklearn.svm import LinearSVC

HIST_BINS = np.linspace(-0.05, 1.05, 22)  # 21 bins on [-0.05, 1.05] (official plot)


def flat_unit(X: np.ndarray, inplace: bool = False) -> np.ndarray:
    """Samples flattened and scaled to unit norm (``inplace``: X itself, if float64)."""
    F = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    norms = np.sqrt(np.einsum("ij,ij->i", F, F))[:, None]
    np.clip(norms, 1e-8, None, out=norms)
    if inplace:
        F /= norms
        return F
    return F / norms


def knn_predict(
    F_train: np.ndarray, y_train: np.ndarray, F_eval: np.ndarray, k: int = 5, chunk: int = 2048
) -> np.ndarray:
    n_classes = int(y_train.max()) + 1
    out = np.empty(len(F_eval), dtype=np.int64)
    kk = min(k, len(F_train))
    for s in range(0, len(F_eval), chunk):
        sim = F_eval[s : s + chunk] @ F_train.T
        top = np.argpartition(-sim, kk - 1, axis=1)[:, :kk]
        votes = np.zeros((len(top), n_classes), dtype=np.int64)
        np.add.at(votes, (np.repeat(np.arange(len(top)), kk), y_train[top].ravel()), 1)
        out[s : s + chunk] = votes.argmax(axis=1)
    return out


def nearsub_predict(
    F_train: np.ndarray, y_train: np.ndarray, F_eval: np.ndarray, n_comp: int
) -> np.ndarray:
    """Class of the nearest of the per-class subspaces: residual² = ‖f‖² − ‖Uᵀf‖² (U has
    orthonormal columns), from one product of the evaluation set with all class bases."""
    n_classes = int(y_train.max()) + 1
    n_comp = max(1, min(n_comp, F_train.shape[1] - 1))
    bases = []
    for j in range(n_classes):
        _, _, Vt = np.linalg.svd(F_train[y_train == j], full_matrices=False)
        bases.append(Vt[:n_comp])
    sizes = [len(B) for B in bases]
    P = F_eval @ np.concatenate(bases).T  # (n, Σ n_comp)
    P *= P
    proj = np.add.reduceat(P, np.cumsum([0, *sizes[:-1]]), axis=1)
    sq = np.einsum("ij,ij->i", F_eval, F_eval)[:, None]
    residuals = np.sqrt(np.clip(sq - proj, 0.0, None))
    return residuals.argmin(axis=1)


Labelled = tuple[np.ndarray, np.ndarray]


def accuracies(
    F_train: np.ndarray,
    y_train: np.ndarray,
    sets: Mapping[str, Labelled | Callable[[], Labelled]],
    n_comp: int,
) -> list[dict[str, object]]:
    """Rows {set, classifier, accuracy} for every set (features already flat/unit).

    A set given as a callable is built when its turn comes and dropped after it, so only one
    such set is in memory at a time (the scores do not depend on it)."""
    svm = LinearSVC(random_state=10).fit(F_train, y_train)
    rows: list[dict[str, object]] = []
    for name, item in sets.items():
        F, y = item() if callable(item) else item
        preds = {
            "svm": svm.predict(F),
            "knn": knn_predict(F_train, y_train, F),
            "nearsub": nearsub_predict(F_train, y_train, F, n_comp),
        }
        del F
        for clf, p in preds.items():
            rows.append({"set": name, "classifier": clf, "accuracy": float(np.mean(p == y))})
    return rows


def abs_cosine_sorted(F: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """|F Fᵀ| with samples sorted by class (stable), and the sorted labels."""
    order = np.argsort(y, kind="stable")
    # already sorted (e.g. the shifted sets, built class by class): no copy of F
    G = F if np.array_equal(order, np.arange(len(y))) else F[order]
    return np.abs(G @ G.T), y[order]


def cross_class_histogram(
    F_a: np.ndarray, y_a: np.ndarray, F_b: np.ndarray | Iterable[np.ndarray], y_b: np.ndarray
) -> dict[str, np.ndarray]:
    """Histogram (21 bins on [-0.05, 1.05]) of |cos| between samples of different classes
    of set a and set b, plus the within/across-class means.

    ``F_b`` is an array or its consecutive row blocks (then set b is never whole in
    memory; every |cos| is the same product of two rows either way)."""
    blocks = [F_b] if isinstance(F_b, np.ndarray) else F_b
    S = np.empty((len(F_a), len(y_b)), dtype=np.float64)
    start = 0
    for block in blocks:
        S[:, start : start + len(block)] = np.abs(F_a @ block.T)
        start += len(block)
        del block
    if start != len(y_b):
        raise ValueError(f"set b has {start} feature rows for {len(y_b)} labels")
    same = y_a[:, None] == y_b[None, :]
    counts, edges = np.histogram(S[~same], bins=HIST_BINS)
    return {
        "counts": counts,
        "edges": edges,
        "mean_within": np.array(S[same].mean() if same.any() else np.nan),
        "mean_across": np.array(S[~same].mean()),
        "frac_across_below_0.2": np.array((S[~same] < 0.2).mean()),
    }
