"""Nonconvex training of the skip and normalized two-layer ReLU nets (spec §8.1).

Full batch, float32, loss ‖f(X) − y‖² (no ½, no mean), AdamW (lr 2e-3, weight decay 1e-6).
By default the optimizer is re-created at every epoch, as in the official scripts, so each
step is a first Adam step (≈ sign descent); ``reset_optimizer=False`` keeps one optimizer.
Initial weights follow torch's nn.Linear default U(±1/√fan_in) but are drawn from the
trial's numpy generator, so a trial is reproducible from its seed alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

FAMILIES = ("skip", "normal")


def _uniform(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int) -> torch.Tensor:
    bound = 1.0 / np.sqrt(fan_in)
    return torch.tensor(rng.uniform(-bound, bound, size=shape), dtype=torch.float32)


def init_params(
    rng: np.random.Generator, family: str, d: int, width: int
) -> dict[str, torch.Tensor]:
    """Initial parameters: W1 (m × d), w2 (m), and v (d), a (scalar) for the skip net or
    α (m, ones) for the normalized net."""
    params = {"W1": _uniform(rng, (width, d), d), "w2": _uniform(rng, (width,), width)}
    if family == "skip":
        params["v"] = _uniform(rng, (d,), d)
        params["a"] = _uniform(rng, (1,), 1)
    elif family == "normal":
        params["alpha"] = torch.ones(width, dtype=torch.float32)
    else:
        raise ValueError(f"unknown family {family!r}; allowed {FAMILIES}")
    return {k: v.requires_grad_(True) for k, v in params.items()}


def forward(family: str, params: dict[str, torch.Tensor], X: torch.Tensor) -> torch.Tensor:
    H = torch.relu(X @ params["W1"].T)  # (n, m)
    if family == "skip":
        return H @ params["w2"] + (X @ params["v"]) * params["a"]
    Hn = torch.nn.functional.normalize(H, p=2.0, dim=0, eps=1e-12)
    return Hn @ (params["alpha"] * params["w2"])


@dataclass
class TrainResult:
    train_loss: list[float]  # epochs + 1 entries (initial value first)
    test_loss: list[float]
    dis_test: float  # sqrt of the final test loss
    dis_abs: float  # ‖a·v − w*‖ (skip), NaN (normal)


def train(
    rng: np.random.Generator,
    family: str,
    X: np.ndarray,
    y: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    w_star: np.ndarray | None = None,
    width: int | None = None,
    epochs: int = 400,
    lr: float = 2e-3,
    weight_decay: float = 1e-6,
    reset_optimizer: bool = True,
) -> TrainResult:
    """Train one net full batch and record train/test loss per epoch."""
    torch.set_num_threads(1)
    n, d = X.shape
    m = n + 1 if width is None else width
    params = init_params(rng, family, d, m)
    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.float32)
    Xs = torch.tensor(X_test, dtype=torch.float32)
    ys = torch.tensor(y_test, dtype=torch.float32)

    def losses() -> tuple[float, float]:
        with torch.no_grad():
            tr = torch.sum((forward(family, params, Xt) - yt) ** 2).item()
            te = torch.sum((forward(family, params, Xs) - ys) ** 2).item()
        return tr, te

    tr, te = losses()
    train_loss, test_loss = [tr], [te]
    opt = torch.optim.AdamW(params.values(), lr=lr, weight_decay=weight_decay)
    for _ in range(epochs):
        if reset_optimizer:
            opt = torch.optim.AdamW(params.values(), lr=lr, weight_decay=weight_decay)
        opt.zero_grad()
        loss = torch.sum((forward(family, params, Xt) - yt) ** 2)
        loss.backward()
        opt.step()
        tr, te = losses()
        train_loss.append(tr)
        test_loss.append(te)
    dis_abs = float("nan")
    if family == "skip" and w_star is not None:
        av = (params["a"] * params["v"]).detach().numpy().astype(float)
        dis_abs = float(np.linalg.norm(av - w_star))
    return TrainResult(train_loss, test_loss, float(np.sqrt(test_loss[-1])), dis_abs)
