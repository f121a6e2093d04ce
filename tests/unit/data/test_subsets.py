"""Equi-separation subsets: the permutation walk, caps, resize; spec check values."""

import numpy as np
import pytest

from deeplaws.data import subsets
from deeplaws.data.download import locate
from deeplaws.data.mnist import FASHION_CLASSES, idx_dataset


def test_walk_permutation_matches_spec_for_cifar():
    # the official selection: perm(50000) starts 2697, 30556, 27403, 3268, 9228
    assert subsets.walk_permutation(50000)[:5].tolist() == [2697, 30556, 27403, 3268, 9228]


def test_walk_leaves_global_torch_state_alone():
    import torch

    torch.manual_seed(1)
    expected = torch.rand(3)
    torch.manual_seed(1)
    subsets.walk_permutation(100)
    assert torch.equal(torch.rand(3), expected)


def test_select_subset_caps_and_order():
    labels = np.repeat(np.arange(10), 30)
    kept = subsets.select_subset(labels, subsets.caps_for("cfm", 5))
    assert np.bincount(labels[kept]).tolist() == [5] * 10
    order = subsets.walk_permutation(len(labels))
    # the kept indices appear in walk order
    pos = {int(i): k for k, i in enumerate(order)}
    assert [pos[int(i)] for i in kept] == sorted(pos[int(i)] for i in kept)


def test_select_subset_short_class():
    labels = np.repeat(np.arange(10), 3)
    with pytest.raises(ValueError, match="fewer images"):
        subsets.select_subset(labels, np.full(10, 4))


def test_imbalanced_caps():
    assert subsets.caps_for("cfm_imb", 100).tolist() == [500] * 5 + [100] * 5
    assert subsets.caps_for("cfm_imb", 100, (50, 10)).tolist() == [50] * 5 + [10] * 5


@pytest.mark.parametrize(
    "shape,size,out",
    [
        ((4, 28, 28), 10, (4, 1, 10, 10)),
        ((4, 28, 28), 32, (4, 1, 32, 32)),
        ((2, 3, 32, 32), 10, (2, 3, 10, 10)),
        ((2, 3, 32, 32), None, (2, 3, 32, 32)),
    ],
)
def test_resize_shape_and_dtype(shape, size, out):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, shape, dtype=np.uint8)
    res = subsets.resize_images(images, size)
    assert res.shape == out and res.dtype == np.uint8


def test_resize_constant_image_stays_constant():
    images = np.full((1, 28, 28), 77, np.uint8)
    assert np.all(subsets.resize_images(images, 10) == 77)


def test_resize_antialiases():
    # PIL bilinear antialiases when downsampling: a 1-pixel checkerboard averages to ~grey
    img = (np.indices((28, 28)).sum(axis=0) % 2 * 255).astype(np.uint8)[None]
    res = subsets.resize_images(img, 10)
    assert 100 < res.mean() < 155 and res.std() < 40


FASHION = locate("fashion_mnist", None)


@pytest.fixture(scope="module")
def raw():
    return idx_dataset("fm", FASHION, "Fashion-MNIST", FASHION_CLASSES)


@pytest.mark.skipif(FASHION is None, reason="Debian's dataset-fashion-mnist is not installed")
class TestFashionCheckValues:
    def test_balanced_subset(self, raw):
        kept = subsets.select_subset(raw.y_train, subsets.caps_for("cfm", 100))
        assert kept[:10].tolist() == [
            42697,
            24019,
            46053,
            28350,
            23720,
            8688,
            13787,
            4892,
            18875,
            45879,
        ]
        assert raw.y_train[kept[:10]].tolist() == [3, 6, 3, 5, 0, 4, 6, 6, 6, 9]
        assert subsets.index_digest(kept) == "f348799ea409510d"

    def test_imbalanced_subset(self, raw):
        kept = subsets.select_subset(raw.y_train, subsets.caps_for("cfm_imb", 100))
        assert len(kept) == 3000
        assert subsets.index_digest(kept) == "821adfffdcc08ff6"

    def test_make_subset(self, raw):
        ds = subsets.make_subset("cfm", raw)
        assert ds.X_train.shape == (1000, 1, 10, 10) and ds.X_test.shape == (10000, 1, 10, 10)
        assert ds.class_counts("train") == [100] * 10
        assert ds.extras["norm_mean"].tolist() == [0.5]
