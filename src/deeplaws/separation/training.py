"""The training loop of the equi-separation experiments.

Cross-entropy, minibatches of 128 from a fresh numpy permutation every epoch (the last
batch is short), lr for the first third of the epochs, lr/10 for the second, lr/100 for the
last (switch points int(E/3), int(2E/3)), coupled weight decay on *all* parameters, the model
in train mode throughout. Optimizers: ``sgd`` (momentum 0), ``momentum`` (0.9, no Nesterov),
``adam`` (torch Adam, weight decay added to the gradient).

The frozen two-phase protocol trains the first half of the units at constant lr, then
the second half with the usual schedule, reusing the optimizer. ``frozen`` freezes truly
(gradients reset to None, so the optimizer skips the frozen units); ``frozen_legacy`` keeps
zero-valued gradients as torch 1.9 did, so weight decay and carried-over Adam moments still
move the "frozen" units (pitfall P4).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from deeplaws.common.defaults import schema_defaults
from deeplaws.separation.constants import OPTIMIZERS
from deeplaws.separation.constants import PROTOCOLS as VARIANTS
from deeplaws.separation.models import TapNet

log = logging.getLogger(__name__)

#: the config schema's defaults of the training loop (separation.training) and of the frozen
#: protocol (separation.frozen)
DEFAULTS = schema_defaults("separation.training", "separation.frozen")


@dataclass
class Tensors:
    """The images (stored order) and labels of a subset; ``in_shape`` is (C, H, W)."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    in_shape: tuple[int, int, int]
    meta: dict[str, Any]


def resolve_device(name: str = "auto") -> torch.device:
    """``auto``: CUDA when present, else CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def lr_at(epoch: int, lr: float, epochs: int) -> float:
    """The step schedule: lr, lr/10 from int(E/3), lr/100 from int(2E/3)."""
    if epoch < int(epochs / 3):
        return lr
    if epoch < int(2 * epochs / 3):
        return lr / 10
    return lr / 100


def make_optimizer(
    params: Iterable[nn.Parameter],
    name: str,
    lr: float,
    weight_decay: float = 5e-4,
    momentum: float = 0.9,
) -> torch.optim.Optimizer:
    """sgd (plain), momentum (heavy ball, dampening 0) or adam (coupled L2)."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.0, weight_decay=weight_decay)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adam":
        return torch.optim.Adam(
            params, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=weight_decay
        )
    raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")


@dataclass
class TrainResult:
    """Per-epoch losses, final accuracies and optional snapshots of one training run."""

    losses: list[float]
    losses_phase_a: list[float] = field(default_factory=list)
    train_accuracy: float = float("nan")
    test_accuracy: float = float("nan")
    train_loss_eval: float = float("nan")
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    snapshots: dict[int, dict[str, Tensor]] = field(default_factory=dict)
    status: str = "ok"  # "ok" or "diverged" (a non-finite minibatch loss)
    diverged_at: dict[str, int] | None = None  # {"epoch": e, "step": s}, 1-based
    batch_size_nets: int = 1  # nets trained together in this job (1: the one-net path)

    def summary(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "diverged_at": self.diverged_at,
            "nets_in_batch": self.batch_size_nets,
            "losses": self.losses,
            "losses_phase_a": self.losses_phase_a,
            "final_loss": self.losses[-1] if self.losses else float("nan"),
            "train_loss_eval": self.train_loss_eval,
            "train_accuracy": self.train_accuracy,
            "test_accuracy": self.test_accuracy,
            "wall_seconds": self.wall_seconds,
            "cpu_seconds": self.cpu_seconds,
            "snapshot_epochs": sorted(self.snapshots),
        }


def _state(model: nn.Module) -> dict[str, Tensor]:
    return {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}


def _set_trainable(units: Sequence[nn.Module], flag: bool) -> None:
    for unit in units:
        for p in unit.parameters():
            p.requires_grad_(flag)


class Diverged(RuntimeError):
    """A minibatch loss became non-finite."""

    def __init__(self, epoch: int, step: int, losses: list[float]) -> None:
        super().__init__(f"non-finite loss at epoch {epoch}, step {step}")
        self.epoch, self.step, self.losses = epoch, step, losses


