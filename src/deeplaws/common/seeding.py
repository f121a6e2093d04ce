"""Seeds derived from a base seed and a tuple of names, stable across runs and machines.

Each job derives its own seed from the config's base seed and the job's identity
(experiment, dataset, cell, trial ...), so any job can be recomputed alone and gives the
same numbers, independent of which other jobs ran before it.
"""

from __future__ import annotations

import hashlib
import random

import numpy as np


def _key_int(key: object) -> int:
    if isinstance(key, (int, np.integer)) and int(key) >= 0:
        return int(key)
    digest = hashlib.sha256(str(key).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def seed_sequence(base: int, *keys: object) -> np.random.SeedSequence:
    """A SeedSequence with entropy ``base`` and spawn key derived from ``keys``."""
    return np.random.SeedSequence(entropy=int(base), spawn_key=tuple(_key_int(k) for k in keys))


def derive_seed(base: int, *keys: object) -> int:
    """A 32-bit seed for (base, *keys); distinct keys give independent streams."""
    return int(seed_sequence(base, *keys).generate_state(1, dtype=np.uint32)[0])


def make_rng(base: int, *keys: object) -> np.random.Generator:
    """A numpy Generator for (base, *keys)."""
    return np.random.default_rng(seed_sequence(base, *keys))


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, numpy's legacy global stream and torch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a hard dependency
        return
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
