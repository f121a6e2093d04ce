"""Several feedforward nets of one architecture trained together as one batch.

Runs that share the architecture, the data, the seed (hence the initialisation and the batch
order) and the number of epochs, and differ only in optimizer and learning rate, are
independent nets that see the same minibatches. They are trained here as a stack of B nets:
every Linear layer is one ``baddbmm`` over stacked weights (B, out, in), every BatchNorm layer
one ``batch_norm`` call over B * width channels (so each net keeps its own batch statistics
and running statistics), and the optimizers update the stacked tensors with a per-net lr.
The nets are tiny, so a step is dominated by per-operation overhead and a batch of B nets
costs little more than one.

The updates follow torch's single-tensor SGD (with and without heavy-ball momentum) and Adam
(coupled weight decay) operation for operation; each net therefore agrees with the same net
trained alone by :func:`deeplaws.separation.training.train_network` to float32 round-off
(the GEMM kernels differ), which the tests check. The one-net path stays the reference.

A net whose loss becomes non-finite stops: it is recorded as diverged (epoch and step), its
updates are masked from then on and its weights are never returned as a result.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from deeplaws.separation.constants import OPTIMIZERS
from deeplaws.separation.models import FNN
from deeplaws.separation.training import (
    DEFAULTS,
    Tensors,
    TrainResult,
    evaluate,
    lr_at,
)


@dataclass(frozen=True)
class Member:
    """One net of a batch: its optimizer and base learning rate."""

    optimizer: str
    lr: float


def batchable(model: nn.Module, variant: str = "standard") -> bool:
    """Only the feedforward family under the standard protocol is trained in batches."""
    return isinstance(model, FNN) and variant == "standard"


class StackedFNN:
    """B copies of one :class:`FNN` with stacked parameters (leaf tensors, leading dim B).

    Activations are kept as (B, width, m) (m samples): a Linear layer is one ``baddbmm``
    W (B, out, in) @ h (B, in, m) + b, and the (B * width, m) view of its output is exactly the
    layout of a ``batch_norm`` over B * width channels, so no copy is needed between the two.
    """

    def __init__(self, model: FNN, n_nets: int) -> None:
        self.template = model
        self.B = n_nets
        self.layers: list[dict[str, Any]] = []
        self.params: list[Tensor] = []
        for unit in [*model.blocks, model.classifier]:
            mods = list(unit) if isinstance(unit, nn.Sequential) else [unit]
            lin = mods[0]
            if not isinstance(lin, nn.Linear):
                raise TypeError(f"a stacked FNN unit must start with Linear, not {lin}")
            layer: dict[str, Any] = {
                "W": self._stack(lin.weight),
                "b": self._stack(lin.bias.unsqueeze(1)),  # (B, out, 1)
                "relu": any(isinstance(m, nn.ReLU) for m in mods),
            }
            bn = next((m for m in mods if isinstance(m, nn.BatchNorm1d)), None)
            if bn is not None:
                assert bn.running_mean is not None and bn.running_var is not None
                layer["gamma"] = self._stack(bn.weight)
                layer["beta"] = self._stack(bn.bias)
                layer["rm"] = bn.running_mean.detach().repeat(n_nets).clone()
                layer["rv"] = bn.running_var.detach().repeat(n_nets).clone()
                layer["eps"] = float(bn.eps)
                layer["momentum"] = float(bn.momentum or 0.0)
            self.layers.append(layer)
        self.steps = 0

    def _stack(self, p: Tensor) -> Tensor:
        t = p.detach().unsqueeze(0).repeat(self.B, *([1] * p.dim())).clone()
        t.requires_grad_(True)
        self.params.append(t)
        return t

    def forward(self, x: Tensor, train: bool = True) -> Tensor:
        """Logits (B, 10, m) of every net for the shared input ``x`` (m samples)."""
        h0 = self.template._input(x)
        m = h0.shape[0]
        h = h0.t()
        for j, layer in enumerate(self.layers):
            W, b = layer["W"], layer["b"]
            if j == 0:  # the input is shared: one GEMM (B * out, in) @ (in, m) for all nets
                B, out, d_in = W.shape
                h = torch.addmm(b.reshape(B * out, 1), W.reshape(B * out, d_in), h)
                h = h.view(B, out, m)
            else:
                h = torch.baddbmm(b, W, h)
            if "gamma" in layer:
                shape = h.shape
                h = F.batch_norm(
                    h.reshape(1, -1, m),
                    layer["rm"],
                    layer["rv"],
                    layer["gamma"].reshape(-1),
                    layer["beta"].reshape(-1),
                    training=train,
                    momentum=layer["momentum"],
                    eps=layer["eps"],
                ).view(shape)
            if layer["relu"]:
                h = torch.relu(h)
        return h

    def state_dict(self, i: int) -> dict[str, Tensor]:
        """The state dict of net ``i`` in the layout of the template :class:`FNN`."""
        out: dict[str, Tensor] = {}
        units = [*(f"blocks.{k}" for k in range(len(self.template.blocks))), "classifier"]
        for name, layer in zip(units, self.layers, strict=True):
            lin = f"{name}.0" if name != "classifier" else name
            out[f"{lin}.weight"] = layer["W"][i].detach().clone()
            out[f"{lin}.bias"] = layer["b"][i, :, 0].detach().clone()
            if "gamma" in layer:
                width = layer["W"].shape[1]
                sl = slice(i * width, (i + 1) * width)
                out[f"{name}.1.weight"] = layer["gamma"][i].detach().clone()
                out[f"{name}.1.bias"] = layer["beta"][i].detach().clone()
                out[f"{name}.1.running_mean"] = layer["rm"][sl].clone()
                out[f"{name}.1.running_var"] = layer["rv"][sl].clone()
                out[f"{name}.1.num_batches_tracked"] = torch.tensor(self.steps)
        ref = self.template.state_dict()
        if set(out) != set(ref):
            raise RuntimeError(f"stacked layout does not match the model: {set(out) ^ set(ref)}")
        return out

    def net(self, i: int) -> FNN:
        """A standalone copy of net ``i``."""
        model = copy.deepcopy(self.template)
        model.load_state_dict(self.state_dict(i))
        return model


class StackedOptimizer:
    """Per-net sgd / momentum / adam over stacked tensors with torch's fused CPU kernels.

    Net i's parameters are the slices p[i] of the stacked tensors (contiguous views); one
    ``torch._fused_adam_`` or ``torch._fused_sgd_`` call per net updates all its slices in a
    single pass with the net's own lr and state: the update rules of ``torch.optim.Adam`` and
    ``torch.optim.SGD`` (coupled weight decay; heavy-ball momentum with buf = grad at the
    first step; no dampening, no Nesterov), computed in another order than the single-tensor
    loop of the one-net path, hence equal to float32 round-off.
    """

    def __init__(
        self,
        params: Sequence[Tensor],
        members: Sequence[Member],
        weight_decay: float,
        momentum: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        for m in members:
            if m.optimizer not in OPTIMIZERS:
                raise ValueError(f"unknown optimizer {m.optimizer!r}; known: {OPTIMIZERS}")
        self.params = list(params)
        self.kind = [m.optimizer for m in members]
        self.wd, self.momentum, self.betas, self.eps = weight_decay, momentum, betas, eps
        B = len(members)
        self.state = [torch.zeros_like(p) for p in self.params]  # adam m / momentum buffer
        self.state2 = [torch.zeros_like(p) for p in self.params]  # adam v
        self.steps = [torch.zeros((), dtype=torch.float32) for _ in range(B)]
        self.step_count = 0
        self.active = [True] * B

    @torch.no_grad()
    def step(self, lrs: Sequence[float]) -> None:
        """One update of every active net; ``lrs`` is the current lr of each net."""
        self.step_count += 1
        first = self.step_count == 1
        b1, b2 = self.betas
        for i, (kind, lr) in enumerate(zip(self.kind, lrs, strict=True)):
            if not self.active[i]:
                for p in self.params:  # a diverged net is parked at zero, never updated
                    p[i].zero_()
                continue
            ps = [p[i] for p in self.params]
            gs = [p.grad[i] if p.grad is not None else torch.zeros_like(p[i]) for p in self.params]
            if kind == "adam":
                self.steps[i] += 1
                torch._fused_adam_(
                    ps,
                    gs,
                    [t[i] for t in self.state],
                    [t[i] for t in self.state2],
                    [],
                    [self.steps[i]] * len(ps),
                    lr=float(lr),
                    beta1=b1,
                    beta2=b2,
                    weight_decay=self.wd,
                    eps=self.eps,
                    amsgrad=False,
                    maximize=False,
                )
            else:
                mom = self.momentum if kind == "momentum" else 0.0
                torch._fused_sgd_(
                    ps,
                    gs,
                    [t[i] for t in self.state] if mom else [],
                    weight_decay=self.wd,
                    momentum=mom,
                    lr=float(lr),
                    dampening=0.0,
                    nesterov=False,
                    maximize=False,
                    is_first_step=first,
                )


@dataclass
class BatchOutcome:
    """One member's result: the training record and its final net (None when diverged)."""

    result: TrainResult
    model: FNN | None


