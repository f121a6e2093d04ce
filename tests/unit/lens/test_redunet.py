"""D across stored ReduNet layers: the P3 function on the same features, and P3's fit."""

from __future__ import annotations

import numpy as np
import pytest

from deeplaws.lens.redunet import fuzziness_table, layer_fit, load_layer_features
from deeplaws.separation.fuzziness import fuzziness, fuzziness_dense


def _write_layer_features(path, layers, train, test, ytr, yte) -> None:
    np.savez(
        path,
        layers=np.asarray(layers, dtype=np.int64),
        train_features=train.astype(np.float32),
        test_features=test.astype(np.float32),
        train_labels=ytr.astype(np.int64),
        test_labels=yte.astype(np.int64),
        eps2=np.float64(0.1),
        experiment=np.str_("toy"),
        kind=np.str_("vector"),
    )


def _shrinking(layers, n_per, K, d, rho, seed=0):
    """Class clusters around e_k whose spread shrinks by sqrt(rho) per layer (D = rho^l D_0)."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(K), n_per)
    means = np.eye(d)[:K]
    noise = rng.normal(size=(y.size, d))
    for k in range(K):  # zero class means: the class means stay e_k, SS_w scales exactly
        noise[y == k] -= noise[y == k].mean(axis=0)
    feats = np.stack([means[y] + 0.3 * np.sqrt(rho) ** layer * noise for layer in layers])
    return feats, y


def test_d_of_every_layer_is_the_p3_function(tmp_path) -> None:
    layers = [0, 2, 4, 6]
    train, ytr = _shrinking(layers, 30, 3, 5, rho=0.7)
    test, yte = _shrinking(layers, 20, 3, 5, rho=0.7, seed=1)
    path = tmp_path / "layer_features.npz"
    _write_layer_features(path, layers, train, test, ytr, yte)
    lf = load_layer_features(path)
    table = fuzziness_table(lf)
    assert list(table["split"].unique()) == ["train", "test"]
    for split, F, y in (("train", train, ytr), ("test", test, yte)):
        t = table[table["split"] == split].sort_values("layer")
        assert t["layer"].tolist() == layers
        for i, D in enumerate(t["D"]):
            H = F[i].astype(np.float32)  # the stored (float32) features
            assert D == fuzziness(H, y).D
            assert D == pytest.approx(fuzziness_dense(H, y), rel=1e-8)


def test_fit_over_layers_recovers_the_rate(tmp_path) -> None:
    layers = np.arange(0, 21, 4)  # every 4th layer stored: rho is still per layer
    train, ytr = _shrinking(layers, 40, 3, 6, rho=0.8)
    path = tmp_path / "layer_features.npz"
    _write_layer_features(path, layers, train, train, ytr, ytr)
    table = fuzziness_table(load_layer_features(path), splits=("train",))
    fit = layer_fit(table, "train")
    # D scales exactly with the spread squared: D_l = rho^l D_0
    assert fit["status"] == "ok" and fit["excluded"] == 0
    assert fit["rho"] == pytest.approx(0.8, rel=1e-5)
    assert fit["r"] == pytest.approx(-1.0, abs=1e-9)
    assert fit["ratio_end_to_end"] == pytest.approx(0.8, rel=1e-5)
    slope = np.polyfit(layers, np.log(table["D"].to_numpy()), 1)[0]
    assert fit["slope"] == pytest.approx(slope, rel=1e-9)


def test_collapsed_layers_are_excluded_from_the_fit(tmp_path) -> None:
    layers = [0, 1, 2]
    train, ytr = _shrinking(layers, 10, 2, 3, rho=0.5)
    train[2] = np.eye(3)[ytr]  # every class collapsed onto one point: D = 0
    path = tmp_path / "layer_features.npz"
    _write_layer_features(path, layers, train, train, ytr, ytr)
    table = fuzziness_table(load_layer_features(path), splits=("train",))
    assert table["D"].iloc[2] == 0.0
    fit = layer_fit(table)
    assert fit["excluded"] == 1 and fit["status"] == "ok"
    with pytest.raises(ValueError):
        bad = tmp_path / "bad.npz"
        _write_layer_features(bad, [0, 1], train, train, ytr, ytr)  # 3 snapshots, 2 layers
        load_layer_features(bad)


def test_a_construction_without_stored_layers_is_a_status(tmp_path) -> None:
    path = tmp_path / "layer_features.npz"
    np.savez(path, experiment=np.str_("toy"))
    lf = load_layer_features(path)
    table = fuzziness_table(lf)
    assert table.empty
    fit = layer_fit(table)
    assert fit["status"] == "no_layers" and fit["layers_stored"] == 0


def test_d_of_a_real_construction_equals_the_p3_function_on_its_features(tmp_path) -> None:
    """A small ReduNet built by the ReduNet package, its layer_features.npz written as the
    construction job writes it: the lens's D at every stored layer is P3's D of those
    features, and at the last layer P3's D of the construction's final features Z."""
    import torch

    from deeplaws.common.io import save_npz
    from deeplaws.data import synthetic
    from deeplaws.redunet.network import ConstructionConfig
    from deeplaws.redunet.run import run_experiment

    ds = synthetic.gaussian(dim=2, variant=1, noise=0.1, samples=40, seed=0)
    cfg = ConstructionConfig(layers=6, eta=0.5, lambda_=500.0, snapshot_every=2)
    res = run_experiment(ds, "vector", {}, cfg, n_comp=1, device=torch.device("cpu"))
    path = tmp_path / "layer_features.npz"
    save_npz(path, {**res.layer_features, "experiment": np.str_("gaussian2d")})
    lf = load_layer_features(path)
    assert lf.experiment == "gaussian2d" and lf.kind == "vector"
    table = fuzziness_table(lf)
    train = table[table["split"] == "train"].sort_values("layer")
    assert train["layer"].tolist() == [0, 2, 4, 6]
    for i, D in enumerate(train["D"]):
        assert D == fuzziness(res.layer_features["train_features"][i], lf.labels["train"]).D
    final = fuzziness(res.features["Z/train"], res.features["y/train"]).D
    assert train["D"].iloc[-1] == pytest.approx(final, rel=1e-4)
