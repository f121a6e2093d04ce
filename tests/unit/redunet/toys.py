"""Small inputs shared by the ReduNet tests, and the construction by both backends."""

from __future__ import annotations

import numpy as np
import torch

from deeplaws.redunet.lift import lift2d, make_kernels
from deeplaws.redunet.network import ConstructionConfig, construct
from deeplaws.redunet.spectral import make_spectrum, to_spectrum


def both_backends(V, y, evals, spec, k, derived=None, **kw):
    """The network constructed by the fast and by the reference backend, in that order."""
    out = []
    for backend in ("fast", "reference"):
        cfg = ConstructionConfig(backend=backend, **kw)
        out.append(construct(V, y, evals, spec, cfg, n_classes=k, derived=derived))
    return out


def fourier_2d(seed: int, channels: int):
    """12 training and 9 test 6x6 images of 3 classes, lifted by ``channels`` random 3x3
    kernels, in the spectrum: (V, y, Vt, yt, spec)."""
    rng = np.random.default_rng(seed)
    X = torch.tensor(rng.standard_normal((12, 1, 6, 6)))
    Xt = torch.tensor(rng.standard_normal((9, 1, 6, 6)))
    W = torch.tensor(make_kernels((channels, 1, 3, 3)))
    spec = make_spectrum("2d", (6, 6))
    V, Vt = to_spectrum(lift2d(X, W), spec), to_spectrum(lift2d(Xt, W), spec)
    y, yt = torch.tensor(np.arange(12) % 3), torch.tensor(np.arange(9) % 3)
    return V, y, Vt, yt, spec
