"""One training run and its measurements, end to end.

:func:`train_run` seeds every generator, loads the training subset, builds the net and
trains it; :func:`save_state` writes the state dict (plus optional snapshots) so that
:func:`measure_state` can remeasure D later without retraining.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from deeplaws.common.defaults import schema_defaults
from deeplaws.common.io import atomic_path
from deeplaws.common.seeding import seed_everything
from deeplaws.data.dataset import load_dataset, normalized_images
from deeplaws.separation.features import d_profile, tap_features
from deeplaws.separation.fit import no_fit, summarize_profile
from deeplaws.separation.models import RESNET_MODELS, TapNet, build_model
from deeplaws.separation.training import (  # noqa: F401 - Tensors re-exported
    DEFAULTS,
    Tensors,
    TrainResult,
    resolve_device,
    train_network,
)

#: the batch keys of a run: runs that agree on all of them can be trained as one batch
BATCH_KEYS = (
    "data",
    "model",
    "layer_num",
    "width",
    "epochs",
    "variant",
    "seed",
    "batch_size",
    "weight_decay",
    "momentum",
    "phase_a_epochs",
)

log = logging.getLogger(__name__)

#: the config schema's default seed of every run (separation.seed)
SEED = schema_defaults("separation")["seed"]


@dataclass(frozen=True)
class RunSpec:
    """Everything that determines a training run. The defaults of the keys of the config
    (seed, batch_size, weight_decay, momentum, phase_a_epochs) are the config schema's."""

    data: str
    model: str
    layer_num: int
    width: int
    optimizer: str
    lr: float
    epochs: int
    variant: str = "standard"
    seed: int = SEED
    batch_size: int = DEFAULTS["batch_size"]
    weight_decay: float = DEFAULTS["weight_decay"]
    momentum: float = DEFAULTS["momentum"]
    phase_a_epochs: int = DEFAULTS["phase_a_epochs"]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def key(self) -> str:
        """A short hash of the full configuration (dedupes identical trainings)."""
        text = json.dumps(self.as_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_tensors(npz_path: str | Path) -> Tensors:
    """The normalised float32 images (stored order) and int64 labels of a subset."""
    ds = load_dataset(npz_path)
    X_train = torch.from_numpy(np.ascontiguousarray(normalized_images(ds, "train")))
    X_test = torch.from_numpy(np.ascontiguousarray(normalized_images(ds, "test")))
    return Tensors(
        X_train=X_train,
        y_train=torch.from_numpy(ds.y_train.astype(np.int64)),
        X_test=X_test,
        y_test=torch.from_numpy(ds.y_test.astype(np.int64)),
        in_shape=tuple(int(v) for v in X_train.shape[1:]),  # type: ignore[arg-type]
        meta=ds.meta,
    )


def seeded_model(spec: RunSpec, data: Tensors, device: str = "auto") -> TapNet:
    """The run's net on its device, built right after seeding Python/numpy/torch with
    ``spec.seed`` (so its initialisation is the run's)."""
    seed_everything(spec.seed)
    dev = resolve_device(device)
    return build_model(spec.model, data.in_shape, spec.layer_num, spec.width).to(dev)


def train_run(
    spec: RunSpec,
    data: Tensors,
    device: str = "auto",
    snapshot_epochs: list[int] | None = None,
) -> tuple[TapNet, TrainResult]:
    """Seed Python/numpy/torch with ``spec.seed``, build the model and train it."""
    model = seeded_model(spec, data, device)
    result = train_network(
        model,
        data,
        optimizer=spec.optimizer,
        lr=spec.lr,
        epochs=spec.epochs,
        batch_size=spec.batch_size,
        weight_decay=spec.weight_decay,
        momentum=spec.momentum,
        variant=spec.variant,
        phase_a_epochs=spec.phase_a_epochs,
        snapshot_epochs=snapshot_epochs or (),
    )
    return model, result


def train_runs(
    specs: list[RunSpec],
    data: Tensors,
    device: str = "auto",
    snapshot_epochs: list[list[int]] | None = None,
    batched: bool = True,
) -> list[tuple[TapNet | None, TrainResult]]:
    """Train several runs; with ``batched``, runs of one batch key train as one stack.

    ``batched=False`` is the one-net path (each run seeded and trained alone, bit-identical to
    :func:`train_run`). The batched path seeds once, builds the net once (every member has the
    same initialisation and batch order as when trained alone) and trains the stack.
    A diverged run comes back with ``None`` in place of its net.
    """
    from deeplaws.separation.batched import Member, batchable, train_batch

    snaps = snapshot_epochs or [[] for _ in specs]
    if not batched or len(specs) == 1:
        out: list[tuple[TapNet | None, TrainResult]] = []
        for spec, snap in zip(specs, snaps, strict=True):
            model, result = train_run(spec, data, device=device, snapshot_epochs=snap)
            out.append((model if result.status == "ok" else None, result))
        return out
    first = specs[0]
    for spec in specs[1:]:
        diff = [k for k in BATCH_KEYS if getattr(spec, k) != getattr(first, k)]
        if diff:
            raise ValueError(f"runs of one batch must agree on {', '.join(diff)}: {spec}")
    model = seeded_model(first, data, device)
    if not batchable(model, first.variant):
        raise ValueError(f"{first.model} ({first.variant}) cannot be trained in a batch")
    outcomes = train_batch(
        model,  # type: ignore[arg-type]
        [Member(s.optimizer, s.lr) for s in specs],
        data,
        epochs=first.epochs,
        batch_size=first.batch_size,
        weight_decay=first.weight_decay,
        momentum=first.momentum,
        snapshot_epochs=snaps,
    )
    return [(o.model, o.result) for o in outcomes]


def save_state(path: str | Path, model: TapNet | None, result: TrainResult, spec: RunSpec) -> None:
    """The final state dict, the snapshots and the run spec in one torch file (atomic).

    A diverged run keeps no weights: ``state_dict`` is None and ``status`` says why, so that
    no later job can take its weights as a result.
    """
    ok = result.status == "ok" and model is not None
    payload = {
        "spec": spec.as_dict(),
        "status": result.status,
        "diverged_at": result.diverged_at,
        "state_dict": (
            {k: v.detach().cpu() for k, v in model.state_dict().items()} if ok else None
        ),
        "snapshots": result.snapshots if ok else {},
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


class RunDiverged(RuntimeError):
    """The run of a state file diverged during training and has no weights."""

    def __init__(self, path: str | Path, spec: RunSpec, at: dict[str, int] | None) -> None:
        super().__init__(f"{path}: the run diverged ({at}); it has no weights")
        self.spec, self.at = spec, at


def diverged_record(spec: RunSpec, at: dict[str, int] | None) -> dict[str, Any]:
    """The measurement record of a diverged run: no profile, a NaN fit and a note."""
    epoch = (at or {}).get("epoch")
    note = f"lr {spec.lr:g} diverged at epoch {epoch}: no profile, fit skipped"
    return no_profile("diverged", note, diverged_at=at)


def no_profile(status: str, note: str, **extra: Any) -> dict[str, Any]:
    """A measurement record without a profile: its status, a note and a NaN fit."""
    nan = float("nan")
    return {
        "status": status,
        **extra,
        "note": note,
        "taps": [],
        "D": [],
        "fit": no_fit(),
        "ratios": {"mean": nan, "cv": nan, "min": nan, "max": nan},
    }


def load_state(
    path: str | Path,
    in_shape: tuple[int, int, int],
    epoch: int | None = None,
    device: str = "auto",
) -> tuple[TapNet, RunSpec]:
    """Rebuild the net of a saved run, at its end or at a snapshot ``epoch``."""
    payload = torch.load(path, map_location="cpu", weights_only=True)
    spec = RunSpec(**payload["spec"])
    if payload.get("status", "ok") != "ok" or payload.get("state_dict") is None:
        raise RunDiverged(path, spec, payload.get("diverged_at"))
    model = build_model(spec.model, in_shape, spec.layer_num, spec.width)
    if epoch is None:
        state = payload["state_dict"]
    else:
        if epoch not in payload["snapshots"]:
            have = sorted(payload["snapshots"])
            raise KeyError(f"{path}: no snapshot at epoch {epoch}; has {have}")
        state = payload["snapshots"][epoch]
    model.load_state_dict(state)
    return model.to(resolve_device(device)), spec


def default_taps(model_name: str, taps: str) -> str:
    if model_name in RESNET_MODELS:
        return "block" if taps == "default" else taps
    if taps != "default":
        raise ValueError(f"{model_name} has only the default taps, not {taps!r}")
    return taps


def measure_model(
    model: TapNet,
    model_name: str,
    X: torch.Tensor,
    y: np.ndarray,
    bn_mode: str = "train",
    pca: int | None = None,
    taps: str = "default",
    chunk: int = 100,
    weighting: str = "nk",
) -> dict[str, Any]:
    """The D profile of ``model`` on the training inputs with diagnostics and fit record.

    Residual nets drop tap 0 (the raw input) before fitting; for a mixed net with
    the ``layer`` taps two segment fits are added, split after the last bottleneck output.
    """
    taps = default_taps(model_name, taps)
    feats = tap_features(model, X, taps=taps, bn_mode=bn_mode, chunk=chunk)
    drop = model_name in RESNET_MODELS
    measure = {
        "bn_mode": bn_mode,
        "pca": pca,
        "taps": taps,
        "chunk": chunk,
        "weighting": weighting,
        "dropped_input": drop,
    }
    bad = [i for i, H in enumerate(feats) if not np.all(np.isfinite(H))]
    if bad:
        log.warning("taps %s have non-finite features: no profile, fit skipped", bad)
        note = f"non-finite features at taps {bad}: no profile, fit skipped"
        return no_profile("non_finite_features", note, measure=measure)
    rows = d_profile(feats, y, pca=pca, drop_input=drop, weighting=weighting)
    D = [row["D"] for row in rows]
    flagged = [row["tap"] for row in rows if row["ill_conditioned"]]
    if flagged:
        log.warning("taps %s have lambda_min/lambda_max < 1e-8: D is unreliable there", flagged)
    split = model.segment_split(taps)
    return {
        "status": "ok",
        "measure": measure,
        "taps": rows,
        "D": D,
        **summarize_profile(D, split),
    }
