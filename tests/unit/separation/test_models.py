"""The networks of the paper: tap counts and dimensions, channel handling, frozen units."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from deeplaws.separation.features import tap_features
from deeplaws.separation.models import build_model


def _x(n: int, c: int, side: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, c, side, side, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize(
    ("name", "layer_num", "width"),
    [
        ("GFNN", 2, 100),
        ("GFNN", 18, 100),
        ("GFNNNoBN", 6, 20),
        ("GLNN", 6, 100),
    ],
)
def test_fnn_has_layer_num_plus_two_taps(name: str, layer_num: int, width: int) -> None:
    model = build_model(name, (1, 10, 10), layer_num, width)
    logits, taps = model.forward_taps(_x(8, 1, 10))
    assert logits.shape == (8, 10)
    assert [t.shape[1] for t in taps] == [100] + [width] * (layer_num + 1)
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert len(linears) == layer_num + 2  # paper depth = L + 2
    assert len(model.trainable_units()) == layer_num + 2


def test_block_types() -> None:
    kinds = {
        "GFNN": (torch.nn.BatchNorm1d, torch.nn.ReLU),
        "GLNN": (torch.nn.BatchNorm1d,),
        "GFNNNoBN": (torch.nn.ReLU,),
    }
    for name, expected in kinds.items():
        block = build_model(name, (1, 10, 10), 2, 100).blocks[1]
        assert tuple(type(m) for m in block[1:]) == expected
    # GLNN is affine for fixed BN statistics: in eval mode, f(a x + b y) = a f(x) + b f(y)
    # up to the affine offset, i.e. f(x) - f(0) is linear
    glnn = build_model("GLNN", (1, 10, 10), 3, 50).eval()
    x, z = _x(4, 1, 10, 1), _x(4, 1, 10, 2)
    with torch.no_grad():
        f0 = glnn(torch.zeros_like(x))
        lhs = glnn(2 * x + 3 * z) - f0
        rhs = 2 * (glnn(x) - f0) + 3 * (glnn(z) - f0)
    torch.testing.assert_close(lhs, rhs, rtol=1e-4, atol=1e-4)


def test_gfnn_keeps_green_channel_of_rgb_but_original_keeps_all() -> None:
    x = _x(4, 3, 10)
    _, taps = build_model("GFNN", (3, 10, 10), 1, 100).forward_taps(x)
    torch.testing.assert_close(taps[0], x[:, 1].reshape(4, -1))
    _, taps = build_model("GFNNOriginal", (3, 10, 10), 1, 50).forward_taps(x)
    torch.testing.assert_close(taps[0], x.reshape(4, -1))


@pytest.mark.parametrize("name", ["FNNSW", "FNNWS", "FNNMIX"])
def test_shape_models_have_eight_taps(name: str) -> None:
    widths = {
        "FNNSW": [100] * 4 + [1000] * 3,
        "FNNWS": [1000] * 4 + [100] * 3,
        "FNNMIX": [100, 500, 500, 2500, 2500, 500, 500],
    }[name]
    _, taps = build_model(name, (1, 10, 10), 99, 7).forward_taps(_x(4, 1, 10))
    assert [t.shape[1] for t in taps] == [100] + widths


def test_vgg13_and_alexnet_tap_dimensions() -> None:
    x = _x(2, 1, 32)
    _, taps = build_model("VGG13", (1, 32, 32), 11, 0).forward_taps(x)
    assert [t.shape[1] for t in taps] == [
        16384,
        65536,
        65536,
        32768,
        32768,
        16384,
        16384,
        8192,
        8192,
        2048,
        2048,
        4096,
        4096,
    ]
    _, taps = build_model("AlexNet", (1, 32, 32), 6, 0).forward_taps(x)
    assert [t.shape[1] for t in taps] == [32768, 65536, 49152, 24576, 16384, 16384, 4096, 4096]
    # the tiled input is the image repeated along channels
    torch.testing.assert_close(taps[0].reshape(2, 32, 32, 32)[:, 5], x[:, 0])


@pytest.mark.parametrize(
    ("name", "n_layer_taps", "split"),
    [
        ("GResNetBasic", 10, None),
        ("GResNetBottleneck", 14, None),
        ("ResNetMixV2", 12, 6),
    ],
)
def test_resnet_taps(name: str, n_layer_taps: int, split: int | None) -> None:
    model = build_model(name, (1, 32, 32), 4, 0)
    x = _x(2, 1, 32)
    logits, block = model.forward_taps(x, "block")
    _, layer = model.forward_taps(x, "layer")
    assert logits.shape == (2, 10)
    assert [t.shape[1] for t in block] == [1024] + [8192] * 5  # B + 2 taps
    assert len(layer) == n_layer_taps
    # block outputs are among the layer taps, and the logits do not depend on the option
    torch.testing.assert_close(layer[-1], block[-1])
    torch.testing.assert_close(model(x), logits)
    assert model.segment_split("layer") == split
    assert model.segment_split("block") is None


def test_train_mode_measurement_uses_each_chunks_statistics() -> None:
    torch.manual_seed(0)
    model = build_model("GFNN", (1, 10, 10), 2, 30)
    X = _x(300, 1, 10, 3)
    feats = tap_features(model, X, bn_mode="train", chunk=100)
    with torch.no_grad():
        model.train()
        manual = [model.forward_taps(X[i : i + 100])[1][-1] for i in range(0, 300, 100)]
    np.testing.assert_allclose(feats[-1], torch.cat(manual).numpy(), rtol=1e-6, atol=1e-6)
    whole = tap_features(model, X, bn_mode="train", chunk=300)
    assert not np.allclose(whole[-1], feats[-1], atol=1e-4)  # the chunking matters
    # eval mode uses running statistics: independent of the chunk size
    e100 = tap_features(model, X, bn_mode="eval", chunk=100)
    e300 = tap_features(model, X, bn_mode="eval", chunk=300)
    np.testing.assert_allclose(e100[-1], e300[-1], rtol=1e-5, atol=1e-6)
    # measuring never changes the model (a deep copy is measured)
    assert model.training
    assert int(model.blocks[0][1].num_batches_tracked) == 3


def test_residual_measurement_drops_input_applies_pca_and_splits_fit() -> None:
    from deeplaws.separation.runs import measure_model

    torch.manual_seed(0)
    model = build_model("ResNetMixV2", (1, 32, 32), 4, 0)
    X = _x(200, 1, 32, 4)
    y = np.repeat(np.arange(10), 20)
    rec = measure_model(model, "ResNetMixV2", X, y, pca=100, taps="layer")
    assert [row["tap"] for row in rec["taps"]] == list(range(1, 12))  # tap 0 dropped
    assert all(row["p"] == 100 and row["p_original"] == 8192 for row in rec["taps"])
    assert rec["segment_split"] == 6 and len(rec["segments"]) == 2
    assert rec["segments"][0]["n"] == 7 and rec["segments"][1]["n"] == 5
    block = measure_model(model, "ResNetMixV2", X, y, pca=100, taps="block")
    assert len(block["D"]) == 5 and "segments" not in block
    with pytest.raises(ValueError):
        measure_model(model, "GFNN", X, y, taps="layer")
