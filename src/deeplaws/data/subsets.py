"""The training subsets of the equi-separation experiments.

The authors' code keeps the first 100 images of each class met while walking the training
split in the order of a seed-666 DataLoader shuffle. That order is reproduced here without a
DataLoader: seed torch with 666, draw two int64 values (the DataLoader's base seed, then the
sampler's seed ``s``), and take ``randperm`` from a fresh generator seeded with ``s``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from PIL import Image

from deeplaws.data.dataset import Dataset

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.247, 0.243, 0.261)


@dataclass(frozen=True)
class SubsetKey:
    """One data key (a training subset of the equi-separation experiments)."""

    source: str  # raw dataset: mnist, fashion_mnist or cifar10
    size: int | None  # square side after the PIL bilinear resize; None keeps the native size
    mean: tuple[float, ...]
    std: tuple[float, ...]
    description: str


KEYS: dict[str, SubsetKey] = {
    "cm": SubsetKey("mnist", 10, (0.5,), (0.5,), "MNIST resized 28->10x10"),
    "cfm": SubsetKey("fashion_mnist", 10, (0.5,), (0.5,), "Fashion-MNIST resized 28->10x10"),
    "cfm_imb": SubsetKey(
        "fashion_mnist",
        10,
        (0.5,),
        (0.5,),
        "Fashion-MNIST 10x10, imbalanced: 500 per class for classes 0-4, 100 for 5-9",
    ),
    "cc": SubsetKey("cifar10", 10, CIFAR_MEAN, CIFAR_STD, "CIFAR-10 resized 32->10x10 (RGB)"),
    "fashion_mnist": SubsetKey(
        "fashion_mnist",
        32,
        (0.2860,),
        (0.3530,),
        "Fashion-MNIST 'original size': upsampled 28->32x32",
    ),
    "cifar10": SubsetKey("cifar10", None, CIFAR_MEAN, CIFAR_STD, "CIFAR-10 at 32x32 (RGB)"),
}


def walk_permutation(n: int, seed: int = 666) -> np.ndarray:
    """The order in which a seed-``seed`` shuffling DataLoader visits ``n`` samples."""
    import torch  # imported here: reading KEYS (e.g. while parsing the workflow) needs no torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        torch.empty((), dtype=torch.int64).random_()  # the DataLoader's base seed, unused
        s = int(torch.empty((), dtype=torch.int64).random_().item())
    gen = torch.Generator()
    gen.manual_seed(s)
    return torch.randperm(n, generator=gen).numpy()


def caps_for(key: str, per_class: int, imbalance: tuple[int, int] | None = None) -> np.ndarray:
    """Per-class caps: ``per_class`` for all 10 classes, or (major, minor) for ``cfm_imb``."""
    if key == "cfm_imb":
        major, minor = imbalance if imbalance is not None else (500, 100)
        return np.array([major] * 5 + [minor] * 5)
    return np.full(10, per_class)


def select_subset(labels: np.ndarray, caps: np.ndarray, seed: int = 666) -> np.ndarray:
    """Indices kept by the permutation walk, in walk order."""
    labels = np.asarray(labels, dtype=np.int64)
    order = walk_permutation(len(labels), seed)
    walked = labels[order]
    rank = np.zeros(len(walked), dtype=np.int64)
    for c in np.unique(walked):
        hits = walked == c
        rank[hits] = np.arange(hits.sum())
    kept = order[rank < caps[walked]]
    short = [c for c in range(len(caps)) if (labels[kept] == c).sum() < caps[c]]
    if short:
        raise ValueError(f"classes {short} have fewer images than their caps {caps.tolist()}")
    return kept


def index_digest(indices: np.ndarray) -> str:
    """First 16 hex digits of the SHA-256 of the comma-joined index list (spec check value)."""
    text = ",".join(str(int(i)) for i in indices)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def resize_images(images: np.ndarray, size: int | None) -> np.ndarray:
    """PIL bilinear resize of uint8 images (N,H,W) or (N,3,H,W) to (N,C,size,size) uint8."""
    images = np.asarray(images, dtype=np.uint8)
    if images.ndim == 3:
        images = images[:, None]
    if size is None:
        return images.copy()
    out = np.empty((len(images), images.shape[1], size, size), dtype=np.uint8)
    for i, img in enumerate(images):
        if img.shape[0] == 1:
            pil = Image.fromarray(img[0], mode="L")
            out[i, 0] = np.asarray(pil.resize((size, size), Image.BILINEAR))
        else:
            pil = Image.fromarray(np.ascontiguousarray(img.transpose(1, 2, 0)), mode="RGB")
            out[i] = np.asarray(pil.resize((size, size), Image.BILINEAR)).transpose(2, 0, 1)
    return out


def make_subset(
    key: str,
    raw: Dataset,
    per_class: int = 100,
    seed: int = 666,
    imbalance: tuple[int, int] | None = None,
) -> Dataset:
    """The training subset and full test split of data key ``key`` from its raw dataset."""
    spec = KEYS[key]
    caps = caps_for(key, per_class, imbalance)
    kept = select_subset(raw.y_train, caps, seed)
    X_tr = resize_images(raw.X_train[kept], spec.size)
    X_te = resize_images(raw.X_test, spec.size)
    return Dataset(
        name=key,
        X_train=X_tr,
        y_train=raw.y_train[kept],
        X_test=X_te,
        y_test=raw.y_test.copy(),
        meta={
            "source": f"{raw.meta.get('source')}",
            "description": f"{spec.description}; training subset by the seed-{seed} "
            f"permutation walk (caps {caps.tolist()}), in walk order; full test split",
            "class_names": raw.meta.get("class_names"),
            "notes": [
                "pixels are stored as uint8 after the PIL bilinear resize; use "
                "deeplaws.data.dataset.normalized_images for float32 x/255 normalised by "
                "norm_mean/norm_std",
                f"index digest (spec check value) {index_digest(kept)}",
            ],
        },
        raw_files=dict(raw.raw_files),
        extras={
            "source_index_train": kept,
            "source_index_test": np.arange(len(raw.y_test)),
            "norm_mean": np.asarray(spec.mean, dtype=np.float64),
            "norm_std": np.asarray(spec.std, dtype=np.float64),
        },
    )
