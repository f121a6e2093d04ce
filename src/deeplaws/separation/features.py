"""Tap features of a trained network and its D profile.

The faithful default measures a deep copy of the net in **train mode**: features are
computed in consecutive chunks of 100 training samples in stored order, and every
BatchNorm layer normalises with the chunk's own statistics. ``bn_mode="eval"`` uses the
running statistics instead (an ablation). Only the training set is ever measured.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch

from deeplaws.separation.constants import BN_MODES
from deeplaws.separation.fuzziness import fuzziness, pca_scores
from deeplaws.separation.models import TapNet


@torch.no_grad()
def tap_features(
    model: TapNet,
    X: torch.Tensor,
    taps: str = "default",
    bn_mode: str = "train",
    chunk: int = 100,
) -> list[np.ndarray]:
    """The features of every tap for inputs ``X``, as float32 arrays (n, p_l)."""
    if bn_mode not in BN_MODES:
        raise ValueError(f"bn_mode must be one of {BN_MODES}, not {bn_mode!r}")
    net = copy.deepcopy(model)
    net.train(bn_mode == "train")
    device = next(net.parameters()).device
    parts: list[list[np.ndarray]] = []
    for start in range(0, X.shape[0], chunk):
        _, feats = net.forward_taps(X[start : start + chunk].to(device), taps)
        parts.append([f.detach().float().cpu().numpy() for f in feats])
    return [np.concatenate(col, axis=0) for col in zip(*parts, strict=True)]


def d_profile(
    features: list[np.ndarray],
    y: np.ndarray,
    pca: int | None = None,
    drop_input: bool = False,
    weighting: str = "nk",
) -> list[dict[str, Any]]:
    """D with diagnostics per tap; optional PCA-``pca`` scores and dropped tap 0.

    ``weighting``: ``nk`` (the paper's n_k-weighted scatter matrices) or ``uniform`` (every
    class weighted 1/K, as the original balanced driver); see
    :func:`deeplaws.separation.fuzziness.fuzziness`.
    """
    rows = []
    for index, H in enumerate(features):
        if drop_input and index == 0:
            continue
        p_orig = H.shape[1]
        Z = pca_scores(H, pca) if pca else H
        row: dict[str, Any] = {"tap": index, "p_original": int(p_orig)}
        row.update(fuzziness(Z, y, weighting=weighting).as_dict())
        rows.append(row)
    return rows
