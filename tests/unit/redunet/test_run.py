"""One experiment end to end: pushing the shifted sets through the layers and shifting the
outputs of the unshifted samples (equivariance, the default) give the same features,
accuracies, per-layer rates and estimated labels, with either backend."""

from __future__ import annotations

import numpy as np
import pytest
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


def _run(mode: str, backend: str = "fast", shift_samples: int = 3):
    ds = synthetic.sinusoid(variant=7, time=16, samples=8, seed=0)
    cfg = ConstructionConfig(layers=3, eta=0.1, lambda_=50.0, backend=backend)
    params = {**PARAMS, "shift_evaluation": mode, "shift_samples": shift_samples}
    return run_experiment(ds, "sinusoid", params, cfg, n_comp=2, device=torch.device("cpu"))


@pytest.mark.parametrize(("backend", "shift_samples"), [("fast", 3), ("fast", 8), ("reference", 3)])
def test_equivariant_shift_evaluation_matches_push(backend: str, shift_samples: int) -> None:
    push = _run("push", backend, shift_samples)
    equi = _run("equivariance", backend, shift_samples)
    assert push.summary["set_sizes"] == equi.summary["set_sizes"]
    n_shift = 2 * shift_samples * 4  # 2 classes x samples x 4 shifts
    assert push.summary["set_sizes"]["train_shift"] == n_shift
    for key, value in push.similarity.items():
        np.testing.assert_allclose(equi.similarity[key], value, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(equi.accuracy["accuracy"], push.accuracy["accuracy"])
    assert set(equi.rates) == set(push.rates)
    for key, value in push.rates.items():
        if key.endswith("y_hat"):
            np.testing.assert_array_equal(equi.rates[key], value, err_msg=key)
        else:
            np.testing.assert_allclose(
                equi.rates[key], value, rtol=1e-8, atol=1e-14, equal_nan=True, err_msg=key
            )


def test_estimated_labels_and_their_accuracy_are_stored() -> None:
    res = _run("equivariance")
    for name in ("train", "test", "train_shift", "test_shift"):
        y_hat, acc = res.rates[f"{name}/y_hat"], res.rates[f"{name}/acc_est"]
        assert y_hat.shape[0] == len(res.rates["layers"]) == len(acc)
        assert (y_hat[0] == -1).all() and np.isnan(acc[0])
        assert ((y_hat[1:] >= 0) & (y_hat[1:] < 2)).all()
    y_train = res.features["y/train"]
    np.testing.assert_allclose(
        res.rates["train/acc_est"][1:], (res.rates["train/y_hat"][1:] == y_train).mean(axis=1)
    )