def train_batch(
    model: FNN,
    members: Sequence[Member],
    data: Tensors,
    epochs: int,
    batch_size: int = DEFAULTS["batch_size"],
    weight_decay: float = DEFAULTS["weight_decay"],
    momentum: float = DEFAULTS["momentum"],
    snapshot_epochs: Sequence[Sequence[int]] | None = None,
) -> list[BatchOutcome]:
    """Train B copies of ``model`` (seed the generators before building it), one per member.

    Epoch e draws ``np.random.permutation(n)`` once for the whole batch, exactly as the one-net
    loop does, so every member sees the batches of the same run trained alone.
    """
    B = len(members)
    if B == 0:
        raise ValueError("a batch needs at least one member")
    snaps = [set(int(e) for e in s) for s in (snapshot_epochs or [[]] * B)]
    device = next(model.parameters()).device
    X, y = data.X_train.to(device), data.y_train.to(device)
    n = X.shape[0]
    stack = StackedFNN(model, B)
    opt = StackedOptimizer(stack.params, members, weight_decay, momentum)
    results = [TrainResult(losses=[]) for _ in members]
    wall0, cpu0 = time.perf_counter(), time.process_time()

    def keep(epoch: int) -> None:
        for i, r in enumerate(results):
            if epoch in snaps[i] and opt.active[i]:
                r.snapshots[epoch] = stack.state_dict(i)

    keep(0)
    for epoch in range(epochs):
        lrs = [lr_at(epoch, m.lr, epochs) for m in members]
        perm = torch.from_numpy(np.random.permutation(n)).to(device)
        totals = [0.0] * B
        for step, start in enumerate(range(0, n, batch_size)):
            idx = perm[start : start + batch_size]
            for p in stack.params:
                p.grad = None
            logits = stack.forward(X[idx])
            m = idx.numel()
            target = y[idx].unsqueeze(0).expand(B, m)
            losses = F.cross_entropy(logits, target, reduction="none").mean(dim=1)
            active = torch.tensor(opt.active)
            torch.where(active, losses, torch.zeros_like(losses)).sum().backward()
            values = losses.detach().tolist()
            for i, value in enumerate(values):
                if not opt.active[i]:
                    continue
                if not math.isfinite(value):
                    opt.active[i] = False
                    results[i].status = "diverged"
                    results[i].diverged_at = {"epoch": epoch + 1, "step": step + 1}
                    continue
                totals[i] += value * m
            opt.step(lrs)
            stack.steps += 1
        for i, r in enumerate(results):
            if opt.active[i]:
                r.losses.append(totals[i] / n)
        keep(epoch + 1)
        if not any(opt.active):
            break
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    outcomes = []
    for i, r in enumerate(results):
        r.wall_seconds, r.cpu_seconds = wall, cpu
        r.batch_size_nets = B
        if r.status != "ok":
            r.snapshots = {}
            outcomes.append(BatchOutcome(r, None))
            continue
        net = stack.net(i).to(device)
        r.train_accuracy, r.train_loss_eval = evaluate(net, data.X_train, data.y_train)
        r.test_accuracy, _ = evaluate(net, data.X_test, data.y_test)
        outcomes.append(BatchOutcome(r, net))
    return outcomes
