"""One experiment end to end: pushing the shifted sets through the layers and shifting the
outputs of the unshifted samples (equivariance) give the same features and accuracies."""

from __future__ import annotations

import numpy as np
import torch

from deeplaws.data import synthetic
from deeplaws.redunet.network import ConstructionConfig
from deeplaws.redunet.run import run_experiment

PARAMS = {
    "out_channels": 3,
    "kernel_size": 3,
    "shift_stride": 4,
    "shift_samples": 3,
    "kernel_seed": 10,
}


def _run(mode: str):
    ds = synthetic.sinusoid(variant=7, time=16, samples=8, seed=0)
    cfg = ConstructionConfig(layers=3, eta=0.1, lam=50.0)
    params = {**PARAMS, "shift_evaluation": mode}
    return run_experiment(ds, "sinusoid", params, cfg, n_comp=2, device=torch.device("cpu"))


def test_equivariant_shift_evaluation_matches_push() -> None:
    push, equi = _run("push"), _run("equivariance")
    assert push.summary["set_sizes"] == equi.summary["set_sizes"]
    assert push.summary["set_sizes"]["train_shift"] == 2 * 3 * 4  # 2 classes x 3 samples x 4 shifts
    for key, value in push.similarity.items():
        np.testing.assert_allclose(equi.similarity[key], value, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(equi.accuracy["accuracy"], push.accuracy["accuracy"])
    assert "train_shift/dR_true" in push.rates and "train_shift/dR_true" not in equi.rates
    # the sets pushed in both modes get identical per-layer rates
    np.testing.assert_allclose(equi.rates["test/dR_est"], push.rates["test/dR_est"], rtol=1e-12)
