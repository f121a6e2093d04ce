"""Nonconvex training of the skip and normalized two-layer ReLU nets.

Full batch, float32, loss ‖f(X) − y‖² (no ½, no mean), AdamW (lr 2e-3, weight decay 1e-6).
By default the optimizer is re-created at every epoch, as in the official scripts, so each
step is a first Adam step (≈ sign descent); ``reset_optimizer=False`` keeps one optimizer.
Initial weights follow torch's nn.Linear default U(±1/√fan_in) but are drawn from the
trial's numpy generator, so a trial is reproducible from its seed alone.

Trials of one (n, d) cell have the same shapes, so they train together as one batch of
independent nets (the loss is the sum of the per-trial losses, whose gradients do not mix):
one set of tensor operations per epoch instead of one per trial.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

FAMILIES = ("skip", "normal")
BETAS = (0.9, 0.999)  # torch AdamW defaults
EPS = 1e-8


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
    """Net output for X (n × d), or for a batch of nets (X: B × n × d, params with a
    leading batch axis)."""
    W1 = params["W1"]
    H = torch.relu(X @ W1.transpose(-1, -2))  # (…, n, m)
    if family == "skip":
        skip = (X @ params["v"].unsqueeze(-1)).squeeze(-1) * params["a"]
        return (H @ params["w2"].unsqueeze(-1)).squeeze(-1) + skip
    Hn = torch.nn.functional.normalize(H, p=2.0, dim=-2, eps=1e-12)  # over the samples
    return (Hn @ (params["alpha"] * params["w2"]).unsqueeze(-1)).squeeze(-1)


@torch.no_grad()
def first_adamw_step(
    params: list[torch.Tensor], lr: float, weight_decay: float, eps: float = EPS
) -> None:
    """One step of a freshly created torch.optim.AdamW (the same operations, in the same
    order, as its single-tensor implementation at step 1), without building an optimizer:
    the default per-epoch reset of the official scripts."""
    beta1, beta2 = BETAS
    step_size = lr / (1 - beta1)
    bias_correction2_sqrt = (1 - beta2) ** 0.5
    for p in params:
        g = p.grad
        p.mul_(1 - lr * weight_decay)
        exp_avg = torch.zeros_like(p).lerp_(g, 1 - beta1)
        exp_avg_sq = torch.zeros_like(p).mul_(beta2).addcmul_(g, g, value=1 - beta2)
        denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
        p.addcdiv_(exp_avg, denom, value=-step_size)


@dataclass
class TrainResult:
    train_loss: list[float]  # epochs + 1 entries (initial value first)
    test_loss: list[float]
    dis_test: float  # sqrt of the final test loss
    dis_abs: float  # ‖a·v − w*‖ (skip), NaN (normal)


def _stack(arrays: list[np.ndarray]) -> torch.Tensor:
    return torch.tensor(np.stack(arrays), dtype=torch.float32)


def train_batch(
    rngs: list[np.random.Generator],
    family: str,
    X: list[np.ndarray],
    y: list[np.ndarray],
    X_test: list[np.ndarray],
    y_test: list[np.ndarray],
    w_star: list[np.ndarray] | None = None,
    width: int | None = None,
    epochs: int = 400,
    lr: float = 2e-3,
    weight_decay: float = 1e-6,
    reset_optimizer: bool = True,
) -> list[TrainResult]:
    """Train B independent nets of equal shapes (trial b: data X[b], y[b], initial weights
    from rngs[b]) full batch, and record each one's train/test loss per epoch."""
    torch.set_num_threads(1)
    n, d = X[0].shape
    m = n + 1 if width is None else width
    inits = [init_params(rng, family, d, m) for rng in rngs]
    params = {k: torch.stack([p[k].detach() for p in inits]).requires_grad_(True) for k in inits[0]}
    Xt, yt, Xs, ys = _stack(X), _stack(y), _stack(X_test), _stack(y_test)

    def per_net(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return torch.sum((out - target) ** 2, dim=-1)  # (B,)

    # Losses stay tensors until the end; the train loss after k steps is the loss computed
    # for the gradient of step k + 1 (same parameters).
    train_hist: list[torch.Tensor] = []
    with torch.no_grad():
        test_hist = [per_net(forward(family, params, Xs), ys)]
    values = list(params.values())
    opt = None if reset_optimizer else torch.optim.AdamW(values, lr=lr, weight_decay=weight_decay)
    for _ in range(epochs):
        for p in values:
            p.grad = None
        losses = per_net(forward(family, params, Xt), yt)
        losses.sum().backward()
        train_hist.append(losses.detach())
        if opt is None:
            first_adamw_step(values, lr, weight_decay)
        else:
            opt.step()
        with torch.no_grad():
            test_hist.append(per_net(forward(family, params, Xs), ys))
    with torch.no_grad():
        train_hist.append(per_net(forward(family, params, Xt), yt))
    train_loss = torch.stack(train_hist).T.tolist()  # (B, epochs + 1)
    test_loss = torch.stack(test_hist).T.tolist()
    results = []
    for b in range(len(rngs)):
        dis_abs = float("nan")
        if family == "skip" and w_star is not None:
            av = (params["a"][b] * params["v"][b]).detach().numpy().astype(float)
            dis_abs = float(np.linalg.norm(av - w_star[b]))
        results.append(
            TrainResult(train_loss[b], test_loss[b], float(np.sqrt(test_loss[b][-1])), dis_abs)
        )
    return results


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
    """Train one net (a batch of one)."""
    (res,) = train_batch(
        [rng],
        family,
        [X],
        [y],
        [X_test],
        [y_test],
        None if w_star is None else [w_star],
        width,
        epochs,
        lr,
        weight_decay,
        reset_optimizer,
    )
    return res