def run_epochs(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    X: Tensor,
    y: Tensor,
    epochs: int,
    lr_of: Callable[[int], float],
    batch_size: int,
    set_to_none: bool,
    on_epoch: Callable[[int, float], None] | None = None,
) -> list[float]:
    """``epochs`` passes over (X, y); returns the sample-weighted mean loss of each.

    Raises :class:`Diverged` (with the losses of the finished epochs) at the first
    non-finite minibatch loss.
    """
    n = X.shape[0]
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    model.train()
    for epoch in range(epochs):
        for group in opt.param_groups:
            group["lr"] = lr_of(epoch)
        perm = torch.from_numpy(np.random.permutation(n)).to(X.device)
        total = 0.0
        for step, start in enumerate(range(0, n, batch_size)):
            idx = perm[start : start + batch_size]
            opt.zero_grad(set_to_none=set_to_none)
            loss = loss_fn(model(X[idx]), y[idx])
            value = float(loss.detach())
            if not math.isfinite(value):
                raise Diverged(epoch + 1, step + 1, losses)
            loss.backward()
            opt.step()
            total += value * idx.numel()
        losses.append(total / n)
        if on_epoch is not None:
            on_epoch(epoch + 1, losses[-1])
    return losses


@torch.no_grad()
def evaluate(model: nn.Module, X: Tensor, y: Tensor, batch: int = 100) -> tuple[float, float]:
    """(accuracy, mean cross-entropy) in eval mode, in batches of ``batch``."""
    was_training = model.training
    model.eval()
    correct, total_loss = 0, 0.0
    device = next(model.parameters()).device
    for start in range(0, X.shape[0], batch):
        xb, yb = X[start : start + batch].to(device), y[start : start + batch].to(device)
        logits = model(xb)
        correct += int((logits.argmax(dim=1) == yb).sum())
        total_loss += float(nn.functional.cross_entropy(logits, yb, reduction="sum"))
    model.train(was_training)
    return correct / X.shape[0], total_loss / X.shape[0]


def train_network(
    model: TapNet,
    data: Tensors,
    optimizer: str,
    lr: float,
    epochs: int,
    batch_size: int = DEFAULTS["batch_size"],
    weight_decay: float = DEFAULTS["weight_decay"],
    momentum: float = DEFAULTS["momentum"],
    variant: str = "standard",
    phase_a_epochs: int = DEFAULTS["phase_a_epochs"],
    snapshot_epochs: Sequence[int] = (),
) -> TrainResult:
    """Train ``model`` in place (seed the generators before building it).

    ``snapshot_epochs``: epochs after which the state dict is kept (0 = initialisation);
    standard variant only.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; known: {', '.join(VARIANTS)}")
    device = next(model.parameters()).device
    X, y = data.X_train.to(device), data.y_train.to(device)
    opt = make_optimizer(model.parameters(), optimizer, lr, weight_decay, momentum)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    result = TrainResult(losses=[])
    wanted = {int(e) for e in snapshot_epochs if 0 <= int(e) <= epochs}

    def keep(epoch: int, loss: float | None = None) -> None:
        if epoch in wanted:
            result.snapshots[epoch] = _state(model)
        if loss is not None and epoch % max(1, epochs // 10) == 0:
            log.info("epoch %d/%d: loss %.5f", epoch, epochs, loss)

    try:
        _train_variant(
            model, opt, X, y, lr, epochs, batch_size, variant, phase_a_epochs, result, keep
        )
    except Diverged as err:
        result.status = "diverged"
        result.diverged_at = {"epoch": err.epoch, "step": err.step}
        result.snapshots = {}
        log.warning("lr %g diverged: %s; no weights are kept", lr, err)
        if variant == "standard" or result.losses_phase_a:
            result.losses = err.losses
        else:
            result.losses_phase_a = err.losses
    result.wall_seconds = time.perf_counter() - wall0
    result.cpu_seconds = time.process_time() - cpu0
    if result.status == "ok":
        result.train_accuracy, result.train_loss_eval = evaluate(model, data.X_train, data.y_train)
        result.test_accuracy, _ = evaluate(model, data.X_test, data.y_test)
    return result


def _train_variant(
    model: TapNet,
    opt: torch.optim.Optimizer,
    X: Tensor,
    y: Tensor,
    lr: float,
    epochs: int,
    batch_size: int,
    variant: str,
    phase_a_epochs: int,
    result: TrainResult,
    keep: Callable[..., None],
) -> None:
    # the frozen variants train the first half of the units first (phase A), then the rest
    units = [] if variant == "standard" else model.trainable_units()
    half = len(units) // 2
    set_to_none = variant != "frozen_legacy"
    if variant == "standard":
        keep(0)
    else:
        _set_trainable(units[half:], False)
        result.losses_phase_a = run_epochs(
            model, opt, X, y, phase_a_epochs, lambda e: lr, batch_size, set_to_none
        )
        _set_trainable(units[half:], True)
        _set_trainable(units[:half], False)
    result.losses = run_epochs(
        model,
        opt,
        X,
        y,
        epochs,
        lambda e: lr_at(e, lr, epochs),
        batch_size,
        set_to_none,
        on_epoch=keep,
    )
    _set_trainable(units, True)
